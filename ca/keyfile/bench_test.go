package keyfile

import (
	"crypto/rand"
	"testing"

	"renewal/ca/crypto/gost3410"
)

// The cost of one key file at DefaultIterations: three derivations (key
// bag, certificate safe, MAC) of DefaultIterations each. Run under
// WebAssembly for the browser's figure (docs/gost.md):
//
//	GOOS=js GOARCH=wasm go test -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run '^$' -bench . ./ca/keyfile
func BenchmarkEncodePKCS12(b *testing.B) {
	for _, tc := range []struct {
		name string
		pr   Profile
	}{{"aes", ProfileAES}, {"gost", ProfileGOST}} {
		b.Run(tc.name, func(b *testing.B) {
			k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := EncodePKCS12([]Entry{{Key: k}}, "password", &Options{Profile: tc.pr}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodePKCS12(b *testing.B) {
	k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	f, err := EncodePKCS12([]Entry{{Key: k}}, "password", nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecodePKCS12(f, "password"); err != nil {
			b.Fatal(err)
		}
	}
}
