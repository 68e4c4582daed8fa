//go:build js

package browsercrypto

import (
	"context"
	"testing"
)

// Under Node: a GOST key file saved by ExportPKCS12 opens through
// OpenPKCS12Entries as the current key (a GOSTKey, not WebCrypto), and the
// opened key signs the challenge.
func TestGOSTFileThroughTheBrowserAPI(t *testing.T) {
	ctx := context.Background()
	for _, alg := range gostAlgs {
		k := newGOSTKey(t, alg)
		cert := selfSignedGOST(t, k)
		pfx, err := ExportPKCS12(ctx, k, cert, nil, "node password")
		if err != nil {
			t.Fatal(err)
		}
		got, err := OpenPKCS12Entries(ctx, pfx, "node password")
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		g, ok := got[0].Signer.(*GOSTKey)
		if len(got) != 1 || !ok || !g.priv.Equal(k.priv) {
			t.Fatalf("%s: opened %d entries, %T", alg, len(got), got[0].Signer)
		}
		if _, err := SignChallenge(g, []byte("challenge")); err != nil {
			t.Error(err)
		}
		if _, err := OpenPKCS12Entries(ctx, pfx, "other password"); err != ErrWrongPassword {
			t.Errorf("%s: wrong password: %v", alg, err)
		}
		if _, err := ExportPKCS12(ctx, k, nil, nil, "pw"); err == nil {
			t.Errorf("%s: a file without the certificate was written", alg)
		}
	}
}
