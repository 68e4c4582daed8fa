package profile

import (
	"encoding/asn1"
	"fmt"
	"strings"
)

// The embedded defaults carry values only a real certification centre can
// fill: the names and conformity certificates of its tools in
// issuerSignTool (FSB order 795), and its registered policy OIDs (the
// Belarusian defaults use the ITU-T/ISO example arc 2.999). They make the
// demo work; a certificate carrying them in production would claim what
// is not so. Placeholders finds them, so that the server refuses to start
// outside development mode until the operator's profiles file replaces
// them (fail closed).
const issuerToolPlaceholder = "(указывается УЦ)"

var exampleArc = asn1.ObjectIdentifier{2, 999}

// Placeholders lists, one line per value, the placeholders left in the
// set's profiles; empty when every value is the operator's own.
func (s *Set) Placeholders() []string {
	var out []string
	for _, name := range s.Names() {
		p := s.profiles[name]
		if ru := p.RU(); ru != nil {
			for i, v := range ru.IssuerSignTool {
				if strings.Contains(v, issuerToolPlaceholder) {
					out = append(out, fmt.Sprintf("%s: ru_extensions.issuer_sign_tool[%d] %q", name, i, v))
				}
			}
		}
		for _, oid := range p.Policies() {
			if inArc(oid, exampleArc) {
				out = append(out, fmt.Sprintf("%s: policies %s (the example arc 2.999)", name, oid))
			}
		}
		for _, t := range p.Tariffs() {
			for _, oid := range t.Policies {
				if inArc(oid, exampleArc) {
					out = append(out, fmt.Sprintf("%s: tariffs[%s].policies %s (the example arc 2.999)", name, t.Code, oid))
				}
			}
		}
	}
	return out
}

func inArc(oid, arc asn1.ObjectIdentifier) bool {
	return len(oid) >= len(arc) && oid[:len(arc)].Equal(arc)
}
