package streebog

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"renewal/ca/gostssl"
)

// rev decodes a number as RFC 6986 writes it (most significant byte first)
// into the byte string it stands for.
func rev(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// The examples of RFC 6986 §10 (= GOST R 34.11-2012 appendix A), written
// as the RFC writes them.
func TestRFC6986(t *testing.T) {
	cases := []struct{ name, msg, h512, h256 string }{
		{"M1",
			"323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130",
			"486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b",
			"00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"},
		{"M2",
			"fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1",
			"28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e",
			"508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d"},
	}
	for _, c := range cases {
		msg := rev(t, c.msg)
		if c.name == "M1" && string(msg) != "012345678901234567890123456789012345678901234567890123456789012" {
			t.Fatalf("M1 decodes to %q", msg)
		}
		s512, s256 := Sum512(msg), Sum256(msg)
		if want := rev(t, c.h512); !bytes.Equal(s512[:], want) {
			t.Errorf("%s Streebog-512 = %x, want %x", c.name, s512, want)
		}
		if want := rev(t, c.h256); !bytes.Equal(s256[:], want) {
			t.Errorf("%s Streebog-256 = %x, want %x", c.name, s256, want)
		}
		for _, h := range []hash.Hash{New256(), New512()} {
			h.Write(msg)
			want := s512[:]
			if h.Size() == Size256 {
				want = s256[:]
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("%s hash.Hash of size %d = %x, want %x", c.name, h.Size(), got, want)
			}
		}
	}
}

// Every length from 0 to 1000 bytes (all block boundaries below it) of
// random data, hashed by OpenSSL's GOST engine and by us.
func TestOpenSSLLengths(t *testing.T) {
	ossl := gostssl.New(t)
	rng := rand.New(rand.NewPCG(1, 2))
	msgs := make([][]byte, 1001)
	var names []string
	for n := range msgs {
		msgs[n] = make([]byte, n)
		for i := range msgs[n] {
			msgs[n][i] = byte(rng.Uint32())
		}
		if n%97 == 13 {
			// Runs of 0xff make Σ and N carry across words.
			for i := range msgs[n] {
				msgs[n][i] = 0xff
			}
		}
		names = append(names, ossl.Write(fmt.Sprintf("m%d", n), msgs[n]))
	}
	line := regexp.MustCompile(`(?m)^md_gost12_(256|512)\(m(\d+)\)= ([0-9a-f]+)$`)
	for _, size := range []int{256, 512} {
		out := ossl.MustRun(nil, append([]string{"dgst", fmt.Sprintf("-md_gost12_%d", size)}, names...)...)
		found := line.FindAllStringSubmatch(string(out), -1)
		if len(found) != len(msgs) {
			t.Fatalf("openssl printed %d digests for %d files:\n%.500s", len(found), len(msgs), out)
		}
		for _, f := range found {
			var n int
			fmt.Sscan(f[2], &n)
			var got []byte
			if size == 256 {
				s := Sum256(msgs[n])
				got = s[:]
			} else {
				s := Sum512(msgs[n])
				got = s[:]
			}
			if hex.EncodeToString(got) != f[3] {
				t.Errorf("Streebog-%d of %d bytes: ours %x, OpenSSL %s", size, n, got, f[3])
			}
		}
	}
}

// Writes in pieces of any size, Sum in the middle, a saved and restored
// state and a clone give the digest of the whole.
func TestIncremental(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	msg := make([]byte, 777)
	for i := range msg {
		msg[i] = byte(rng.Uint32())
	}
	for _, newHash := range []func() hash.Hash{New256, New512} {
		whole := newHash()
		whole.Write(msg)
		want := whole.Sum(nil)
		for trial := 0; trial < 50; trial++ {
			h := newHash()
			rest := msg
			for len(rest) > 0 {
				n := rng.IntN(min(len(rest), 150) + 1)
				h.Write(rest[:n])
				rest = rest[n:]
				if rng.IntN(4) == 0 {
					h.Sum(nil) // must not disturb the state
				}
				if rng.IntN(4) == 0 {
					state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					h = newHash()
					if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("size %d, trial %d: %x, want %x", h.Size(), trial, got, want)
			}
		}
		// A clone taken halfway goes on independently of the original.
		half := newHash()
		half.Write(msg[:300])
		clone, err := half.(hash.Cloner).Clone()
		if err != nil {
			t.Fatal(err)
		}
		half.Write([]byte("something else"))
		clone.Write(msg[300:])
		if got := clone.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("size %d: clone %x, want %x", clone.Size(), got, want)
		}
		h := newHash()
		h.Write(msg[:10])
		h.Reset()
		h.Write(msg)
		if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("Reset or Sum's append broken: %x", got)
		}
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	h := New256()
	h.Write([]byte("abc"))
	state, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err := New512().(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err == nil {
		t.Error("a Streebog-256 state restored into Streebog-512")
	}
	if err := New256().(encoding.BinaryUnmarshaler).UnmarshalBinary(state[:len(state)-1]); err == nil {
		t.Error("a truncated state accepted")
	}
	bad := bytes.Clone(state)
	bad[len(bad)-1] = 64
	if err := New256().(encoding.BinaryUnmarshaler).UnmarshalBinary(bad); err == nil {
		t.Error("a buffer count of 64 accepted")
	}
}

func FuzzIncremental(f *testing.F) {
	f.Add([]byte("abc"), uint8(1))
	f.Add(bytes.Repeat([]byte{0xff}, 200), uint8(64))
	f.Fuzz(func(t *testing.T, msg []byte, step uint8) {
		want := Sum512(msg)
		h := New512()
		s := int(step) + 1
		for i := 0; i < len(msg); i += s {
			h.Write(msg[i:min(i+s, len(msg))])
		}
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("pieces of %d: %x, want %x", s, got, want)
		}
	})
}

var sink []byte

func benchHash(b *testing.B, h hash.Hash, n int) {
	buf := make([]byte, n)
	b.SetBytes(int64(n))
	for b.Loop() {
		h.Reset()
		h.Write(buf)
		sink = h.Sum(sink[:0])
	}
}

// The floor for Streebog's MB/s is SHA-256 in the same run.
func BenchmarkHash(b *testing.B) {
	for _, n := range []int{64, 8192} {
		b.Run(fmt.Sprintf("streebog256/%d", n), func(b *testing.B) { benchHash(b, New256(), n) })
		b.Run(fmt.Sprintf("streebog512/%d", n), func(b *testing.B) { benchHash(b, New512(), n) })
		b.Run(fmt.Sprintf("sha256/%d", n), func(b *testing.B) { benchHash(b, sha256.New(), n) })
	}
}

// HMAC over Streebog (what the GOST nonces use): the examples of RFC 7836
// §4.1.1-4.1.2 (R 50.1.113-2016), which OpenSSL's engine reproduces.
func TestHMACRFC7836(t *testing.T) {
	key, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	data, _ := hex.DecodeString("0126bdb87800af214341456563780100")
	for _, c := range []struct {
		h    func() hash.Hash
		want string
	}{
		{New256, "a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9"},
		{New512, "a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a773d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6"},
	} {
		m := hmac.New(c.h, key)
		m.Write(data)
		if got := hex.EncodeToString(m.Sum(nil)); got != c.want {
			t.Errorf("HMAC = %s, want %s", got, c.want)
		}
	}
}
