package profile

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// NameAttribute is one attribute of a distinguished name as encoded: its
// type, the universal ASN.1 tag of its string and the decoded value.
type NameAttribute struct {
	RDN   int // index of the relative distinguished name it sits in
	OID   asn1.ObjectIdentifier
	Tag   int
	Value string
}

type atv struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// A type name ending in SET makes encoding/asn1 use SET OF.
type atvSET []atv

// ParseName decodes a DER distinguished name (a certificate's RawSubject)
// keeping each value's string type. Non-string values are an error.
func ParseName(der []byte) ([]NameAttribute, error) {
	var rdns []atvSET
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil {
		return nil, fmt.Errorf("parse name: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("parse name: trailing data")
	}
	var out []NameAttribute
	for i, rdn := range rdns {
		if len(rdn) == 0 {
			return nil, errors.New("parse name: empty RDN")
		}
		for _, a := range rdn {
			if a.Value.Class != asn1.ClassUniversal {
				return nil, fmt.Errorf("parse name: attribute %s: not a universal string", a.Type)
			}
			v, err := decodeString(a.Value.Tag, a.Value.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse name: attribute %s: %w", a.Type, err)
			}
			out = append(out, NameAttribute{RDN: i, OID: a.Type, Tag: a.Value.Tag, Value: v})
		}
	}
	return out, nil
}

func decodeString(tag int, b []byte) (string, error) {
	switch tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(b) {
			return "", errors.New("invalid UTF-8")
		}
		return string(b), nil
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString:
		for _, c := range b {
			if c >= utf8.RuneSelf {
				return "", fmt.Errorf("non-ASCII byte in string of tag %d", tag)
			}
		}
		return string(b), nil
	case asn1.TagBMPString:
		if len(b)%2 != 0 {
			return "", errors.New("odd BMPString length")
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u)), nil
	case asn1.TagT61String: // treated as Latin-1, as most software does
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	}
	return "", fmt.Errorf("unsupported string tag %d", tag)
}

// ValidForType reports whether s can be encoded as the string type.
func ValidForType(t StringType, s string) bool {
	switch t {
	case UTF8String:
		return utf8.ValidString(s)
	case NumericString:
		for _, c := range s {
			if (c < '0' || c > '9') && c != ' ' {
				return false
			}
		}
		return true
	case IA5String:
		for _, c := range s {
			if c >= utf8.RuneSelf {
				return false
			}
		}
		return true
	case PrintableString:
		for _, c := range s {
			if !isPrintable(c) {
				return false
			}
		}
		return true
	}
	return false
}

func isPrintable(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.ContainsRune(" '()+,-./:=?", c)
}

// EncodeSubject builds a DER subject from values keyed by attribute name, in
// the profile's order, one attribute per RDN, each with the profile's string
// type. It refuses unknown names, missing required attributes, wrong lengths
// and characters the type cannot carry. Check digits are ca/lint's business.
func (p *Profile) EncodeSubject(values map[string]string) ([]byte, error) {
	for name := range values {
		if _, ok := p.AttributeByName(name); !ok {
			return nil, fmt.Errorf("profile %s: unknown attribute %q", p.name, name)
		}
	}
	var rdns []atvSET
	for _, a := range p.attrs {
		v, ok := values[a.Name]
		if !ok || v == "" {
			if a.Required {
				return nil, fmt.Errorf("profile %s: attribute %q is required", p.name, a.Name)
			}
			continue
		}
		if a.Length != 0 && utf8.RuneCountInString(v) != a.Length {
			return nil, fmt.Errorf("profile %s: attribute %q: %d characters, want %d", p.name, a.Name, utf8.RuneCountInString(v), a.Length)
		}
		if !ValidForType(a.Type, v) {
			return nil, fmt.Errorf("profile %s: attribute %q: %q is not a valid %s", p.name, a.Name, v, a.Type)
		}
		rdns = append(rdns, atvSET{{
			Type:  a.OID,
			Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.Type.Tag(), Bytes: []byte(v)},
		}})
	}
	return asn1.Marshal(rdns)
}
