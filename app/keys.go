package app

import (
	"crypto/x509"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
)

// Keys are the person's keys while the wizard runs. They live in this
// tab's memory only: a PKCS#12 file and its password never leave the
// browser, and a reload forgets the current key (the wizard asks for it
// again when a step needs it). New keys kept in this browser live in
// IndexedDB under keyName.
type Keys struct {
	Current      browsercrypto.Signer
	CurrentCert  *x509.Certificate
	CurrentChain []*x509.Certificate

	New        browsercrypto.Signer
	NewCarrier string // "browser" or "file"
}

// useCurrent keeps an opened key as the current one, then runs next.
func (k *Keys) useCurrent(next func(goapp.Context)) func(goapp.Context, browsercrypto.Signer, *x509.Certificate, []*x509.Certificate) {
	return func(ctx goapp.Context, s browsercrypto.Signer, c *x509.Certificate, chain []*x509.Certificate) {
		k.Current, k.CurrentCert, k.CurrentChain = s, c, chain
		next(ctx)
	}
}

// keyName is the IndexedDB name of an application's new key.
func keyName(appID string) string { return "renewal-" + appID }
