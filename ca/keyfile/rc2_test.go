package keyfile

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The test vectors of RFC 2268 section 5, read backwards: each
// ciphertext decrypts to its plaintext.
func TestRC2Vectors(t *testing.T) {
	for _, tc := range []struct {
		key   string
		bits  int
		plain string
		ct    string
	}{
		{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
		{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
		{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
		{"88", 64, "0000000000000000", "61a8a244adacccf0"},
		{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
		{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
		{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
		{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"},
	} {
		key, _ := hex.DecodeString(tc.key)
		ct, _ := hex.DecodeString(tc.ct)
		out := make([]byte, 8)
		newRC2Key(key, tc.bits).decryptBlock(out, ct)
		assert.Equal(t, tc.plain, hex.EncodeToString(out), "key %s, %d bits", tc.key, tc.bits)
	}
}
