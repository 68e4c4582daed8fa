package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
)

// gostPKI is a GOST CA made by OpenSSL with the engine.
type gostPKI struct {
	o  *gostssl.Runner
	ca *x509.Certificate
}

func gostCert(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

func newGostPKI(t *testing.T) *gostPKI {
	o := gostssl.New(t)
	o.MustRun(nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "ca.key")
	o.MustRun(nil, "req", "-new", "-x509", "-key", "ca.key", "-subj", "/CN=GOST CA", "-md_gost12_256", "-days", "10",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", "-out", "ca.pem")
	return &gostPKI{o: o, ca: gostCert(t, o.Read("ca.pem"))}
}

func mdOf(c *gost3410.Curve) string {
	if c.Size() == 64 {
		return "md_gost12_512"
	}
	return "md_gost12_256"
}

// leaf certifies key (ours, written as PKCS#8 for OpenSSL) with the CA.
func (p *gostPKI) leaf(t *testing.T, name string, key *gost3410.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := gost3410.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	p.o.Write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	p.o.MustRun(nil, "req", "-new", "-key", name+".key", "-subj", "/CN="+name, "-"+mdOf(key.PublicKey().Curve()), "-out", name+".csr")
	p.o.Write(name+".ext", []byte("keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n"))
	p.o.MustRun(nil, "x509", "-req", "-in", name+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", fmt.Sprint(1000+len(name)),
		"-days", "10", "-md_gost12_256", "-extfile", name+".ext", "-out", name+".pem")
	return gostCert(t, p.o.Read(name+".pem"))
}

var gostCurves = []*gost3410.Curve{gost3410.Curve256A(), gost3410.CryptoProB(), gost3410.Curve512A(), gost3410.Curve512C()}

// Our GOST CMS, attached and detached, for 256- and 512-bit keys, verified
// by `openssl cms -verify` with the engine, and by our Verify.
func TestGOSTSignVerifiedByOpenSSL(t *testing.T) {
	p := newGostPKI(t)
	content := []byte("Заявление на выпуск сертификата\r\n\x00\xff binary too")
	p.o.Write("content.bin", content)
	for i, c := range gostCurves {
		key, err := gost3410.GenerateKey(c, rand.Reader)
		require.NoError(t, err)
		leaf := p.leaf(t, fmt.Sprintf("signer%d", i), key)
		for _, detached := range []bool{true, false} {
			name := fmt.Sprintf("ok/%s/detached=%v", c.Name(), detached)
			t.Run(name, func(t *testing.T) {
				sign := cms.SignAttached
				if detached {
					sign = cms.SignDetached
				}
				der, err := sign(content, leaf, []*x509.Certificate{p.ca}, now, cms.MessageSignerFunc(key))
				require.NoError(t, err)
				p.o.Write("ours.p7s", der)
				args := []string{"cms", "-verify", "-inform", "DER", "-in", "ours.p7s", "-CAfile", "ca.pem", "-binary", "-out", "got.bin",
					"-attime", fmt.Sprint(time.Now().Unix())}
				if detached {
					args = append(args, "-content", "content.bin")
				}
				out := p.o.MustRun(nil, args...)
				assert.Contains(t, string(out), "Verification successful")
				assert.Equal(t, content, p.o.Read("got.bin"))
				// The digest OpenSSL sees is Streebog of the key's size.
				info := string(p.o.MustRun(nil, "cms", "-cmsout", "-print", "-inform", "DER", "-in", "ours.p7s"))
				assert.Contains(t, info, fmt.Sprintf("GOST R 34.11-2012 with %d bit hash", 8*c.Size()))

				var det []byte
				if detached {
					det = content
				}
				v, err := cms.Verify(der, det)
				require.NoError(t, err)
				assert.Equal(t, leaf.Raw, v.Signer.Raw)
				assert.Equal(t, content, v.Content)
				assert.True(t, now.Equal(v.SigningTime))

				// And OpenSSL refuses it over other content: the check can fail.
				if detached {
					p.o.Write("other.bin", append(bytes.Clone(content), '!'))
					_, err := p.o.Run(nil, "cms", "-verify", "-inform", "DER", "-in", "ours.p7s", "-CAfile", "ca.pem", "-binary",
						"-content", "other.bin", "-out", "got.bin")
					assert.Error(t, err)
				}
			})
		}
	}
}

// CMS made by `openssl cms -sign -md md_gost12_256/512` with the engine,
// attached and detached, verified by us.
func TestGOSTVerifyOpenSSL(t *testing.T) {
	p := newGostPKI(t)
	content := []byte("signed by OpenSSL\n")
	p.o.Write("m.bin", content)
	for _, tc := range []struct{ alg, paramset, md string }{
		{"gost2012_256", "A", "md_gost12_256"},
		{"gost2012_256", "B", "md_gost12_256"},
		{"gost2012_512", "A", "md_gost12_512"},
		{"gost2012_512", "C", "md_gost12_512"},
	} {
		// OpenSSL's own key and certificate: nothing of ours made them.
		base := tc.alg + tc.paramset
		p.o.MustRun(nil, "genpkey", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.paramset, "-out", base+".key")
		p.o.MustRun(nil, "req", "-new", "-key", base+".key", "-subj", "/CN="+base, "-"+tc.md, "-out", base+".csr")
		p.o.MustRun(nil, "x509", "-req", "-in", base+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "77",
			"-days", "10", "-md_gost12_256", "-out", base+".pem")
		leaf := gostCert(t, p.o.Read(base+".pem"))
		for _, detached := range []bool{true, false} {
			t.Run(fmt.Sprintf("ok/%s/detached=%v", base, detached), func(t *testing.T) {
				args := []string{"cms", "-sign", "-binary", "-in", "m.bin", "-signer", base + ".pem", "-inkey", base + ".key",
					"-md", tc.md, "-outform", "DER", "-out", "theirs.p7s", "-certfile", "ca.pem"}
				if !detached {
					args = append(args, "-nodetach")
				}
				p.o.MustRun(nil, args...)
				der := p.o.Read("theirs.p7s")
				var det []byte
				if detached {
					det = content
				}
				v, err := cms.Verify(der, det)
				require.NoError(t, err)
				assert.Equal(t, leaf.Raw, v.Signer.Raw)
				assert.Equal(t, content, v.Content)
				assert.False(t, v.SigningTime.IsZero())
				assert.Len(t, v.Certificates, 2)

				if detached {
					_, err = cms.Verify(der, []byte("signed by OpenSSL!\n"))
					assert.ErrorIs(t, err, cms.ErrDigestMismatch)
				}
			})
		}
	}
}

// Bad input: each refused with its error, never a panic.
func TestGOSTVerifyRefusals(t *testing.T) {
	p := newGostPKI(t)
	key, err := gost3410.GenerateKey(gost3410.Curve256B(), rand.Reader)
	require.NoError(t, err)
	leaf := p.leaf(t, "s", key)
	content := []byte("document")
	good, err := cms.SignDetached(content, leaf, nil, now, cms.MessageSignerFunc(key))
	require.NoError(t, err)
	_, err = cms.Verify(good, content)
	require.NoError(t, err)
	attached, err := cms.SignAttached(content, leaf, nil, now, cms.MessageSignerFunc(key))
	require.NoError(t, err)

	// The digest OID of Streebog-256 (…1.2.2) announced as Streebog-512 (…1.2.3).
	s256 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02}
	require.Equal(t, 2, bytes.Count(good, s256), "digestAlgorithms and the SignerInfo")
	as512 := bytes.ReplaceAll(bytes.Clone(good), s256, append(bytes.Clone(s256[:9]), 0x03))
	// The signature value is the last 64 bytes.
	badSig := bytes.Clone(good)
	badSig[len(badSig)-1] ^= 1
	// r = s = q is out of range.
	q := func() []byte {
		b := bytes.Clone(good)
		_, _, _, qq, _, _, _ := key.PublicKey().Curve().Params()
		qq.FillBytes(b[len(b)-64 : len(b)-32])
		qq.FillBytes(b[len(b)-32:])
		return b
	}()

	other, err := gost3410.GenerateKey(gost3410.Curve256B(), rand.Reader)
	require.NoError(t, err)
	_, err = cms.SignDetached(content, leaf, nil, now, cms.MessageSignerFunc(other))
	assert.ErrorIs(t, err, cms.ErrKeyMismatch, "a key that is not the certificate's")

	for _, tc := range []struct {
		name     string
		der      []byte
		detached []byte
		want     error
	}{
		{"fail/content-changed", good, []byte("documenT"), cms.ErrDigestMismatch},
		{"fail/signature-changed", badSig, content, cms.ErrSignature},
		{"fail/signature-out-of-range", q, content, cms.ErrSignature},
		{"fail/streebog256-as-512", as512, content, cms.ErrAlgorithm},
		{"fail/detached-without-content", good, nil, cms.ErrContent},
		{"fail/attached-and-detached", attached, content, cms.ErrContent},
		{"fail/truncated", good[:len(good)-1], content, cms.ErrMalformed},
		{"fail/trailing", append(bytes.Clone(good), 0), content, cms.ErrMalformed},
		{"fail/empty", nil, content, cms.ErrMalformed},
		{"fail/garbage", []byte("-----BEGIN PKCS7-----"), content, cms.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cms.Verify(tc.der, tc.detached)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}
