// Command precompress writes FILE.br and FILE.gz beside FILE at the best
// compression, once at build time: compressing app.wasm per request costs
// up to a second. It prints the three sizes.
//
// Brotli comes from github.com/andybalholm/brotli, already in the build
// through fasthttp; gzip from the standard library.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	br, err := compress(raw, func(w io.Writer) io.WriteCloser {
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	})
	if err != nil {
		return fmt.Errorf("brotli: %w", err)
	}
	gz, err := compress(raw, func(w io.Writer) io.WriteCloser {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		return zw
	})
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	for ext, b := range map[string][]byte{".br": br, ".gz": gz} {
		if err := writeAtomic(path+ext, b); err != nil {
			return err
		}
	}
	fmt.Printf("%-22s %6.2f MB\n%-22s %6.2f MB\n%-22s %6.2f MB\n",
		path, mb(len(raw)), path+".br", mb(len(br)), path+".gz", mb(len(gz)))
	return nil
}

func compress(raw []byte, newWriter func(io.Writer) io.WriteCloser) ([]byte, error) {
	var buf bytes.Buffer
	w := newWriter(&buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAtomic replaces path whole, so a running server never reads half.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func mb(n int) float64 { return float64(n) / 1e6 }
