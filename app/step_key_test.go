package app

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"strings"
	"testing"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
	"renewal/ca/x509sig"
)

// The profile's key_algorithm selects the GOST path; nothing else does.
func TestMakeKeyFollowsTheProfile(t *testing.T) {
	var pool browsercrypto.EntropyPool
	pool.Add([]byte("move"))
	for _, alg := range []string{"gost2012-256", "gost2012-512"} {
		r := &wire.Renewal{KeyAlgorithm: alg}
		s, err := makeKey(context.Background(), keyAlgorithm(r), wire.CarrierFile, &pool)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		g, ok := s.(*browsercrypto.GOSTKey)
		if !ok || string(g.Algorithm()) != alg {
			t.Fatalf("%s: made %T", alg, s)
		}
		csr, err := browsercrypto.CreateRequest(s, pkix.Name{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := x509sig.ParseCertificateRequest(csr); err != nil {
			t.Errorf("%s: the request does not verify: %v", alg, err)
		}
		// Never kept in the browser for good: this site's scripts could
		// read a GOST key back (it is not a non-extractable WebCrypto key).
		if _, err := makeKey(context.Background(), keyAlgorithm(r), wire.CarrierBrowser, &pool); !errors.Is(err, errGOSTFileOnly) {
			t.Errorf("%s in the browser: %v", alg, err)
		}
	}
	// ECDSA profiles (and none) still go to WebCrypto, which the server
	// twin does not have.
	for _, r := range []*wire.Renewal{{KeyAlgorithm: "ecdsa-p256"}, {}, nil} {
		if _, err := makeKey(context.Background(), keyAlgorithm(r), wire.CarrierFile, &pool); !errors.Is(err, browsercrypto.ErrBrowserOnly) {
			t.Errorf("%+v: %v, want the WebCrypto path", r, err)
		}
	}
}

// A GOST profile offers the file only and says, truthfully, that the
// movements enter the key; an ECDSA profile does not say so.
func TestKeyStepTellsTheGOSTPath(t *testing.T) {
	render := func(alg string) string {
		s := &stepKey{StepProps: StepProps{R: &wire.Renewal{KeyAlgorithm: alg}, Lang: "en", Keys: &Keys{}}}
		return goapp.HTMLString(s.Render())
	}
	gost := render("gost2012-256")
	if !strings.Contains(gost, "gost-key-explain") || strings.Contains(gost, "carrier-browser") || !strings.Contains(gost, "carrier-file") {
		t.Errorf("GOST key step: %s", gost)
	}
	ec := render("ecdsa-p256")
	if strings.Contains(ec, "gost-key-explain") || !strings.Contains(ec, "carrier-browser") {
		t.Errorf("ECDSA key step: %s", ec)
	}
}
