package bign

import "encoding/asn1"

// Object identifiers of STB 34.101.45 and STB 34.101.31 (arc 1.2.112.0.2.0.34.101).
var (
	OIDBignPubKey      = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 2, 1}
	OIDCurve256v1      = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 3, 1}
	OIDCurve384v1      = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 3, 2}
	OIDCurve512v1      = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 3, 3}
	OIDBignWithHBelt   = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 12}
	OIDBignWithBash256 = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 13}
	OIDBignWithBash384 = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 14}
	OIDBignWithBash512 = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 15}
	OIDBeltHash        = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 31, 81}
	OIDBash256         = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 77, 11}
	OIDBash384         = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 77, 12}
	OIDBash512         = asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 77, 13}
)
