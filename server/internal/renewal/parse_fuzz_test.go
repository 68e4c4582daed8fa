package renewal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/app/wire"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
	"renewal/server/internal/apierr"
)

// The fuzz targets of this file need no database: TestMain starts none
// when only fuzzing (see fuzzingOnly).

// fuzzCert is a self-signed certificate whose subject carries the given
// attributes (as PrintableString, as the demo profiles write them).
func fuzzCert(tb testing.TB, attrs map[string]asn1.ObjectIdentifier, values map[string]string) *x509.Certificate {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	name := pkix.Name{CommonName: "Иванов Иван Иванович"}
	for k, oid := range attrs {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oid, Value: values[k]})
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: name,
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func fuzzCSR(tb testing.TB) []byte {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}, key)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// isAPIError: a refusal is an *apierr.Error with a public message in both
// languages and a 4xx kind, as the error handler renders it.
func isAPIError(t *testing.T, err error, want ...*apierr.Error) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("refusal %T %v is not an *apierr.Error", err, err)
	}
	if e.RU == "" || e.EN == "" || e.Kind.Status() < 400 || e.Kind.Status() >= 500 {
		t.Fatalf("refusal %+v: no public message or not a client error", e)
	}
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	if len(want) > 0 {
		t.Fatalf("refusal %v is none of %v", err, want)
	}
}

// FuzzParseRequest: ParseRequest never panics; a refusal is
// ErrBadRequestFile; an accepted request is DER that x509 parses and that
// ParseRequest accepts again unchanged (PEM or DER in, DER out).
func FuzzParseRequest(f *testing.F) {
	der := fuzzCSR(f)
	f.Add(der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der}))
	f.Add(append([]byte("-- a note --\r\n"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})...))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der[:len(der)-3]}))
	f.Add(der[:len(der)/2])
	f.Add(append(append([]byte(nil), der...), 0))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := ParseRequest(in)
		if err != nil {
			isAPIError(t, err, ErrBadRequestFile)
			return
		}
		if _, err := x509.ParseCertificateRequest(out); err != nil {
			t.Fatalf("accepted bytes are not a request: %v", err)
		}
		again, err := ParseRequest(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("accepted DER does not parse again as itself: %v", err)
		}
	})
}

// FuzzProofCertificates: proofCertificates never panics; a refusal is
// ErrBadCertificate; accepted certificates are exactly the bytes sent.
// The fuzzer's bytes are the certificate, and a chain of itself and the
// seed certificate.
func FuzzProofCertificates(f *testing.F) {
	cert := fuzzCert(f, nil, nil).Raw
	f.Add(cert, 0)
	f.Add(cert, 2)
	f.Add(cert[:len(cert)-1], 1)
	f.Add(append(append([]byte(nil), cert...), 0), 1)
	f.Add([]byte{0x30, 0x00}, 1)
	f.Add([]byte{}, 0)
	// GOST R 34.10-2012 certificates, 256 and 512, and one whose key is
	// off its curve (a bit of X flipped at the end of the SPKI).
	for _, c := range []*gost3410.Curve{gost3410.CryptoProA(), gost3410.Curve512A(), gost3410.Curve256A()} {
		g := gostCert(f, c).Raw
		f.Add(g, 0)
		f.Add(g, 1)
		bad := bytes.Clone(g)
		spki := gostCertSPKIEnd(f, g)
		bad[spki-1] ^= 1
		f.Add(bad, 0)
	}
	f.Fuzz(func(t *testing.T, der []byte, chainLen int) {
		in := wire.Proof{Certificate: der}
		switch chainLen % 3 {
		case 1:
			in.Chain = [][]byte{der}
		case 2, -2:
			in.Chain = [][]byte{cert, der}
			in.Certificate = cert
		case -1:
			in.Chain = [][]byte{nil}
		}
		c, chain, err := proofCertificates(in)
		if err != nil {
			isAPIError(t, err, ErrBadCertificate, ErrCertificateKey)
			return
		}
		if _, err := x509sig.PublicKeyOf(c); err != nil {
			t.Fatalf("accepted a certificate whose key does not parse: %v", err)
		}
		if !bytes.Equal(c.Raw, in.Certificate) || len(chain) != len(in.Chain) {
			t.Fatalf("accepted, but not as sent: %d chain certificates for %d", len(chain), len(in.Chain))
		}
		for i := range chain {
			if !bytes.Equal(chain[i].Raw, in.Chain[i]) {
				t.Fatalf("chain[%d] is not the bytes sent", i)
			}
		}
	})
}

// FuzzCheckPersonalData: checkPersonalData never panics; a refusal is an
// API error with a message in both languages; an accepted form's
// identifiers are the certificate's, and the passport fields canonical.
func FuzzCheckPersonalData(f *testing.F) {
	const (
		snils    = "11223344595"
		inn      = "500100732259"
		personal = "3120680A001PB7"
	)
	attrs := map[string]asn1.ObjectIdentifier{"snils": oidSNILS, "inn": oidINN, "personal": oidPersonalNumber}
	cert := fuzzCert(f, attrs, map[string]string{"snils": snils, "inn": inn, "personal": personal})
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f.Add(true, "4506", "123456", "2015-06-01", "112-233-445 95", "5001 0073 2259", "")
	f.Add(true, "45 06", "123456", "2015-06-01", snils, inn, "")
	f.Add(true, "4506", "123456", "2030-06-01", snils, inn, "")
	f.Add(true, "4506", "123456", "1900-01-01", snils, inn, "")
	f.Add(true, "4506", "123456", "01.06.2015", snils, inn, "")
	f.Add(true, "4506", "123456", "2015-06-01", "12345678964", inn, "")
	f.Add(true, "4506", "123456", "2015-06-01", snils, "7707083893", "")
	f.Add(true, "", "", "", "", "", "")
	f.Add(false, "", "", "", "", "", personal)
	f.Add(false, "", "", "", "", "", "3120680а001рв7")
	f.Add(false, "", "", "", "", "", "3120680A001PB8")
	f.Add(false, "", "", "", "", "", "\u00a0")
	f.Fuzz(func(t *testing.T, ru bool, series, number, issued, snilsIn, innIn, personalIn string) {
		jurisdiction := "BY"
		if ru {
			jurisdiction = "RU"
		}
		in := wire.PersonalData{PassportSeries: series, PassportNumber: number, PassportIssued: issued,
			SNILS: snilsIn, INN: innIn, PersonalNumber: personalIn}
		pd, err := checkPersonalData(jurisdiction, in, cert, now)
		if err != nil {
			isAPIError(t, err)
			return
		}
		if ru {
			if pd.SNILS != snils || pd.INN != inn || len(pd.Passport) != 10 {
				t.Fatalf("accepted %+v as %+v", in, pd)
			}
			d, perr := time.Parse("2006-01-02", pd.PassportIssued)
			if perr != nil || d.After(now) {
				t.Fatalf("accepted passport date %q as %q", issued, pd.PassportIssued)
			}
			return
		}
		if pd.PersonalNumber != personal {
			t.Fatalf("accepted %q as %q, the certificate has %q", personalIn, pd.PersonalNumber, personal)
		}
	})
}
