package x509sig_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

// A GOST root signs a GOST leaf; the chain is verified as crypto/x509
// cannot.
func Example() {
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	rootKey, _ := gost3410.GenerateKey(gost3410.Curve512A(), nil)
	leafKey, _ := gost3410.GenerateKey(gost3410.Curve256A(), nil)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Root"},
		NotBefore: at.Add(-time.Hour), NotAfter: at.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	rootDER, _ := x509sig.CreateCertificate(nil, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	root, _ := x509.ParseCertificate(rootDER)

	leafDER, _ := x509sig.CreateCertificate(nil, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Person"},
		NotBefore: at.Add(-time.Hour), NotAfter: at.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}, root, leafKey.Public(), rootKey)
	leaf, _ := x509.ParseCertificate(leafDER)

	chain, err := x509sig.VerifyChain(leaf, x509sig.ChainOptions{Roots: []*x509.Certificate{root}, At: at})
	fmt.Println(len(chain), err)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: poolOf(root), CurrentTime: at})
	fmt.Println("crypto/x509 verifies it:", err == nil)
	// Output:
	// 2 <nil>
	// crypto/x509 verifies it: false
}

func poolOf(c *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}
