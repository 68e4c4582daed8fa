package lint

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf8"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/ident"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// identifierAttr describes an identifier attribute known by its OID alone,
// checked in any certificate even without a profile.
type identifierAttr struct {
	name    string
	kind    ident.Kind
	numeric bool // must be a NumericString
	length  int
}

var knownIdentifiers = map[string]identifierAttr{
	profile.OIDINN.String():              {"ИНН (INN)", ident.INNPerson, true, 12},
	profile.OIDSNILS.String():            {"СНИЛС (SNILS)", ident.SNILS, true, 11},
	profile.OIDOGRN.String():             {"ОГРН (OGRN)", ident.OGRN, true, 13},
	profile.OIDOGRNIP.String():           {"ОГРНИП (OGRNIP)", ident.OGRNIP, true, 15},
	profile.OIDINNLE.String():            {"ИННЮЛ (INN of the legal entity)", ident.INNLegal, true, 10},
	profile.OIDBYUNP.String():            {"УНП (UNP)", ident.UNP, false, 9},
	profile.OIDBYPersonalNumber.String(): {"personal number", ident.BYPersonalNumber, false, 14},
}

var (
	oidKeyUsage    = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
)

type collector []Finding

func (c *collector) add(name, format string, args ...any) {
	*c = append(*c, Finding{Source: SourceRUBY, Name: name, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// ours runs the RU/BY lints on a parsed certificate.
func ours(cert *x509.Certificate, prof *profile.Profile) []Finding {
	var c collector
	subjectLints(&c, cert, prof)
	extensionLints(&c, cert, prof)
	gostKeyLints(&c, cert, prof)
	return c
}

// gostKeyLints: zlint (zcrypto) knows no GOST key, so its key lints say
// nothing about one; ours do. A GOST R 34.10-2012 subject key must parse
// (RFC 9215 parameters: a known parameter set, a digest parameter that
// fits the size; a point on the curve and in the subgroup), be a
// signature set of profile.GOSTKey's table, and be one the profile takes.
func gostKeyLints(c *collector, cert *x509.Certificate, prof *profile.Profile) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return // crypto/x509 parsed it: not reached
	}
	if !spki.Algorithm.Algorithm.Equal(gost3410.OIDPublicKey256) && !spki.Algorithm.Algorithm.Equal(gost3410.OIDPublicKey512) {
		return
	}
	k, err := x509sig.ParsePublicKey(cert.RawSubjectPublicKeyInfo)
	pub, _ := k.(*gost3410.PublicKey)
	if err != nil || pub == nil {
		c.add("ru_by_gost_key", "the GOST R 34.10-2012 public key is not valid: %v", err)
		return
	}
	name, _, ok := profile.GOSTKey(pub)
	switch {
	case !ok:
		c.add("ru_by_gost_key", "the GOST R 34.10-2012 parameter set %s is not a signature set we certify", pub.Curve().OID())
	case prof != nil && !prof.KeyAllowed(name):
		c.add("ru_by_gost_key", "a %s key; profile %s takes %v", name, prof.Name(), prof.KeyAlgorithms())
	}
}

func subjectLints(c *collector, cert *x509.Certificate, prof *profile.Profile) {
	attrs, err := profile.ParseName(cert.RawSubject)
	if err != nil {
		c.add("ru_by_subject_parse", "the subject cannot be parsed: %v", err)
		return
	}
	seen := map[string]int{}
	for _, a := range attrs {
		key := a.OID.String()
		seen[key]++
		if seen[key] == 2 {
			c.add("ru_by_attribute_repeated", "attribute %s appears more than once", key)
		}

		spec, inProfile := profile.Attribute{}, false
		if prof != nil {
			spec, inProfile = prof.Attribute(a.OID)
			if !inProfile {
				c.add("ru_by_attribute_not_allowed", "attribute %s is not allowed by profile %s", key, prof.Name())
			}
		}
		known, isIdent := knownIdentifiers[key]

		// String type.
		switch {
		case inProfile:
			if !tagFits(spec.Type, a.Tag) {
				c.add("ru_by_attribute_string_type", "attribute %s (%s) is encoded with ASN.1 tag %d, want %s", spec.Name, key, a.Tag, spec.Type)
			}
		case isIdent && known.numeric:
			if a.Tag != asn1.TagNumericString {
				c.add("ru_by_attribute_string_type", "%s (%s) is encoded with ASN.1 tag %d, want NumericString", known.name, key, a.Tag)
			}
		}

		// Length.
		length := 0
		switch {
		case inProfile:
			length = spec.Length
		case isIdent:
			length = known.length
		}
		if n := utf8.RuneCountInString(a.Value); length != 0 && n != length {
			c.add("ru_by_attribute_length", "attribute %s (%s) has %d characters, want %d", attrName(spec, known, key), key, n, length)
		}

		// Check digits.
		kind, hasKind := known.kind, isIdent
		if inProfile {
			kind, hasKind = spec.Ident, spec.HasIdent
		}
		if hasKind {
			canon, err := ident.Check(kind, a.Value)
			switch {
			case err != nil:
				c.add("ru_by_identifier_check", "%s (%s) %q: %s", attrName(spec, known, key), key, a.Value, identMessage(err))
			case canon != a.Value:
				c.add("ru_by_identifier_not_canonical", "%s (%s) %q is not in canonical form %q", attrName(spec, known, key), key, a.Value, canon)
			}
		}

		// Country matches the profile's jurisdiction.
		if prof != nil && a.OID.Equal(profile.OIDCountry) && a.Value != string(prof.Jurisdiction()) {
			c.add("ru_by_country", "country %q does not match the profile's jurisdiction %s", a.Value, prof.Jurisdiction())
		}
	}
	if prof == nil {
		return
	}
	for _, spec := range prof.Attributes() {
		if spec.Required && seen[spec.OID.String()] == 0 {
			c.add("ru_by_attribute_required", "required attribute %s (%s) is missing for profile %s", spec.Name, spec.OID, prof.Name())
		}
	}
}

func attrName(spec profile.Attribute, known identifierAttr, oid string) string {
	switch {
	case spec.Name != "":
		return spec.Name
	case known.name != "":
		return known.name
	}
	return oid
}

func identMessage(err error) string {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return ie.EN + " / " + ie.RU
	}
	return err.Error()
}

// tagFits: NumericString, IA5String and PrintableString attributes must have
// exactly that type; a UTF8String attribute is a DirectoryString, for which
// PrintableString is equally valid (older certificates use it for ASCII).
func tagFits(t profile.StringType, tag int) bool {
	if t == profile.UTF8String {
		return tag == asn1.TagUTF8String || tag == asn1.TagPrintableString
	}
	return tag == t.Tag()
}

func findExt(cert *x509.Certificate, oid asn1.ObjectIdentifier) (pkix.Extension, bool) {
	for _, e := range cert.Extensions {
		if e.Id.Equal(oid) {
			return e, true
		}
	}
	return pkix.Extension{}, false
}

func extensionLints(c *collector, cert *x509.Certificate, prof *profile.Profile) {
	// RU extensions: well-formed whenever present.
	_, hasSST := findExt(cert, profile.OIDSubjectSignTool)
	_, hasIST := findExt(cert, profile.OIDIssuerSignTool)
	_, hasIK := findExt(cert, profile.OIDIdentificationKind)
	if e, ok := findExt(cert, profile.OIDSubjectSignTool); ok {
		if err := checkUTF8(e.Value); err != nil {
			c.add("ru_by_subject_sign_tool", "subjectSignTool (1.2.643.100.111) must be a non-empty UTF8String: %v", err)
		}
		if e.Critical {
			c.add("ru_by_subject_sign_tool", "subjectSignTool must not be critical")
		}
	}
	if e, ok := findExt(cert, profile.OIDIssuerSignTool); ok {
		if err := checkIssuerSignTool(e.Value); err != nil {
			c.add("ru_by_issuer_sign_tool", "issuerSignTool (1.2.643.100.112) must be a SEQUENCE of four UTF8String: %v", err)
		}
		if e.Critical {
			c.add("ru_by_issuer_sign_tool", "issuerSignTool must not be critical")
		}
	}
	if e, ok := findExt(cert, profile.OIDIdentificationKind); ok {
		var rv asn1.RawValue
		var v int
		if rest, err := asn1.Unmarshal(e.Value, &rv); err != nil || len(rest) != 0 || rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagInteger {
			c.add("ru_by_identification_kind", "IdentificationKind (1.2.643.100.114) must be an INTEGER")
		} else if _, err := asn1.Unmarshal(e.Value, &v); err != nil || v < 0 || v > 3 {
			c.add("ru_by_identification_kind", "IdentificationKind must be an INTEGER in 0..3 (0 in person, 1 remote with a qualified certificate, 2 foreign passport, 3 biometrics)")
		}
		if e.Critical {
			c.add("ru_by_identification_kind", "IdentificationKind must not be critical")
		}
	}
	if prof == nil {
		return
	}
	if prof.RU() != nil {
		if !hasSST {
			c.add("ru_by_subject_sign_tool", "subjectSignTool (1.2.643.100.111) is missing")
		}
		if !hasIST {
			c.add("ru_by_issuer_sign_tool", "issuerSignTool (1.2.643.100.112) is missing")
		}
		if !hasIK {
			c.add("ru_by_identification_kind", "IdentificationKind (1.2.643.100.114) is missing")
		}
	}

	// Key usage: exactly the profile's, critical.
	isRSA := cert.PublicKeyAlgorithm == x509.RSA
	if e, ok := findExt(cert, oidKeyUsage); !ok {
		c.add("ru_by_key_usage", "keyUsage is missing")
	} else {
		if !e.Critical {
			c.add("ru_by_key_usage", "keyUsage must be critical")
		}
		if want := prof.KeyUsage(isRSA); cert.KeyUsage != want {
			c.add("ru_by_key_usage", "keyUsage is %#x, profile %s wants %#x", int(cert.KeyUsage), prof.Name(), int(want))
		}
	}

	// Extended key usage: at least the profile's.
	var ekus []asn1.ObjectIdentifier
	if e, ok := findExt(cert, oidExtKeyUsage); ok {
		if _, err := asn1.Unmarshal(e.Value, &ekus); err != nil {
			c.add("ru_by_ext_key_usage", "extKeyUsage cannot be parsed: %v", err)
		}
	}
	for _, want := range prof.ExtKeyUsage() {
		if !containsOID(ekus, want) {
			c.add("ru_by_ext_key_usage", "extended key usage %s required by profile %s is missing", want, prof.Name())
		}
	}

	// Certificate policies: at least the profile's.
	for _, want := range prof.Policies() {
		found := false
		for _, p := range cert.Policies {
			if p.EqualASN1OID(want) {
				found = true
				break
			}
		}
		if !found {
			c.add("ru_by_policy", "certificate policy %s required by profile %s is missing", want, prof.Name())
		}
	}
}

func containsOID(list []asn1.ObjectIdentifier, oid asn1.ObjectIdentifier) bool {
	for _, o := range list {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

func checkUTF8(der []byte) error {
	var rv asn1.RawValue
	rest, err := asn1.Unmarshal(der, &rv)
	switch {
	case err != nil:
		return err
	case len(rest) != 0:
		return errors.New("trailing data")
	case rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagUTF8String:
		return fmt.Errorf("tag %d, want UTF8String", rv.Tag)
	case len(rv.Bytes) == 0 || !utf8.Valid(rv.Bytes):
		return errors.New("empty or invalid UTF-8")
	}
	return nil
}

func checkIssuerSignTool(der []byte) error {
	var seq []asn1.RawValue
	rest, err := asn1.Unmarshal(der, &seq)
	switch {
	case err != nil:
		return err
	case len(rest) != 0:
		return errors.New("trailing data")
	case len(seq) != 4:
		return fmt.Errorf("%d elements", len(seq))
	}
	for i, rv := range seq {
		if rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagUTF8String || len(rv.Bytes) == 0 || !utf8.Valid(rv.Bytes) {
			return fmt.Errorf("element %d is not a non-empty UTF8String", i)
		}
	}
	return nil
}
