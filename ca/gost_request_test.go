package ca_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// gostProfiles configures ru-owner and ru-employee with keys
// (key_algorithms).
func gostProfiles(keys string) fixtureOpt {
	return func(c *ca.Config) {
		set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    key_algorithms: [" + keys + "]\n  ru-employee:\n    key_algorithms: [" + keys + "]\n"))
		if err != nil {
			panic(err)
		}
		c.Profiles = set
	}
}

func gostKey(tb testing.TB, c *gost3410.Curve) *gost3410.PrivateKey {
	tb.Helper()
	k, err := gost3410.GenerateKey(c, rand.Reader)
	require.NoError(tb, err)
	return k
}

// gostCSR is a real PKCS#10 signed with a GOST key by x509sig.
func gostCSR(tb testing.TB, k *gost3410.PrivateKey) []byte {
	tb.Helper()
	der, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k)
	require.NoError(tb, err)
	return der
}

// checkGOST runs CheckRequest for the demo ru-owner with der.
func checkGOST(f *fixture, tb testing.TB, der []byte) error {
	cur := f.sub(tb, "ru-owner")
	return f.auth.CheckRequest(context.Background(), cur.Profile, cur.Cert, der)
}

// refusedWith: err is want's sentinel and carries both messages.
func refusedWith(t *testing.T, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	var e *ca.Error
	require.ErrorAs(t, err, &e)
	require.NotEmpty(t, e.RU)
	require.NotEmpty(t, e.EN)
}

// Every signature parameter set of the table, in its TC26 and its
// CryptoPro spelling, is accepted by a profile naming the two families,
// with the proof of possession verified by x509sig.
func TestGOSTRequestAccepted(t *testing.T) {
	f := newFixture(t, gostProfiles("ecdsa-p256, gost2012-256, gost2012-512"))
	for _, c := range []*gost3410.Curve{
		gost3410.Curve256A(), gost3410.Curve256B(), gost3410.Curve256C(), gost3410.Curve256D(),
		gost3410.CryptoProA(), gost3410.CryptoProB(), gost3410.CryptoProC(),
		gost3410.Curve512A(), gost3410.Curve512B(), gost3410.Curve512C(),
	} {
		t.Run(c.Name(), func(t *testing.T) {
			require.NoError(t, checkGOST(f, t, gostCSR(t, gostKey(t, c))))
		})
	}
	// ECDSA still passes beside GOST.
	require.NoError(t, checkGOST(f, t, csr(t, newKey(t, "p256"), nil)))
}

// The profile decides sizes and sets: a family or one set; a 512-bit key
// where only 256 is allowed is refused, and so is GOST where the profile
// (the default one) names none.
func TestGOSTRequestProfileSets(t *testing.T) {
	only256 := newFixture(t, gostProfiles("gost2012-256"))
	refusedWith(t, checkGOST(only256, t, gostCSR(t, gostKey(t, gost3410.Curve512A()))), ca.ErrKeyNotAllowed)
	require.NoError(t, checkGOST(only256, t, gostCSR(t, gostKey(t, gost3410.Curve256D()))))

	onlyA := newFixture(t, gostProfiles("gost2012-256-A"))
	require.NoError(t, checkGOST(onlyA, t, gostCSR(t, gostKey(t, gost3410.Curve256A()))))
	refusedWith(t, checkGOST(onlyA, t, gostCSR(t, gostKey(t, gost3410.Curve256B()))), ca.ErrKeyNotAllowed)
	refusedWith(t, checkGOST(onlyA, t, gostCSR(t, gostKey(t, gost3410.CryptoProA()))), ca.ErrKeyNotAllowed)
	refusedWith(t, checkGOST(onlyA, t, csr(t, newKey(t, "p256"), nil)), ca.ErrKeyNotAllowed)

	// CryptoPro A is TC26 256 B: allowed by the TC26 name.
	onlyB := newFixture(t, gostProfiles("gost2012-256-B"))
	require.NoError(t, checkGOST(onlyB, t, gostCSR(t, gostKey(t, gost3410.CryptoProA()))))

	// The defaults: the Russian qualified profiles take GOST only.
	defaults, err := profile.Load("")
	require.NoError(t, err)
	for _, name := range []string{"ru-owner", "ru-employee"} {
		p, ok := defaults.Get(name)
		require.True(t, ok)
		assert.Equal(t, []string{"gost2012-256", "gost2012-512"}, p.KeyAlgorithms(), name)
	}
	def := newFixture(t, func(c *ca.Config) { c.Profiles = defaults })
	require.NoError(t, checkGOST(def, t, gostCSR(t, gostKey(t, gost3410.Curve256A()))))
	refusedWith(t, checkGOST(def, t, csr(t, newKey(t, "p256"), nil)), ca.ErrKeyNotAllowed)
	refusedWith(t, checkGOST(def, t, csr(t, newKey(t, "rsa2048"), nil)), ca.ErrKeyNotAllowed)

	_, err = profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    key_algorithms: [gost2012-256-E]\n"))
	require.ErrorContains(t, err, "unknown")
}

// spkiOf is the SubjectPublicKeyInfo of a CSR.
func spkiOf(tb testing.TB, der []byte) []byte {
	tb.Helper()
	c, err := x509.ParseCertificateRequest(der)
	require.NoError(tb, err)
	return c.RawSubjectPublicKeyInfo
}

// replaceOnce replaces the one occurrence of old in b.
func replaceOnce(tb testing.TB, b, old, new []byte) []byte {
	tb.Helper()
	require.Equal(tb, 1, bytes.Count(b, old), "occurrences of %x", old)
	return bytes.Replace(b, old, new, 1)
}

// smallOrderPoint is q·R for a random point R of a cofactor-4 curve: of
// order 1, 2 or 4, on the curve and outside the subgroup (affine
// arithmetic in big.Int, test only).
func smallOrderPoint(tb testing.TB, c *gost3410.Curve) (x, y *big.Int) {
	tb.Helper()
	p, a, b, q, _, _, _ := c.Params()
	add := func(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
		if x1 == nil {
			return x2, y2
		}
		if x2 == nil {
			return x1, y1
		}
		var l *big.Int
		if x1.Cmp(x2) == 0 {
			if new(big.Int).Mod(new(big.Int).Add(y1, y2), p).Sign() == 0 {
				return nil, nil
			}
			num := new(big.Int).Add(new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(x1, x1)), a)
			l = num.Mul(num, new(big.Int).ModInverse(new(big.Int).Lsh(y1, 1), p))
		} else {
			num := new(big.Int).Sub(y2, y1)
			l = num.Mul(num, new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Sub(x2, x1), p), p))
		}
		l.Mod(l, p)
		x3 := new(big.Int).Sub(new(big.Int).Mul(l, l), x1)
		x3.Sub(x3, x2).Mod(x3, p)
		y3 := new(big.Int).Sub(x1, x3)
		y3.Mul(y3, l).Sub(y3, y1).Mod(y3, p)
		return x3, y3
	}
	for seed := int64(2); seed < 1000; seed++ {
		rx := big.NewInt(seed)
		rhs := new(big.Int).Exp(rx, big.NewInt(3), p)
		rhs.Add(rhs, new(big.Int).Mul(a, rx)).Add(rhs, b).Mod(rhs, p)
		ry := new(big.Int).ModSqrt(rhs, p)
		if ry == nil {
			continue
		}
		var sx, sy *big.Int
		for i := q.BitLen() - 1; i >= 0; i-- {
			sx, sy = add(sx, sy, sx, sy)
			if q.Bit(i) == 1 {
				sx, sy = add(sx, sy, rx, ry)
			}
		}
		if sx != nil {
			return sx, sy
		}
	}
	tb.Fatal("no point outside the subgroup")
	return nil, nil
}

// The bad input of issue 14 that reaches the CSR policy: each refused,
// with its sentinel and both messages, nothing signed.
func TestGOSTRequestBadInput(t *testing.T) {
	f := newFixture(t, gostProfiles("gost2012-256, gost2012-512"))
	key := gostKey(t, gost3410.Curve256A())
	good := gostCSR(t, key)
	pub := key.PublicKey().Bytes()

	t.Run("point off the curve", func(t *testing.T) {
		bad := bytes.Clone(pub)
		bad[0] ^= 1 // x, little-endian: the point leaves the curve
		refusedWith(t, checkGOST(f, t, replaceOnce(t, good, pub, bad)), ca.ErrWeakKey)
	})
	t.Run("point of small order", func(t *testing.T) {
		x, y := smallOrderPoint(t, gost3410.Curve256A())
		enc := make([]byte, 64)
		x.FillBytes(enc[:32])
		y.FillBytes(enc[32:])
		slicesReverse(enc[:32])
		slicesReverse(enc[32:])
		_, err := gost3410.ParsePublicKey(gost3410.Curve256A(), enc)
		require.ErrorIs(t, err, gost3410.ErrNotInSubgroup, "the test point itself")
		refusedWith(t, checkGOST(f, t, replaceOnce(t, good, pub, enc)), ca.ErrWeakKey)
	})
	t.Run("signature does not verify", func(t *testing.T) {
		bad := bytes.Clone(good)
		bad[len(bad)-3] ^= 0x01
		refusedWith(t, checkGOST(f, t, bad), ca.ErrBadSignature)
	})
	t.Run("s out of range", func(t *testing.T) {
		// The signature is s‖r big-endian: s = all ones is above q.
		bad := bytes.Clone(good)
		for i := len(bad) - 64; i < len(bad)-32; i++ {
			bad[i] = 0xff
		}
		refusedWith(t, checkGOST(f, t, bad), ca.ErrBadSignature)
	})
	t.Run("signature algorithm of the other size", func(t *testing.T) {
		with256, _ := asn1.Marshal(gost3410.OIDSignatureWith256)
		with512, _ := asn1.Marshal(gost3410.OIDSignatureWith512)
		refusedWith(t, checkGOST(f, t, replaceOnce(t, good, with256, with512)), ca.ErrUnsupportedAlgorithm)
	})
	t.Run("exchange parameter set", func(t *testing.T) {
		// CryptoPro XchA is a key-agreement set: not in the table.
		refusedWith(t, checkGOST(f, t, gostCSR(t, gostKey(t, gost3410.CryptoProXchA()))), ca.ErrUnsupportedAlgorithm)
	})
	t.Run("unknown parameter set", func(t *testing.T) {
		setA, _ := asn1.Marshal(gost3410.Curve256A().OID())
		unknown, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 9})
		require.Equal(t, len(setA), len(unknown))
		refusedWith(t, checkGOST(f, t, replaceOnce(t, good, setA, unknown)), ca.ErrUnsupportedAlgorithm)
	})
	t.Run("truncated", func(t *testing.T) {
		refusedWith(t, checkGOST(f, t, good[:len(good)-1]), ca.ErrBadCSR)
	})
	t.Run("garbage key bytes", func(t *testing.T) {
		refusedWith(t, checkGOST(f, t, gostLikeCSR(t)), ca.ErrBadCSR)
	})
	// The good one, after all that, passes: the cases failed for their
	// own reason.
	require.NoError(t, checkGOST(f, t, good))
	require.Contains(t, string(spkiOf(t, good)), string(pub))
}

func slicesReverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// The reuse check sees a GOST key, not its spelling: the current
// certificate's key written with the TC26 256 B identifier, the CSR's
// with the CryptoPro A one (the same curve, the same point), is reuse.
func TestGOSTRequestKeyReuse(t *testing.T) {
	f := newFixture(t, gostProfiles("gost2012-256"))
	key := gostKey(t, gost3410.CryptoProA())
	x, y := key.PublicKey().Coordinates()
	asB, err := gost3410.NewPublicKey(gost3410.Curve256B(), x, y)
	require.NoError(t, err)

	cur := f.sub(t, "ru-owner")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x14003),
		RawSubject:   cur.Cert.RawSubject,
		NotBefore:    cur.Cert.NotBefore,
		NotAfter:     cur.Cert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509sig.CreateCertificate(rand.Reader, tmpl, f.res.Issuing, asB, f.res.IssuingKey)
	require.NoError(t, err)
	current, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	csrDER := gostCSR(t, key)
	require.NotEqual(t, current.RawSubjectPublicKeyInfo, spkiOf(t, csrDER), "two spellings")
	err = f.auth.CheckRequest(context.Background(), cur.Profile, current, csrDER)
	refusedWith(t, err, ca.ErrKeyReused)

	// Another key passes with the same current certificate.
	require.NoError(t, f.auth.CheckRequest(context.Background(), cur.Profile, current, gostCSR(t, gostKey(t, gost3410.CryptoProA()))))
}
