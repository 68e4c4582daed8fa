package cms_test

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"

	"renewal/ca/cms"
)

// FuzzP1363ToDER: the one parse in this package (of what WebCrypto's sign
// returns). A refusal is ErrBadP1363; an accepted signature is the DER
// ECDSA-Sig-Value of its two halves, canonical (asn1.Marshal writes the
// same bytes) and with nothing after it.
func FuzzP1363ToDER(f *testing.F) {
	for _, n := range []int{64, 96, 132} {
		f.Add(bytes.Repeat([]byte{0x5a}, n))
		f.Add(append([]byte{0x80}, bytes.Repeat([]byte{0x01}, n-1)...))
		f.Add(append(make([]byte, n/2), bytes.Repeat([]byte{0xff}, n/2)...))  // r zero
		f.Add(append(append(make([]byte, n/2-1), 1), make([]byte, n/2-1)...)) // one short
	}
	f.Add(append(make([]byte, 31), bytes.Repeat([]byte{0x7f}, 33)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, sig []byte) {
		der, err := cms.P1363ToDER(sig)
		if err != nil {
			if !errors.Is(err, cms.ErrBadP1363) {
				t.Fatalf("refusal %v is not ErrBadP1363", err)
			}
			return
		}
		var v struct{ R, S *big.Int }
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil || len(rest) != 0 {
			t.Fatalf("output is not one ECDSA-Sig-Value: %v, %d bytes after", err, len(rest))
		}
		n := len(sig) / 2
		if v.R.Cmp(new(big.Int).SetBytes(sig[:n])) != 0 || v.S.Cmp(new(big.Int).SetBytes(sig[n:])) != 0 {
			t.Fatalf("r, s changed: %x → %v, %v", sig, v.R, v.S)
		}
		again, err := asn1.Marshal(v)
		if err != nil || !bytes.Equal(again, der) {
			t.Fatalf("not canonical DER: %x, asn1 writes %x", der, again)
		}
	})
}
