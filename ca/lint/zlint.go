package lint

import (
	"fmt"
	"sort"
	"sync"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	zl "github.com/zmap/zlint/v3/lint"
)

// The zlint sources that apply to our certificates.
//
// These are qualified electronic-signature certificates of Russian and
// Belarusian certification centres, used for document signing and client
// authentication; they are not TLS server certificates and their roots are in
// no browser or operating-system root store. So we keep what RFC 5280 and its
// companions (key and algorithm encoding, IDNs, Ed25519/algorithms) say of any
// X.509 certificate, plus the community lints on encoding and key hygiene, and
// leave out:
//   - CABF_BR, CABF_EV: the CA/Browser Forum rules for publicly-trusted TLS
//     server certificates (SAN dNSName, 398-day limits, EV fields);
//   - CABF_SMIME_BR, CABF_CS_BR: the CA/B Forum S/MIME and code-signing
//     baseline requirements, binding only on CAs in the web root programs;
//     they would demand their own policy OIDs (2.23.140.1.5.*) and forbid the
//     national attributes our profiles require;
//   - Mozilla, Apple, Chrome: root-store policies of browsers and OS vendors;
//   - ETSI_ESI: EU eIDAS (ETSI EN 319 412) qcStatements, which the RU/BY
//     national profiles do not use;
//   - RFC6962 (Certificate Transparency) and RFC6960 (OCSP responses, not
//     certificates).
//
// The RU/BY national content (identifiers, check digits, extensions) is
// checked by our own lints in ours.go, since no public linter knows it.
var zlintSources = zl.SourceList{
	zl.RFC3279,
	zl.RFC5280,
	zl.RFC5480,
	zl.RFC5891,
	zl.RFC8813,
	zl.Community,
}

// excludedZlints are lints of the kept sources that do not fit these
// certificates, each with the reason.
var excludedZlints = map[string]string{
	// Flags certificates signed by eight specific compromised eMudhra web-PKI
	// TLS and code-signing intermediates (Mozilla bug 2083449) by trying each
	// of their P-384 keys on the signature. Our certificates are signed by our
	// own issuing key, which Authority verifies right after signing; the lint
	// cannot find anything here. It also cost ~3.3 ms of the ~3.8 ms zlint
	// run (eight P-384 verifications): see docs/benchmarks-ca.md.
	"e_cert_issued_by_compromised_emudhra_ca": "web-PKI incident check for foreign CA keys",
}

var registry = sync.OnceValues(func() (zl.Registry, error) {
	var exclude []string
	for name := range excludedZlints {
		exclude = append(exclude, name)
	}
	sort.Strings(exclude)
	r, err := zl.GlobalRegistry().Filter(zl.FilterOptions{
		IncludeSources: zlintSources,
		ExcludeNames:   exclude,
	})
	if err != nil {
		return nil, fmt.Errorf("lint: zlint registry: %w", err)
	}
	return r, nil
})

// ZlintNames lists the zlint lints that run, for the operator's information.
func ZlintNames() ([]string, error) {
	r, err := registry()
	if err != nil {
		return nil, err
	}
	return r.Names(), nil
}

func runZlint(der []byte) ([]Finding, error) {
	r, err := registry()
	if err != nil {
		return nil, err
	}
	zc, err := zx509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("lint: zcrypto cannot parse the certificate: %w", err)
	}
	rs := zlint.LintCertificateEx(zc, r)
	var out []Finding
	for name, res := range rs.Results {
		var sev Severity
		switch res.Status {
		case zl.Warn:
			sev = Warn
		case zl.Error:
			sev = Error
		case zl.Fatal:
			sev = Fatal
		default:
			continue
		}
		msg := res.Details
		if msg == "" {
			msg = res.LintMetadata.Description
		}
		out = append(out, Finding{Source: SourceZlint, Name: name, Severity: sev, Message: msg})
	}
	return out, nil
}
