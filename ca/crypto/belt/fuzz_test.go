package belt

import (
	"bytes"
	"testing"
)

// FuzzWBL: belt-wbl decrypts what it encrypts for any key size and any length
// from 32 bytes; shorter input and bad key sizes are refused, never a panic.
func FuzzWBL(f *testing.F) {
	f.Add(H()[128:160], H()[:48])
	f.Add(H()[128:144], H()[:33])
	f.Add([]byte{1}, []byte{2})
	f.Fuzz(func(t *testing.T, k, data []byte) {
		buf := append([]byte(nil), data...)
		err := WBLEncrypt(buf, k)
		if err != nil {
			if (len(k) == 16 || len(k) == 24 || len(k) == 32) && len(data) >= 32 {
				t.Fatalf("refused a good input: %v", err)
			}
			return
		}
		if err := WBLDecrypt(buf, k); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, data) {
			t.Fatal("wbl does not round-trip")
		}
		tok, err := KWPWrap(data, nil, k)
		if err != nil {
			t.Fatal(err)
		}
		back, err := KWPUnwrap(tok, nil, k)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("kwp does not round-trip: %v", err)
		}
	})
}

// FuzzHash: belt-hash is the same written in two pieces or at once, in the
// fast and the constant-time mode.
func FuzzHash(f *testing.F) {
	f.Add([]byte("hi\n"), uint8(1))
	f.Add(H(), uint8(33))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		want := Sum(data)
		i := int(cut) % (len(data) + 1)
		for _, d := range []interface {
			Write([]byte) (int, error)
			Sum([]byte) []byte
		}{New(), NewConstantTimeHash()} {
			d.Write(data[:i])
			d.Write(data[i:])
			if got := d.Sum(nil); !bytes.Equal(got, want[:]) {
				t.Fatalf("split at %d: %x, want %x", i, got, want)
			}
		}
	})
}
