package api

import (
	"crypto"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// An OCSP GET carries the base64 request in the path unescaped, as many
// clients send it (RFC 6960 A.1 asks for URL encoding, which not every
// client does): slashes, a double slash and '+' among them must reach the
// responder as sent, not normalised away by the router.
func TestOCSPGetRawBase64(t *testing.T) {
	f := newFlow(t)
	issuer := f.auth.Issuer()
	want := map[string]bool{"//": false, "+": false}
	for serial := int64(1); serial < 200000 && !(want["//"] && want["+"]); serial++ {
		req, err := ocspRequestFor(issuer.RawSubject, issuer.RawSubjectPublicKeyInfo, big.NewInt(serial))
		require.NoError(t, err)
		b64 := base64.StdEncoding.EncodeToString(req)
		for s, seen := range want {
			if seen || !strings.Contains(b64, s) {
				continue
			}
			want[s] = true
			resp, body := pkiDo(t, f.app, "GET", "/ca/ocsp/"+b64, "198.51.100.2", nil)
			require.Equal(t, 200, resp.StatusCode)
			_, err := ocsp.ParseResponse(body, nil)
			// A serial the authority never issued: an answer about it
			// (unknown), never "malformed".
			var re ocsp.ResponseError
			if errors.As(err, &re) {
				require.NotEqual(t, ocsp.Malformed, re.Status, "base64 with %q: %s", s, b64)
			}
		}
	}
	require.True(t, want["//"] && want["+"], "found requests with both")
}

// ocspRequestFor is an OCSP request (SHA-1 CertID, as the x/crypto client
// makes) for a serial of the issuer.
func ocspRequestFor(issuerName, issuerSPKI []byte, serial *big.Int) ([]byte, error) {
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuerSPKI, &spki); err != nil {
		return nil, err
	}
	h := crypto.SHA1.New()
	h.Write(issuerName)
	nameHash := h.Sum(nil)
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	keyHash := h.Sum(nil)
	type certID struct {
		HashAlgorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		NameHash      []byte
		IssuerKeyHash []byte
		SerialNumber  *big.Int
	}
	var id certID
	id.HashAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	id.HashAlgorithm.Parameters = asn1.NullRawValue
	id.NameHash, id.IssuerKeyHash, id.SerialNumber = nameHash, keyHash, serial
	type request struct{ Cert certID }
	type tbsRequest struct{ RequestList []request }
	type ocspRequest struct{ TBSRequest tbsRequest }
	return asn1.Marshal(ocspRequest{tbsRequest{[]request{{id}}}})
}
