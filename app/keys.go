package app

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// Keys are the person's keys while the wizard runs. A PKCS#12 file and its
// password never leave the browser. So that a reload at any later step
// can still sign, the wizard keeps in this browser's IndexedDB, per
// application:
//
//   - the current key once its certificate is proven (currentName): the
//     non-extractable CryptoKey opened from the file, or a GOST key sealed
//     by WebCrypto (browsercrypto, idb_gost_js.go), with its certificate
//     and chain; the file is not asked for again;
//   - a new key kept in this browser (keyName), for good;
//   - a new key made for a file (fileKeyName), extractable or GOST (sealed
//     the same way), only until the .p12 is saved.
//
// The current key and the file key are deleted when the application ends
// (delivered, rejected, cancelled, expired) and the current key when the
// person proves another certificate: a GOST key's record can be opened by
// this site's script, so it must not outlive the application.
type Keys struct {
	Current      browsercrypto.Signer
	CurrentCert  *x509.Certificate
	CurrentChain []*x509.Certificate
	// keepErr says why the current key could not be kept in this browser
	// (a reload then asks for the file again).
	keepErr error

	New        browsercrypto.Signer
	NewCarrier string // "browser", "file" or "file-own"
	// newKeepErr says why the new file key could not be kept until the
	// file is saved.
	newKeepErr error
}

// useCurrent keeps an opened key as the current one, then runs next.
func (k *Keys) useCurrent(next func(goapp.Context)) func(goapp.Context, browsercrypto.Signer, *x509.Certificate, []*x509.Certificate) {
	return func(ctx goapp.Context, s browsercrypto.Signer, c *x509.Certificate, chain []*x509.Certificate) {
		k.Current, k.CurrentCert, k.CurrentChain = s, c, chain
		next(ctx)
	}
}

// keyName is the IndexedDB name of an application's new key kept in
// this browser.
func keyName(appID string) string { return "renewal-" + appID }

// currentName is the IndexedDB name of an application's current key.
func currentName(appID string) string { return "current-" + appID }

// fileKeyName is the IndexedDB name of a new key waiting for its file.
func fileKeyName(appID string) string { return "file-" + appID }

// ownKey reports whether a kept key is one the person keeps (a renewed
// signature), not one the wizard keeps for an application in progress.
func ownKey(name string) bool {
	return !strings.HasPrefix(name, "current-") && !strings.HasPrefix(name, "file-")
}

// keepCurrent keeps the proven current key for the application, replacing
// another certificate's. It blocks: call it in ctx.Async.
func (k *Keys) keepCurrent(ctx context.Context, appID string) {
	k.keepErr = browsercrypto.KeepKey(ctx, currentName(appID),
		browsercrypto.Opened{Signer: k.Current, Cert: k.CurrentCert, Chain: k.CurrentChain})
}

// ended are the states after which no key of the application is needed.
var ended = []wire.State{wire.StateDelivered, wire.StateRejected, wire.StateCancelled, wire.StateExpired}

// restore brings back the application's keys kept in this browser after
// a reload, or deletes them once it has ended. It blocks (IndexedDB): call
// it in ctx.Async before the step is shown.
func (k *Keys) restore(ctx context.Context, r *wire.Renewal) {
	if r == nil || r.ID == "" {
		return
	}
	if slices.Contains(ended, wire.State(r.State)) {
		forget(ctx, r.ID)
		return
	}
	if k.Current == nil && r.Proven {
		if o, err := browsercrypto.LoadKept(ctx, currentName(r.ID)); err == nil && o.Cert != nil {
			k.Current, k.CurrentCert, k.CurrentChain = o.Signer, o.Cert, o.Chain
		} else if !errors.Is(err, browsercrypto.ErrKeyNotFound) {
			k.keepErr = err
		}
	}
	if k.New == nil && r.Request {
		if o, err := browsercrypto.LoadKept(ctx, fileKeyName(r.ID)); err == nil {
			k.New, k.NewCarrier = o.Signer, wire.CarrierFile
		}
	}
}

// forget deletes the keys the wizard kept for an application (never the
// person's own renewed key).
func forget(ctx context.Context, appID string) {
	_ = browsercrypto.DeleteKey(ctx, currentName(appID)) // gone already is fine
	_ = browsercrypto.DeleteKey(ctx, fileKeyName(appID))
}

// settle deletes the kept keys as soon as an application ends.
func (k *Keys) settle(ctx goapp.Context, r *wire.Renewal) {
	if r == nil || !slices.Contains(ended, wire.State(r.State)) {
		return
	}
	id := r.ID
	ctx.Async(func() { forget(ctx, id) })
}

// reopenWhy says once, in words, why the current key must be opened again.
func (k *Keys) reopenWhy(lang string) string {
	if errors.Is(k.keepErr, browsercrypto.ErrKeptKeyDamaged) {
		return text{
			"Ключ действующего сертификата, сохранённый в этом браузере, не открывается: его запись изменена или повреждена, и он не используется. Откройте тот же файл ещё раз.",
			"The current certificate's key kept in this browser does not open: its record was changed or damaged, and it is not used. Open the same file again."}.in(lang)
	}
	if k.keepErr != nil {
		return text{
			"Этот браузер не смог сохранить ключ действующего сертификата (нет доступа к хранилищу сайта, например в приватном окне), поэтому после перезагрузки страницы ключ нужно открыть снова. Откройте тот же файл.",
			"This browser could not keep the current certificate's key (no access to the site's storage, as in a private window), so after a reload the key must be opened again. Open the same file."}.in(lang)
	}
	return text{
		"Ключ действующего сертификата не сохранён в этом браузере: страница открыта в другом браузере, или данные сайта были очищены. Для подписи откройте тот же файл ещё раз.",
		"The current certificate's key is not kept in this browser: the page was opened in another browser, or the site's data was cleared. To sign, open the same file again."}.in(lang)
}
