package revcheck

import (
	"bytes"
	"crypto/x509"
	"io"
	"math/big"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"renewal/ca/revcheck/revchecktest"
)

// FuzzAnswers: the OCSP responses and CRLs of other authorities are
// outside input. Whatever the bytes, verifying them never panics, and an
// answer accepted is one that speaks of this certificate, from its issuer.
func FuzzAnswers(f *testing.F) {
	now := time.Now()
	other := revchecktest.New(f, "Fuzz", func() time.Time { return now })
	cert, _ := other.Issue(f, &x509.Certificate{SerialNumber: big.NewInt(7), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	c := New(Config{})

	req, err := ocsp.CreateRequest(cert, other.Issuing, nil)
	if err != nil {
		f.Fatal(err)
	}
	fetch := func(method, u string, body []byte) []byte {
		r, err := http.NewRequest(method, u, bytes.NewReader(body))
		if err != nil {
			f.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/ocsp-request")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			f.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	f.Add(fetch("POST", other.OCSPURL, req))
	f.Add(fetch("GET", other.CRLURL, nil))
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})

	f.Fuzz(func(t *testing.T, der []byte) {
		if resp, err := c.verifyOCSP(der, cert, other.Issuing, now); err == nil {
			if resp.SerialNumber.Cmp(cert.SerialNumber) != 0 {
				t.Fatalf("accepted an answer for serial %v", resp.SerialNumber)
			}
		}
		if crl, err := c.verifyCRL(der, other.CRLURL, other.Issuing, now); err == nil {
			if err := crl.CheckSignatureFrom(other.Issuing); err != nil {
				t.Fatalf("accepted a CRL its issuer did not sign: %v", err)
			}
		}
	})
}
