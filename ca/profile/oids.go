package profile

import (
	"encoding/asn1"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Object identifiers the authority writes or checks.
var (
	// Russian subject attributes.
	OIDOGRN   = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	OIDSNILS  = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	OIDINNLE  = asn1.ObjectIdentifier{1, 2, 643, 100, 4} // ИНН юридического лица
	OIDOGRNIP = asn1.ObjectIdentifier{1, 2, 643, 100, 5}
	OIDINN    = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1} // ИНН физического лица

	// Belarusian subject attributes.
	OIDBYPersonalNumber = asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 1}
	OIDBYUNP            = asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 2}

	// Russian extensions.
	OIDSubjectSignTool    = asn1.ObjectIdentifier{1, 2, 643, 100, 111}
	OIDIssuerSignTool     = asn1.ObjectIdentifier{1, 2, 643, 100, 112}
	OIDIdentificationKind = asn1.ObjectIdentifier{1, 2, 643, 100, 114}

	// Standard attributes used by the demo and the tests.
	OIDCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	OIDSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	OIDCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	OIDLocality     = asn1.ObjectIdentifier{2, 5, 4, 7}
	OIDProvince     = asn1.ObjectIdentifier{2, 5, 4, 8}
	OIDStreet       = asn1.ObjectIdentifier{2, 5, 4, 9}
	OIDOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	OIDOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	OIDTitle        = asn1.ObjectIdentifier{2, 5, 4, 12}
	OIDGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
	OIDEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// ParseOID parses a dotted object identifier strictly: at least two
// components, decimal digits without leading zeros, first arc 0..2, second
// arc below 40 under arcs 0 and 1.
func ParseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("malformed OID %q: needs at least two arcs", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') || strings.TrimLeft(p, "0123456789") != "" {
			return nil, fmt.Errorf("malformed OID %q: arc %q", s, p)
		}
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil || n > math.MaxInt32 {
			return nil, fmt.Errorf("malformed OID %q: arc %q out of range", s, p)
		}
		oid[i] = int(n)
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) {
		return nil, fmt.Errorf("malformed OID %q: first arcs out of range", s)
	}
	return oid, nil
}
