package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

// OCSP is answered by a delegated responder (RFC 6960 4.2.2.2): a
// software P-256 key (for a GOST CA, a GOST key on the CA's parameter set)
// made by each process and certified by the issuing CA
// for a few days. It signs every OCSP response, so no request, however
// many, reaches the issuing key (perhaps on a token). The key never leaves
// memory: nothing to protect on disk, and each instance has its own.
//
// x/crypto/ocsp cannot write a nonce into responseExtensions (it puts
// ExtraExtensions into singleExtensions) and stamps producedAt from the
// wall clock, so responses are built here.

var (
	oidOCSPBasic   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// responderKey is one responder certificate and its key.
type responderKey struct {
	key     crypto.Signer // ECDSA P-256, or GOST on the GOST CA's set
	cert    *x509.Certificate
	keyHash []byte // SHA-1 of the public key bits: ResponderID byKey
}

// responder holds the process's current responderKey, shared by the
// Authority's WithStore copies.
type responder struct {
	mu  sync.Mutex
	cur *responderKey
}

// responderValidity is how long a responder certificate lasts; a new one
// is made when half is gone, so it always outlives the responses it signs.
func (a *Authority) responderValidity() time.Duration {
	return max(7*24*time.Hour, 4*a.ocspValidity)
}

// currentResponder returns the responder, certifying a new key when there
// is none or the current one is past half its life.
func (a *Authority) currentResponder() (*responderKey, error) {
	r := a.resp
	r.mu.Lock()
	defer r.mu.Unlock()
	now := a.now()
	// Half of its own life: a certificate cut short by the issuer's
	// notAfter is renewed sooner, but a bounded number of times.
	if c := r.cur; c != nil && !now.Before(c.cert.NotBefore) &&
		now.Before(c.cert.NotBefore.Add(c.cert.NotAfter.Sub(c.cert.NotBefore)/2)) {
		return c, nil
	}
	k, err := a.newResponder(now)
	if err != nil {
		return nil, err
	}
	r.cur = k
	return k, nil
}

func (a *Authority) newResponder(now time.Time) (*responderKey, error) {
	// The responder's key follows the CA's algorithm: a GOST CA's
	// responses are GOST, on the CA's own parameter set.
	var (
		key crypto.Signer
		err error
	)
	if caKey, ok := a.signer.Public().(*gost3410.PublicKey); ok {
		key, err = gost3410.GenerateKey(caKey.Curve(), rand.Reader)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp responder: key: %w", err)
	}
	serial, err := NewSerial()
	if err != nil {
		return nil, err
	}
	ski, err := subjectKeyID(key.Public())
	if err != nil {
		return nil, err
	}
	nullDER, _ := asn1.Marshal(asn1.RawValue{Tag: asn1.TagNull})
	// A few minutes back, for relying parties whose clocks run behind.
	notBefore := now.UTC().Truncate(time.Second).Add(-5 * time.Minute)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:   "OCSP " + a.issuer.Subject.CommonName,
			Organization: a.issuer.Subject.Organization,
			Country:      a.issuer.Subject.Country,
		},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(a.responderValidity()),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		SubjectKeyId: ski,
		// id-pkix-ocsp-nocheck: relying parties do not ask about the
		// responder itself (its short life is its revocation).
		ExtraExtensions: []pkix.Extension{{Id: oidOCSPNoCheck, Value: nullDER}},
	}
	if tmpl.NotAfter.After(a.issuer.NotAfter) {
		tmpl.NotAfter = a.issuer.NotAfter
	}
	der, err := a.sign(tmpl, key.Public())
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp responder: sign: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp responder: parse: %w", err)
	}
	if err := a.checkSignatureFrom(cert); err != nil {
		return nil, fmt.Errorf("ca: ocsp responder: verify: %w", err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, fmt.Errorf("ca: ocsp responder: spki: %w", err)
	}
	kh := sha1.Sum(spki.PublicKey.RightAlign())
	a.log.Info("ca: signed OCSP responder certificate", "serial", fmt.Sprintf("%x", serial),
		"not_after", cert.NotAfter, "spki_sha256", fmt.Sprintf("%x", sha256.Sum256(cert.RawSubjectPublicKeyInfo)))
	return &responderKey{key: key, cert: cert, keyHash: kh[:]}, nil
}

// ocspAnswer is what one response says about one certificate.
type ocspAnswer struct {
	hash       crypto.Hash // of the CertID
	serial     *big.Int
	status     int // ocsp.Good, ocsp.Revoked, ocsp.Unknown
	revokedAt  time.Time
	reason     int
	thisUpdate time.Time
	nextUpdate time.Time
	nonce      []byte // extnValue of the request's nonce, echoed; nil: none
}

// within keeps the answer inside the responder's validity: a response
// never outlives the certificate that vouches for its signature.
func (ans *ocspAnswer) within(r *responderKey) {
	if ans.nextUpdate.After(r.cert.NotAfter) {
		ans.nextUpdate = r.cert.NotAfter.UTC()
	}
}

// buildOCSPResponse signs a successful BasicOCSPResponse (RFC 6960 4.2.1):
// responderID byKey, producedAt = thisUpdate, one SingleResponse, the
// nonce in responseExtensions, the responder's certificate in certs.
func (a *Authority) buildOCSPResponse(r *responderKey, ans ocspAnswer) ([]byte, error) {
	hashOID, ok := hashOIDs[ans.hash]
	if !ok {
		return nil, errors.New("ca: ocsp: unsupported CertID hash")
	}
	nameHash, keyHash, err := a.issuerHashes(ans.hash)
	if err != nil {
		return nil, err
	}
	gt := func(b *cryptobyte.Builder, t time.Time) { b.AddASN1GeneralizedTime(t.UTC().Truncate(time.Second)) }

	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(r.keyHash)
		})
		gt(b, ans.thisUpdate) // producedAt: never before thisUpdate
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // CertID
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(hashOID)
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(nameHash)
					b.AddASN1OctetString(keyHash)
					b.AddASN1BigInt(ans.serial)
				})
				switch ans.status {
				case 0: // good [0] IMPLICIT NULL
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				case 1: // revoked [1] IMPLICIT RevokedInfo
					b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						gt(b, ans.revokedAt)
						if ans.reason != ReasonUnspecified {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1Enum(int64(ans.reason))
							})
						}
					})
				default: // unknown [2] IMPLICIT NULL
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				gt(b, ans.thisUpdate)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					gt(b, ans.nextUpdate)
				})
			})
		})
		if ans.nonce != nil {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidOCSPNonce)
						b.AddASN1OctetString(ans.nonce)
					})
				})
			})
		}
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp: encode: %w", err)
	}
	if _, ok := r.key.(*gost3410.PrivateKey); ok {
		// GOST R 34.10-2012 over Streebog, written by x509sig (RFC 9215:
		// no parameters).
		basic, err := x509sig.SignOCSPResponse(rand.Reader, tbsDER, r.key, []*x509.Certificate{r.cert})
		if err != nil {
			return nil, fmt.Errorf("ca: ocsp: sign: %w", err)
		}
		return x509sig.MarshalOCSPResponse(basic)
	}
	ecKey, ok := r.key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("ca: ocsp: responder key %T", r.key)
	}
	digest := sha256.Sum256(tbsDER)
	sig, err := ecdsa.SignASN1(rand.Reader, ecKey, digest[:])
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp: sign: %w", err)
	}
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidECDSASHA256) })
		b.AddASN1BitString(sig)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(r.cert.Raw) })
		})
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp: encode: %w", err)
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0) // successful
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	return out.Bytes()
}

// issuerHashes are the CertID hashes of the issuing CA's name and key.
func (a *Authority) issuerHashes(hash crypto.Hash) (name, key []byte, err error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(a.issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, nil, fmt.Errorf("ca: ocsp: issuer key: %w", err)
	}
	h := hash.New()
	h.Write(a.issuer.RawSubject)
	name = h.Sum(nil)
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	return name, h.Sum(nil), nil
}

// requestNonce returns the extnValue of an OCSP request's nonce extension
// (RFC 8954), or nil when it has none or one that is not an OCTET STRING
// of 1 to 32 octets (answered without a nonce, as 8954 allows).
func requestNonce(der []byte) []byte {
	in := cryptobyte.String(der)
	var req, tbs cryptobyte.String
	if !in.ReadASN1(&req, cbasn1.SEQUENCE) || !req.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil
	}
	tbs.SkipOptionalASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) // version
	tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific().Constructed()) // requestorName
	if !tbs.SkipASN1(cbasn1.SEQUENCE) {                                 // requestList
		return nil
	}
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, cbasn1.Tag(2).ContextSpecific().Constructed()) || !present {
		return nil
	}
	var list cryptobyte.String
	if !exts.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil
	}
	for !list.Empty() {
		var ext cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !list.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) {
			return nil
		}
		if !oid.Equal(oidOCSPNonce) {
			continue
		}
		ext.SkipOptionalASN1(cbasn1.BOOLEAN) // critical
		var value cryptobyte.String
		if !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
			return nil
		}
		inner := value
		var nonce cryptobyte.String
		if !inner.ReadASN1(&nonce, cbasn1.OCTET_STRING) || !inner.Empty() || len(nonce) < 1 || len(nonce) > 32 {
			return nil
		}
		return append([]byte(nil), value...)
	}
	return nil
}
