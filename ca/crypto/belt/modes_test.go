package belt

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestECBCBC(t *testing.T) {
	h := H()
	k1, k2 := h[128:160], h[160:192]
	iv1, iv2 := h[192:208], h[208:224]
	cases := []struct {
		name string
		f    func(dst, src []byte) error
		in   []byte
		want string
	}{
		{"ok/A.9-1-ecb-encrypt", func(d, s []byte) error { return ECBEncrypt(d, s, k1) }, h[:48], "69CCA1C93557C9E3D66BC3E0FA88FA6E5F23102EF109710775017F73806DA9DC46FB2ED2CE771F26DCB5E5D1569F9AB0"},
		{"ok/A.9-2-ecb-encrypt-stealing", func(d, s []byte) error { return ECBEncrypt(d, s, k1) }, h[:47], "69CCA1C93557C9E3D66BC3E0FA88FA6E36F00CFED6D1CA1498C12798F4BEB2075F23102EF109710775017F73806DA9"},
		{"ok/A.10-1-ecb-decrypt", func(d, s []byte) error { return ECBDecrypt(d, s, k2) }, h[64:112], "0DC5300600CAB840B38448E5E993F421E55A239F2AB5C5D5FDB6E81B40938E2A54120CA3E6E19C7AD750FC3531DAEAB7"},
		{"ok/A.10-2-ecb-decrypt-stealing", func(d, s []byte) error { return ECBDecrypt(d, s, k2) }, h[64:100], "0DC5300600CAB840B38448E5E993F4215780A6E2B69EAFBB258726D7B6718523E55A239F"},
		{"ok/A.11-1-cbc-encrypt", func(d, s []byte) error { return CBCEncrypt(d, s, k1, iv1) }, h[:48], "10116EFAE6AD58EE14852E11DA1B8A745CF2480E8D03F1C19492E53ED3A70F60657C1EE8C0E0AE5B58388BF8A68E3309"},
		{"ok/A.11-2-cbc-encrypt-stealing", func(d, s []byte) error { return CBCEncrypt(d, s, k1, iv1) }, h[:36], "10116EFAE6AD58EE14852E11DA1B8A746A9BBADCAF73F968F875DEDC0A44F6B15CF2480E"},
		{"ok/A.12-1-cbc-decrypt", func(d, s []byte) error { return CBCDecrypt(d, s, k2, iv2) }, h[64:112], "730894D6158E17CC1600185A8F411CAB0471FF85C83792398D8924EBD57D03DB95B97A9B7907E4B020960455E46176F8"},
		{"ok/A.12-2-cbc-decrypt-stealing", func(d, s []byte) error { return CBCDecrypt(d, s, k2, iv2) }, h[64:100], "730894D6158E17CC1600185A8F411CABB6AB7AF8541CF85755B8EA27239F08D2166646E4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]byte, len(tc.in))
			require.NoError(t, tc.f(out, tc.in))
			assert.Equal(t, unhex(t, tc.want), out)
		})
	}
	t.Run("ok/round-trip-16-80", func(t *testing.T) {
		for n := 16; n <= 80; n++ {
			c, p := make([]byte, n), make([]byte, n)
			require.NoError(t, ECBEncrypt(c, h[:n], k1))
			require.NoError(t, ECBDecrypt(p, c, k1))
			assert.Equal(t, h[:n], p, "ecb %d", n)
			require.NoError(t, CBCEncrypt(c, h[:n], k1, iv1))
			require.NoError(t, CBCDecrypt(p, c, k1, iv1))
			assert.Equal(t, h[:n], p, "cbc %d", n)
		}
	})
	t.Run("fail/short-or-bad-iv", func(t *testing.T) {
		assert.Error(t, ECBEncrypt(make([]byte, 15), h[:15], k1))
		assert.Error(t, CBCEncrypt(make([]byte, 15), h[:15], k1, iv1))
		assert.Error(t, CBCDecrypt(make([]byte, 16), h[:16], k1, iv1[:15]))
		assert.Error(t, ECBEncrypt(make([]byte, 16), h[:16], k1[:20]))
	})
}

func TestCFBCTR(t *testing.T) {
	h := H()
	k1, k2 := h[128:160], h[160:192]
	iv1, iv2 := h[192:208], h[208:224]
	cases := []struct {
		name   string
		stream func() (interface{ XORKeyStream(d, s []byte) }, error)
		in     []byte
		cuts   []int
		want   string
	}{
		{"ok/A.13-cfb-encrypt", func() (interface{ XORKeyStream(d, s []byte) }, error) { return NewCFBEncrypter(k1, iv1) }, h[:48], []int{16, 3}, "C31E490A90EFA374626CC99E4B7B8540A6E48685464A5A06849C9CA769A1B0AE55C2CC5939303EC832DD2FE16C8E5A1B"},
		{"ok/A.14-cfb-decrypt", func() (interface{ XORKeyStream(d, s []byte) }, error) { return NewCFBDecrypter(k2, iv2) }, h[64:112], []int{15, 7}, "FA9D107A86F375EE65CD1DB881224BD016AFF814938ED39B3361ABB0BF0851B652244EB06842DD4C94AA4500774E40BB"},
		{"ok/A.15-ctr", func() (interface{ XORKeyStream(d, s []byte) }, error) { return NewCTR(k1, iv1) }, h[:48], []int{15, 7}, "52C9AF96FF50F64435FC43DEF56BD797D5B5B1FF79FB41257AB9CDF6E63E81F8F00341473EAE409833622DE05213773A"},
		{"ok/A.16-ctr", func() (interface{ XORKeyStream(d, s []byte) }, error) { return NewCTR(k2, iv2) }, h[64:108], []int{11, 5}, "DF181ED008A20F43DCBBB93650DAD34B389CDEE5826D40E2D4BD80F49A93F5D212F6333166456F169043CC5F"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// In the pieces bee2's test uses, then at once.
			s, err := tc.stream()
			require.NoError(t, err)
			out := make([]byte, len(tc.in))
			a, b := tc.cuts[0], tc.cuts[0]+tc.cuts[1]
			s.XORKeyStream(out[:a], tc.in[:a])
			s.XORKeyStream(out[a:b], tc.in[a:b])
			s.XORKeyStream(out[b:], tc.in[b:])
			assert.Equal(t, unhex(t, tc.want), out)
			s, err = tc.stream()
			require.NoError(t, err)
			s.XORKeyStream(out, tc.in)
			assert.Equal(t, unhex(t, tc.want), out)
		})
	}
	t.Run("ok/cfb-round-trip", func(t *testing.T) {
		e, _ := NewCFBEncrypter(k1, iv1)
		d, _ := NewCFBDecrypter(k1, iv1)
		c, p := make([]byte, 77), make([]byte, 77)
		e.XORKeyStream(c, h[:77])
		d.XORKeyStream(p[:5], c[:5])
		d.XORKeyStream(p[5:], c[5:])
		assert.True(t, bytes.Equal(h[:77], p))
	})
	t.Run("fail/bad-iv", func(t *testing.T) {
		_, err := NewCTR(k1, iv1[:8])
		assert.Error(t, err)
		_, err = NewCFBEncrypter(k1, nil)
		assert.Error(t, err)
	})
}
