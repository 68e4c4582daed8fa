package keyfile

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
)

// pki is a GOST CA and leaves made by OpenSSL with the engine.
type pki struct {
	o  *gostssl.Runner
	ca *x509.Certificate
}

func pemCert(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk, "no PEM in %q", b)
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

func pemKey(t *testing.T, b []byte) *gost3410.PrivateKey {
	t.Helper()
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	k, err := gost3410.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	return k
}

// algOf maps a curve to OpenSSL's algorithm name and -md option.
func algOf(c *gost3410.Curve) (alg, md string) {
	if c.Size() == 64 {
		return "gost2012_512", "-md_gost12_512"
	}
	return "gost2012_256", "-md_gost12_256"
}

func newPKI(t *testing.T) *pki {
	o := gostssl.New(t)
	o.MustRun(nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "ca.key")
	o.MustRun(nil, "req", "-new", "-x509", "-key", "ca.key", "-subj", "/CN=Test GOST CA", "-md_gost12_256", "-days", "10",
		"-addext", "basicConstraints=critical,CA:TRUE", "-out", "ca.pem")
	return &pki{o: o, ca: pemCert(t, o.Read("ca.pem"))}
}

// leaf signs a certificate for key (written to name.key) with the CA.
func (p *pki) leaf(t *testing.T, name string, key *gost3410.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	p.o.Write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	_, md := algOf(key.PublicKey().Curve())
	p.o.MustRun(nil, "req", "-new", "-key", name+".key", "-subj", "/CN="+name, md, "-out", name+".csr")
	p.o.MustRun(nil, "x509", "-req", "-in", name+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", fmt.Sprint(len(name)+100),
		"-days", "10", "-md_gost12_256", "-out", name+".pem")
	return pemCert(t, p.o.Read(name+".pem"))
}

func genKey(t *testing.T, c *gost3410.Curve) *gost3410.PrivateKey {
	t.Helper()
	k, err := gost3410.GenerateKey(c, rand.Reader)
	require.NoError(t, err)
	return k
}

// Our PKCS#12 files, several entries each, opened by OpenSSL with the
// engine: every key and certificate comes out as we put it in.
func TestOpenSSLReadsOurPKCS12(t *testing.T) {
	p := newPKI(t)
	k256, k512 := genKey(t, gost3410.CryptoProA()), genKey(t, gost3410.Curve512A())
	c256, c512 := p.leaf(t, "owner256", k256), p.leaf(t, "owner512", k512)
	entries := []Entry{
		{Key: k256, Cert: c256, Chain: []*x509.Certificate{p.ca}, FriendlyName: "Ivanov 256"},
		{Key: k512, Cert: c512, Chain: []*x509.Certificate{p.ca}},
	}
	for _, tc := range []struct {
		name    string
		profile Profile
		info    []string
	}{
		{"ok/aes", ProfileAES, []string{"PBES2, PBKDF2, AES-256-CBC, Iteration 2000, PRF hmacWithSHA256", "MAC: sha256, Iteration 2000"}},
		{"ok/gost", ProfileGOST, []string{"PBES2, PBKDF2, gost89, Iteration 2000, PRF id-tc26-hmac-gost-3411-2012-512", "MAC: GOST R 34.11-2012 with 512 bit hash, Iteration 2000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := EncodePKCS12(entries, "пароль-1", &Options{Profile: tc.profile, Iterations: 2000})
			require.NoError(t, err)
			p.o.Write("our.p12", f)
			info := string(p.o.MustRun(nil, "pkcs12", "-in", "our.p12", "-passin", "pass:пароль-1", "-info", "-noout"))
			for _, want := range tc.info {
				assert.Contains(t, info, want)
			}
			out := p.o.MustRun(nil, "pkcs12", "-in", "our.p12", "-passin", "pass:пароль-1", "-nodes")
			var keys []*gost3410.PrivateKey
			var certs [][]byte
			for rest := out; ; {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				switch b.Type {
				case "PRIVATE KEY":
					k, err := gost3410.ParsePKCS8PrivateKey(b.Bytes)
					require.NoError(t, err)
					keys = append(keys, k)
				case "CERTIFICATE":
					certs = append(certs, b.Bytes)
				}
			}
			require.Len(t, keys, 2)
			assert.True(t, keys[0].Equal(k256) || keys[1].Equal(k256))
			assert.True(t, keys[0].Equal(k512) || keys[1].Equal(k512))
			assert.ElementsMatch(t, [][]byte{c256.Raw, c512.Raw, p.ca.Raw}, certs, "each certificate once")
			assert.Contains(t, string(out), "friendlyName: Ivanov 256")

			_, err = p.o.Run(nil, "pkcs12", "-in", "our.p12", "-passin", "pass:wrong", "-nodes")
			assert.Error(t, err, "OpenSSL must refuse a wrong password")
		})
	}
}

// PKCS#12 files written by OpenSSL with the engine: by default (AES) and as
// told to (gost89 with Streebog), with a chain long enough that the GOST
// certificate safe passes CryptoPro key meshing (over 1024 bytes).
func TestReadOpenSSLPKCS12(t *testing.T) {
	p := newPKI(t)
	k256, k512 := genKey(t, gost3410.Curve256B()), genKey(t, gost3410.Curve512C())
	c256, c512 := p.leaf(t, "a256", k256), p.leaf(t, "b512", k512)
	// A second leaf only to make the certificate safe longer.
	p.leaf(t, "extra", genKey(t, gost3410.Curve256A()))
	p.o.Write("chain.pem", append(append(p.o.Read("ca.pem"), p.o.Read("extra.pem")...), p.o.Read("b512.pem")...))

	for _, tc := range []struct {
		name string
		args []string
		info string
	}{
		{"ok/default", nil, "AES-256-CBC"},
		{"ok/gost89-streebog512", []string{"-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_512"}, "gost89"},
		{"ok/gost89-streebog256", []string{"-keypbe", "gost89", "-certpbe", "gost89", "-macalg", "md_gost12_256"}, "gost89"},
		{"ok/aes128-sha512", []string{"-keypbe", "aes-128-cbc", "-certpbe", "aes-128-cbc", "-macalg", "sha512"}, "AES-128-CBC"},
		{"ok/legacy-3des-sha1", []string{"-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"}, "pbeWithSHA1And3-KeyTripleDES-CBC"},
		// OpenSSL 1.x's defaults, what old Windows and CryptoPro exports carry.
		{"ok/legacy-rc2-40", []string{"-legacy", "-certpbe", "PBE-SHA1-RC2-40", "-keypbe", "PBE-SHA1-3DES"}, "pbeWithSHA1And40BitRC2-CBC"},
		{"ok/legacy-rc2-128", []string{"-legacy", "-certpbe", "PBE-SHA1-RC2-128", "-keypbe", "PBE-SHA1-3DES"}, "pbeWithSHA1And128BitRC2-CBC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"pkcs12", "-export", "-inkey", "a256.key", "-in", "a256.pem", "-certfile", "chain.pem",
				"-name", "a256", "-passout", "pass:secret", "-out", "theirs.p12"}, tc.args...)
			p.o.MustRun(nil, args...)
			info := []string{"pkcs12", "-in", "theirs.p12", "-passin", "pass:secret", "-info", "-noout"}
			if slices.Contains(tc.args, "-legacy") {
				info = append(info, "-legacy") // RC2 is in OpenSSL 3's legacy provider only
			}
			assert.Contains(t, string(p.o.MustRun(nil, info...)), tc.info)
			f := p.o.Read("theirs.p12")
			safes := certSafeLen(t, f)
			require.Greater(t, safes, 1024, "the certificate safe must be long enough to mesh the key")

			es, err := DecodePKCS12(f, "secret")
			require.NoError(t, err)
			require.Len(t, es, 1)
			assert.True(t, k256.Equal(es[0].Key))
			require.NotNil(t, es[0].Cert)
			assert.Equal(t, c256.Raw, es[0].Cert.Raw)
			assert.Equal(t, "a256", es[0].FriendlyName)
			require.Len(t, es[0].Chain, 3)
			assert.Equal(t, p.ca.Raw, es[0].Chain[0].Raw, "the issuer first")
			assert.Contains(t, [][]byte{es[0].Chain[1].Raw, es[0].Chain[2].Raw}, c512.Raw)

			_, err = DecodePKCS12(f, "Secret")
			assert.ErrorIs(t, err, ErrPassword)
		})
	}
	// And OpenSSL's own key of 512 bits (its PKCS#8, not ours).
	p.o.MustRun(nil, "genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:B", "-out", "own.key")
	p.o.MustRun(nil, "req", "-new", "-x509", "-key", "own.key", "-subj", "/CN=own", "-md_gost12_512", "-days", "1", "-out", "own.pem")
	p.o.MustRun(nil, "pkcs12", "-export", "-inkey", "own.key", "-in", "own.pem", "-passout", "pass:x", "-out", "own.p12")
	es, err := DecodePKCS12(p.o.Read("own.p12"), "x")
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.True(t, pemKey(t, p.o.Read("own.key")).Equal(es[0].Key))
}

// certSafeLen is the length of the first (encrypted) safe's ciphertext.
func certSafeLen(t *testing.T, f []byte) int {
	var pf pfx
	require.NoError(t, unmarshal(f, &pf, "pfx"))
	var auth []byte
	require.NoError(t, unmarshal(explicit0Inner(pf.AuthSafe.Content), &auth, "auth"))
	var safes []contentInfo
	require.NoError(t, unmarshal(auth, &safes, "safes"))
	var ed encryptedData
	require.NoError(t, unmarshal(explicit0Inner(safes[0].Content), &ed, "ed"))
	return len(ed.Content.Encrypted)
}

// Several entries of mixed key types survive a round trip in Go, each with
// its own certificate, in order.
func TestPKCS12RoundTrip(t *testing.T) {
	p := newPKI(t)
	var entries []Entry
	for i, c := range []*gost3410.Curve{gost3410.Curve256A(), gost3410.CryptoProC(), gost3410.Curve512B()} {
		k := genKey(t, c)
		entries = append(entries, Entry{Key: k, Cert: p.leaf(t, fmt.Sprintf("k%d", i), k), Chain: []*x509.Certificate{p.ca},
			FriendlyName: fmt.Sprintf("Иванов И. И. №%d (%s)", i, c.Name())})
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	entries = append(entries, Entry{Key: ec}) // a key without a certificate
	for _, pr := range []Profile{ProfileAES, ProfileGOST} {
		f, err := EncodePKCS12(entries, "pw", &Options{Profile: pr, Iterations: 10})
		require.NoError(t, err)
		got, err := DecodePKCS12(f, "pw")
		require.NoError(t, err)
		require.Len(t, got, len(entries))
		for i, e := range entries {
			assert.True(t, e.Key.(interface{ Equal(crypto.PrivateKey) bool }).Equal(got[i].Key), "entry %d", i)
			if e.Cert == nil {
				assert.Nil(t, got[i].Cert)
				continue
			}
			assert.Equal(t, e.Cert.Raw, got[i].Cert.Raw)
			assert.Equal(t, e.FriendlyName, got[i].FriendlyName)
			require.NotEmpty(t, got[i].Chain)
			assert.Equal(t, p.ca.Raw, got[i].Chain[0].Raw)
		}
	}

	_, err = EncodePKCS12([]Entry{{Key: entries[0].Key, Cert: entries[1].Cert}}, "pw", &Options{Iterations: 10})
	assert.Error(t, err, "a certificate of another key is refused")
}

// Wrong password, a changed MAC, changed ciphertext, truncation, absurd
// iteration counts: each refused with its error, never a panic.
func TestPKCS12BadInput(t *testing.T) {
	p := newPKI(t)
	k := genKey(t, gost3410.Curve256A())
	good, err := EncodePKCS12([]Entry{{Key: k, Cert: p.leaf(t, "x", k)}}, "pw", &Options{Iterations: 10})
	require.NoError(t, err)
	_, err = DecodePKCS12(good, "pw")
	require.NoError(t, err)

	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	var pf pfx
	require.NoError(t, unmarshal(good, &pf, "pfx"))
	macAt := bytes.Index(good, pf.MacData.Mac.Digest)
	require.Positive(t, macAt)

	hugeIter := func() []byte {
		q := pf
		q.MacData.Iterations = MaxIterations + 1
		b, err := asn1.Marshal(q)
		require.NoError(t, err)
		return b
	}()
	noMac := func() []byte {
		q := pf
		q.MacData = macData{}
		b, err := asn1.Marshal(q)
		require.NoError(t, err)
		return b
	}()
	for _, tc := range []struct {
		name string
		data []byte
		pw   string
		want error
	}{
		{"fail/wrong-password", good, "pW", ErrPassword},
		{"fail/empty-password", good, "", ErrPassword},
		{"fail/mac-changed", flip(macAt + 3), "pw", ErrPassword},
		{"fail/content-changed", flip(len(good) / 2), "pw", ErrPassword},
		{"fail/truncated", good[:len(good)-10], "pw", ErrMalformed},
		{"fail/truncated-half", good[:len(good)/2], "pw", ErrMalformed},
		{"fail/trailing", append(bytes.Clone(good), 0), "pw", ErrMalformed},
		{"fail/empty", nil, "pw", ErrMalformed},
		{"fail/garbage", []byte("not a pkcs12 file at all"), "pw", ErrMalformed},
		{"fail/iterations", hugeIter, "pw", ErrIterations},
		{"fail/no-mac", noMac, "pw", ErrUnsupported},
		{"fail/iterations-streebog", gostIter(t, k, MaxIterationsStreebog+1), "pw", ErrIterations},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePKCS12(tc.data, tc.pw)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// Encrypted PKCS#8 both ways with `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
func TestPKCS8WithOpenSSL(t *testing.T) {
	o := gostssl.New(t)
	for _, c := range []*gost3410.Curve{gost3410.Curve256A(), gost3410.CryptoProB(), gost3410.Curve512A(), gost3410.Curve512C()} {
		t.Run("ok/"+c.Name(), func(t *testing.T) {
			k := genKey(t, c)
			// Ours, read by OpenSSL.
			der, err := EncryptPKCS8(k, "pass 8", &Options{Iterations: 1000})
			require.NoError(t, err)
			o.Write("ours.der", der)
			out := o.MustRun(nil, "pkcs8", "-inform", "DER", "-in", "ours.der", "-passin", "pass:pass 8")
			assert.True(t, k.Equal(pemKey(t, out)))
			_, err = o.Run(nil, "pkcs8", "-inform", "DER", "-in", "ours.der", "-passin", "pass:pass 9")
			assert.Error(t, err)
			// And in the GOST form, which only the engine reads.
			der, err = EncryptPKCS8(k, "pass 8", &Options{Profile: ProfileGOST, Iterations: 1000})
			require.NoError(t, err)
			o.Write("ours-gost.der", der)
			out = o.MustRun(nil, "pkcs8", "-inform", "DER", "-in", "ours-gost.der", "-passin", "pass:pass 8")
			assert.True(t, k.Equal(pemKey(t, out)))

			// OpenSSL's, read by us.
			plain, err := gost3410.MarshalPKCS8PrivateKey(k)
			require.NoError(t, err)
			o.Write("plain.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: plain}))
			o.MustRun(nil, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.pem", "-passout", "pass:pass 8", "-out", "theirs.pem")
			got, err := DecryptPKCS8(o.Read("theirs.pem"), "pass 8")
			require.NoError(t, err)
			assert.True(t, k.Equal(got))
			_, err = DecryptPKCS8(o.Read("theirs.pem"), "pass 9")
			assert.ErrorIs(t, err, ErrPassword)
		})
	}
	// OpenSSL's own 512-bit key in the GOST form of PBES2.
	o.MustRun(nil, "genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:C", "-out", "own.pem")
	o.MustRun(nil, "pkcs8", "-topk8", "-v2", "gost89", "-v2prf", "id-tc26-hmac-gost-3411-2012-512", "-in", "own.pem", "-passout", "pass:g", "-out", "own.enc")
	got, err := DecryptPKCS8(o.Read("own.enc"), "g")
	require.NoError(t, err)
	assert.True(t, pemKey(t, o.Read("own.pem")).Equal(got))
}

func TestPKCS8BadInput(t *testing.T) {
	k := genKey(t, gost3410.Curve256A())
	good, err := EncryptPKCS8(k, "pw", &Options{Iterations: 10})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"fail/truncated", good[:len(good)-1], ErrMalformed},
		{"fail/ciphertext-length", shortCiphertext(t, good), ErrMalformed},
		{"fail/pem-type", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: good}), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecryptPKCS8(tc.data, "pw")
			assert.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
	_, err = DecryptPKCS8(good, "wrong")
	assert.ErrorIs(t, err, ErrPassword)
}

// shortCiphertext is good with 15 bytes of ciphertext: not whole AES blocks.
func shortCiphertext(t *testing.T, good []byte) []byte {
	var e encryptedPrivateKeyInfo
	require.NoError(t, unmarshal(good, &e, "epki"))
	e.Encrypted = e.Encrypted[:15]
	b, err := asn1.Marshal(e)
	require.NoError(t, err)
	return b
}

// gostIter is a ProfileGOST file whose MAC asks for n iterations.
func gostIter(t *testing.T, k *gost3410.PrivateKey, n int) []byte {
	f, err := EncodePKCS12([]Entry{{Key: k}}, "pw", &Options{Profile: ProfileGOST, Iterations: 10})
	require.NoError(t, err)
	var pf pfx
	require.NoError(t, unmarshal(f, &pf, "pfx"))
	pf.MacData.Iterations = n
	b, err := asn1.Marshal(pf)
	require.NoError(t, err)
	return b
}

func TestOptionsRefused(t *testing.T) {
	k := genKey(t, gost3410.Curve256A())
	for _, o := range []Options{{Iterations: -1}, {Iterations: MaxIterations + 1}, {Profile: ProfileGOST, Iterations: MaxIterationsStreebog + 1}} {
		_, err := EncodePKCS12([]Entry{{Key: k}}, "pw", &o)
		assert.ErrorIs(t, err, ErrIterations, "%+v", o)
	}
	_, err := EncodePKCS12([]Entry{{Key: k}}, "pw", &Options{Profile: Profile(9)})
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = EncodePKCS12(nil, "pw", nil)
	assert.ErrorIs(t, err, ErrNoKey)
}
