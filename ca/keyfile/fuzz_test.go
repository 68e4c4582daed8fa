package keyfile

import (
	"crypto/rand"
	"testing"

	"renewal/ca/crypto/gost3410"
)

// The readers take files from anyone: whatever the bytes, an error or a
// result, never a panic. Seeds are small files of ours with few iterations.
func FuzzDecodePKCS12(f *testing.F) {
	k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pr := range []Profile{ProfileAES, ProfileGOST} {
		b, err := EncodePKCS12([]Entry{{Key: k, FriendlyName: "seed"}}, "pw", &Options{Profile: pr, Iterations: 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		es, err := DecodePKCS12(data, password)
		if err == nil && len(es) == 0 {
			t.Fatal("no error and no entries")
		}
	})
}

func FuzzDecryptPKCS8(f *testing.F) {
	k, err := gost3410.GenerateKey(gost3410.Curve512A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pr := range []Profile{ProfileAES, ProfileGOST} {
		b, err := EncryptPKCS8(k, "pw", &Options{Profile: pr, Iterations: 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		key, err := DecryptPKCS8(data, password)
		if err == nil && key == nil {
			t.Fatal("no error and no key")
		}
	})
}
