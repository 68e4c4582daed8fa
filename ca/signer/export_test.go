//go:build cgo

package signer

// P11 is the PKCS#11 interface the GOST key uses, for the fake token.
type P11 = p11

// SetModuleLoader makes the GOST key load modules through f until the
// returned function restores the real loader.
func SetModuleLoader(f func(path string) (P11, error)) (restore func()) {
	old := loadModule
	loadModule = f
	return func() { loadModule = old }
}
