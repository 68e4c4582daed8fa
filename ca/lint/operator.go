package lint

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"renewal/ca/profile"
)

// Helpers for the operator command `ca lint FILE.pem`.

// DecodeCertificates returns the DER of every CERTIFICATE block of a PEM
// file, or the input itself when it is not PEM (a DER file).
func DecodeCertificates(data []byte) ([][]byte, error) {
	var out [][]byte
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if len(data) > 0 && data[0] == 0x30 { // a DER SEQUENCE
		return [][]byte{data}, nil
	}
	return nil, errors.New("lint: no certificate found (want PEM CERTIFICATE blocks or DER)")
}

// BestProfile lints der against every profile of the set and returns the
// one with the fewest findings (the first by name on a tie), with them. Use
// it when the operator does not name the profile.
func BestProfile(der []byte, set *profile.Set) (*profile.Profile, []Finding, error) {
	var (
		best     *profile.Profile
		bestFind []Finding
	)
	for _, name := range set.Names() {
		p, _ := set.Get(name)
		fs, err := Certificate(der, p)
		if err != nil {
			return nil, nil, err
		}
		if best == nil || len(fs) < len(bestFind) {
			best, bestFind = p, fs
		}
	}
	if best == nil {
		return nil, nil, errors.New("lint: no profiles")
	}
	return best, bestFind, nil
}

// Write prints one line per finding, or a line saying there is none.
func Write(w io.Writer, findings []Finding) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintln(w, "no findings")
		return err
	}
	for _, f := range findings {
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return err
		}
	}
	return nil
}
