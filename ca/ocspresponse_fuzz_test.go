package ca

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// FuzzRequestNonce: the nonce reader never panics on outside input, and
// what it returns is always an OCTET STRING holding 1 to 32 octets.
func FuzzRequestNonce(f *testing.F) {
	type certID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		IssuerKeyHash []byte
		SerialNumber  *big.Int
	}
	type tbs struct {
		Version     int `asn1:"explicit,tag:0,default:0,optional"`
		RequestList []struct{ Cert certID }
		Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
	}
	for _, n := range []int{0, 1, 16, 32, 33} {
		value, _ := asn1.Marshal(make([]byte, n))
		req, err := asn1.Marshal(struct{ TBS tbs }{tbs{
			RequestList: []struct{ Cert certID }{{certID{pkix.AlgorithmIdentifier{Algorithm: hashOIDs[crypto.SHA1]}, []byte{1}, []byte{2}, big.NewInt(7)}}},
			Extensions:  []pkix.Extension{{Id: oidOCSPNonce, Value: value}},
		}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(req)
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		v := requestNonce(der)
		if v == nil {
			return
		}
		s := cryptobyte.String(v)
		var inner cryptobyte.String
		if !s.ReadASN1(&inner, cbasn1.OCTET_STRING) || !s.Empty() || len(inner) < 1 || len(inner) > 32 {
			t.Fatalf("nonce value %x is not an OCTET STRING of 1 to 32 octets", v)
		}
	})
}
