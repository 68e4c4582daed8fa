//go:build !js

package browsercrypto

import (
	"context"
	"crypto/x509"
)

// The server (pre-rendering go-app pages) has no WebCrypto and no
// IndexedDB: these twins of the browser functions only return
// ErrBrowserOnly. See the js files for what they do in the browser.

// GenerateKey: only in the browser.
func GenerateKey(ctx context.Context, alg KeyAlgorithm, extractable bool) (Signer, error) {
	return nil, ErrBrowserOnly
}

// StoreKey: only in the browser.
func StoreKey(ctx context.Context, name string, s Signer, certDER []byte) error {
	return ErrBrowserOnly
}

// LoadKey: only in the browser.
func LoadKey(ctx context.Context, name string) (Signer, []byte, error) {
	return nil, nil, ErrBrowserOnly
}

// ListKeys: only in the browser.
func ListKeys(ctx context.Context) ([]StoredKey, error) {
	return nil, ErrBrowserOnly
}

// SetCertificate: only in the browser.
func SetCertificate(ctx context.Context, name string, certDER []byte) error {
	return ErrBrowserOnly
}

// DeleteKey: only in the browser.
func DeleteKey(ctx context.Context, name string) error {
	return ErrBrowserOnly
}

// PersistStorage: only in the browser.
func PersistStorage(ctx context.Context) (bool, error) {
	return false, ErrBrowserOnly
}

// OpenPKCS12: only in the browser (the file and its password never reach
// the server).
func OpenPKCS12(ctx context.Context, data []byte, password string) (Signer, *x509.Certificate, []*x509.Certificate, error) {
	return nil, nil, nil, ErrBrowserOnly
}

// ExportPKCS12: only in the browser.
func ExportPKCS12(ctx context.Context, s Signer, cert *x509.Certificate, chain []*x509.Certificate, password string) ([]byte, error) {
	return nil, ErrBrowserOnly
}

// OpenPKCS12Entries: only in the browser.
func OpenPKCS12Entries(ctx context.Context, data []byte, password string) ([]Opened, error) {
	return nil, ErrBrowserOnly
}

// KeepKey: only in the browser.
func KeepKey(ctx context.Context, name string, o Opened) error {
	return ErrBrowserOnly
}

// KeepForFile: only in the browser.
func KeepForFile(ctx context.Context, name string, s Signer) error {
	return ErrBrowserOnly
}

// LoadKept: only in the browser.
func LoadKept(ctx context.Context, name string) (Opened, error) {
	return Opened{}, ErrBrowserOnly
}
