package x509sig

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
)

// Our certificates, root and leaf, 256 and 512 and a 512 root over a 256
// leaf, verified by OpenSSL's GOST engine and by VerifyChain.
func TestCertificatesVerifiedByOpenSSL(t *testing.T) {
	ssl := gostssl.New(t)
	cases := []struct {
		name       string
		root, leaf *gost3410.Curve
	}{
		{"256", gost3410.Curve256A(), gost3410.Curve256B()},
		{"512", gost3410.Curve512A(), gost3410.Curve512B()},
		{"512 over 256", gost3410.Curve512C(), gost3410.CryptoProA()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rk, lk := gostKey(t, tc.root), gostKey(t, tc.leaf)
			root := issue(t, caTemplate("Root "+tc.name, 1), nil, rk.Public(), rk)
			leaf := issue(t, leafTemplate("Leaf "+tc.name), root, lk.Public(), rk)
			if !bytes.Equal(leaf.AuthorityKeyId, root.SubjectKeyId) || len(root.SubjectKeyId) != 20 {
				t.Fatalf("key identifiers: AKI %x, SKI %x", leaf.AuthorityKeyId, root.SubjectKeyId)
			}
			// RFC 9215: the signature algorithm without parameters.
			sg, err := parseSigned(leaf.Raw)
			if err != nil {
				t.Fatal(err)
			}
			wantAlg, _ := asn1.Marshal(struct{ OID asn1.ObjectIdentifier }{tc.root.SignatureAlgorithm()})
			if !bytes.Equal(sg.alg, wantAlg) {
				t.Fatalf("signature AlgorithmIdentifier %x, want %x", sg.alg, wantAlg)
			}
			ssl.Write("root.pem", pemOf("CERTIFICATE", root.Raw))
			ssl.Write("leaf.pem", pemOf("CERTIFICATE", leaf.Raw))
			// -attime: the certificates are valid at the tests' fixed time.
			at := "-attime=" + itoa(now.Unix())
			out := ssl.MustRun(nil, "verify", at, "-CAfile", "root.pem", "root.pem", "leaf.pem")
			if strings.Count(string(out), ": OK") != 2 {
				t.Fatalf("openssl verify:\n%s", out)
			}
			text := ssl.MustRun(nil, "x509", "-in", "leaf.pem", "-noout", "-text")
			want := "GOST R 34.10-2012 with GOST R 34.11-2012 (" + map[int]string{32: "256", 64: "512"}[tc.root.Size()] + " bit)"
			if !strings.Contains(string(text), want) {
				t.Fatalf("openssl names the signature algorithm otherwise than %q:\n%s", want, text)
			}
			chain, err := VerifyChain(leaf, ChainOptions{Roots: []*x509.Certificate{root}, At: now})
			if err != nil || len(chain) != 2 {
				t.Fatalf("VerifyChain: %v (%d)", err, len(chain))
			}
			// The check can fail: a leaf of the same issuer name and key
			// identifier signed by another key is refused by OpenSSL too.
			ok := gostKey(t, tc.root)
			fakeRoot := *root
			fakeRoot.Raw, fakeRoot.RawSubjectPublicKeyInfo = nil, nil
			forged := issue(t, leafTemplate("Forged "+tc.name), &fakeRoot, lk.Public(), ok)
			ssl.Write("forged.pem", pemOf("CERTIFICATE", forged.Raw))
			if out, err := ssl.Run(nil, "verify", at, "-CAfile", "root.pem", "forged.pem"); err == nil {
				t.Fatalf("openssl verified a forged leaf:\n%s", out)
			}
			if _, err := VerifyChain(forged, ChainOptions{Roots: []*x509.Certificate{root}, At: now}); err == nil {
				t.Fatal("VerifyChain verified a forged leaf")
			}
		})
	}
}

func itoa(n int64) string { return big.NewInt(n).String() }

// Our CSRs verified by `openssl req -verify`, and by ParseCertificateRequest.
func TestCSRVerifiedByOpenSSL(t *testing.T) {
	ssl := gostssl.New(t)
	for _, c := range []*gost3410.Curve{gost3410.Curve256A(), gost3410.CryptoProB(), gost3410.Curve512A(), gost3410.Curve512C()} {
		t.Run(c.Name(), func(t *testing.T) {
			k := gostKey(t, c)
			der, err := CreateCertificateRequest(nil, &x509.CertificateRequest{
				Subject:  pkix.Name{CommonName: "Иванов Иван", Country: []string{"RU"}},
				DNSNames: []string{"example.ru"},
			}, k)
			if err != nil {
				t.Fatal(err)
			}
			ssl.Write("req.pem", pemOf("CERTIFICATE REQUEST", der))
			out := ssl.MustRun(nil, "req", "-verify", "-in", "req.pem", "-noout")
			if !strings.Contains(string(out), "verify OK") {
				t.Fatalf("openssl req -verify:\n%s", out)
			}
			csr, pub, err := ParseCertificateRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			// What crypto/x509 makes of a GOST request: it parses, has no key
			// and cannot check the signature — hence the raw fields.
			if csr.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm || csr.PublicKey != nil || csr.CheckSignature() == nil {
				t.Fatalf("crypto/x509 on a GOST CSR: %v %T %v", csr.PublicKeyAlgorithm, csr.PublicKey, csr.CheckSignature())
			}
			if !k.PublicKey().Equal(pub) || csr.Subject.CommonName != "Иванов Иван" || len(csr.DNSNames) != 1 {
				t.Fatalf("parsed request: %v %v", csr.Subject, csr.DNSNames)
			}
		})
	}
}

// A GOST CA, a person's key and CSR and the person's certificate made by
// OpenSSL alone, verified by us.
func TestOpenSSLMadeChainVerifiedByUs(t *testing.T) {
	ssl := gostssl.New(t)
	for _, tc := range []struct{ alg, param, md string }{
		{"gost2012_256", "A", "-md_gost12_256"},
		{"gost2012_512", "A", "-md_gost12_512"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			ssl.Write("ext.cnf", []byte("[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n[leaf]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\n"))
			ssl.MustRun(nil, "genpkey", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.param, "-out", "ca.key")
			ssl.MustRun(nil, "req", "-new", "-x509", tc.md, "-key", "ca.key", "-subj", "/C=RU/CN=OpenSSL GOST CA",
				"-days", "30", "-extensions", "ca", "-config", "ext.cnf", "-out", "ca.pem")
			ssl.MustRun(nil, "genpkey", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.param, "-out", "leaf.key")
			ssl.MustRun(nil, "req", "-new", tc.md, "-key", "leaf.key", "-subj", "/C=RU/CN=Person", "-out", "leaf.csr")
			ssl.MustRun(nil, "x509", "-req", tc.md, "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
				"-set_serial", "7", "-days", "10", "-extfile", "ext.cnf", "-extensions", "leaf", "-out", "leaf.pem")

			if _, _, err := ParseCertificateRequest(mustPEM(t, ssl.Read("leaf.csr"))); err != nil {
				t.Fatalf("OpenSSL's CSR: %v", err)
			}
			ca, err := x509.ParseCertificate(mustPEM(t, ssl.Read("ca.pem")))
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := x509.ParseCertificate(mustPEM(t, ssl.Read("leaf.pem")))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyChain(leaf, ChainOptions{Roots: []*x509.Certificate{ca}, At: time.Now()}); err != nil {
				t.Fatalf("VerifyChain: %v", err)
			}
			// The CA's self-signature as well.
			if err := CheckSignatureFrom(ca, ca); err != nil {
				t.Fatalf("the CA's self-signature: %v", err)
			}

			// A CRL made by `openssl ca -gencrl` with the leaf revoked.
			ssl.Write("ca.cnf", []byte("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = "+
				strings.TrimPrefix(tc.md, "-")+"\ndefault_crl_days = 1\n"))
			ssl.Write("index.txt", nil)
			ssl.Write("crlnumber", []byte("01\n"))
			ssl.MustRun(nil, "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-revoke", "leaf.pem")
			ssl.MustRun(nil, "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-gencrl", "-out", "crl.pem")
			crl, err := ParseRevocationList(mustPEM(t, ssl.Read("crl.pem")), ca)
			if err != nil {
				t.Fatalf("OpenSSL's CRL: %v", err)
			}
			if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Int64() != 7 {
				t.Fatalf("OpenSSL's CRL entries: %v", crl.RevokedCertificateEntries)
			}

			// An OCSP response made by `openssl ocsp` as a responder, the CA
			// signing.
			ssl.MustRun(nil, "ocsp", "-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "req.der")
			ssl.MustRun(nil, "ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem",
				"-rmd", strings.TrimPrefix(tc.md, "-"), "-reqin", "req.der", "-respout", "resp.der")
			if _, err := VerifyOCSPResponse(ssl.Read("resp.der"), ca, time.Now()); err != nil {
				t.Fatalf("OpenSSL's OCSP response: %v", err)
			}
		})
	}
}

// Our CRL verified by `openssl crl -CAfile`, and by ParseRevocationList.
func TestCRLVerifiedByOpenSSL(t *testing.T) {
	ssl := gostssl.New(t)
	for _, c := range []*gost3410.Curve{gost3410.Curve256A(), gost3410.Curve512B()} {
		t.Run(c.Name(), func(t *testing.T) {
			k := gostKey(t, c)
			ca := issue(t, caTemplate("CRL CA", 0), nil, k.Public(), k)
			der, err := CreateRevocationList(nil, &x509.RevocationList{
				Number:     big.NewInt(3),
				ThisUpdate: now.Add(-time.Minute),
				NextUpdate: now.Add(24 * time.Hour),
				RevokedCertificateEntries: []x509.RevocationListEntry{
					{SerialNumber: big.NewInt(42), RevocationTime: now.Add(-time.Hour), ReasonCode: 1},
				},
			}, ca, k)
			if err != nil {
				t.Fatal(err)
			}
			ssl.Write("ca.pem", pemOf("CERTIFICATE", ca.Raw))
			ssl.Write("crl.pem", pemOf("X509 CRL", der))
			out := ssl.MustRun(nil, "crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout")
			if !strings.Contains(string(out), "verify OK") {
				t.Fatalf("openssl crl:\n%s", out)
			}
			crl, err := ParseRevocationList(der, ca)
			if err != nil {
				t.Fatal(err)
			}
			if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Int64() != 42 {
				t.Fatalf("entries: %v", crl.RevokedCertificateEntries)
			}
		})
	}
}
