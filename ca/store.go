package ca

import (
	"context"
	"math/big"
	"time"
)

// Store is everything the authority persists or looks up. The server
// implements it on PostgreSQL; ca/memstore is the in-memory twin for tests.
//
// Serial numbers are those of the authority's issuing CA; big.Int values are
// positive. Implementations must be safe for concurrent use.
type Store interface {
	// KeySeen reports whether a certificate (or an intent) for the public key
	// with this SHA-256 of its SubjectPublicKeyInfo was ever recorded.
	KeySeen(ctx context.Context, spkiSHA256 [32]byte) (bool, error)

	// RecordIntent is written before the signature. It must fail with an
	// error matching ErrTokenUsed when the token was already redeemed, and
	// with one matching ErrKeyReused when the key already has an intent or a
	// certificate (unique constraints). A duplicate serial is an error.
	RecordIntent(ctx context.Context, in Intent) error

	// RecordIssued is written after the signature was verified.
	RecordIssued(ctx context.Context, c Issued) error

	// Issued reports whether the serial was ever issued (OCSP "unknown").
	Issued(ctx context.Context, serial *big.Int) (bool, error)

	// Revocation returns the revocation status of a serial; a serial never
	// revoked (issued or not) has Revoked false.
	Revocation(ctx context.Context, serial *big.Int) (RevocationInfo, error)

	// Revoke records a revocation. Revoking twice keeps the first record and
	// returns nil.
	Revoke(ctx context.Context, serial *big.Int, reason int, at time.Time) error

	// ListRevoked returns every revoked serial, for the CRL.
	ListRevoked(ctx context.Context) ([]RevokedEntry, error)

	// PublishCRL makes and stores a CRL: under a lock that serialises
	// publications (held until the caller's transaction ends, so a
	// revocation committed meanwhile is listed by the next one), it lists
	// the revocations, takes a number greater than any before, calls sign
	// and stores the record sign returns.
	PublishCRL(ctx context.Context, sign func(revoked []RevokedEntry, number *big.Int) (CRLRecord, error)) (CRLRecord, error)

	// LatestCRL returns the stored CRL with the highest number; ok is
	// false when none was ever stored.
	LatestCRL(ctx context.Context) (rec CRLRecord, ok bool, err error)

	// OCSPResponse returns the stored response of serial and whether the
	// serial is revoked now (which the stored response may not say yet);
	// ok is false when none is stored.
	OCSPResponse(ctx context.Context, serial *big.Int) (rec OCSPRecord, revokedNow bool, ok bool, err error)

	// PutOCSPResponse stores a response, replacing an older one of the
	// serial (by thisUpdate; a newer stored one is kept).
	PutOCSPResponse(ctx context.Context, rec OCSPRecord) error

	// OCSPStale lists at most limit serials of certificates valid at now
	// whose stored response is missing, ends before before, or states a
	// revocation status that is no longer true.
	OCSPStale(ctx context.Context, now, before time.Time, limit int) ([]*big.Int, error)

	// LineageRenewals counts the renewals (certificates that replaced
	// another) among serial and the certificates it replaced, back to the
	// first, whose validity began at or after since.
	LineageRenewals(ctx context.Context, serial *big.Int, since time.Time) (int, error)
}

// Intent is recorded before the real signature: what is about to be signed.
type Intent struct {
	Serial        *big.Int
	TBSSHA256     [32]byte // SHA-256 of the linted TBSCertificate
	SPKISHA256    [32]byte // SHA-256 of the new SubjectPublicKeyInfo
	ApplicationID string
	Token         string // single-use issuance token (unique)
	Profile       string
	CreatedAt     time.Time
}

// Issued is a signed certificate and its lineage.
type Issued struct {
	Serial        *big.Int
	DER           []byte
	SPKISHA256    [32]byte
	NotBefore     time.Time
	NotAfter      time.Time
	ApplicationID string
	Profile       string
	Tariff        string
	Replaces      *big.Int // serial of the current certificate; nil if none
}

// RevocationInfo is the status of one serial.
type RevocationInfo struct {
	Revoked   bool
	Reason    int
	RevokedAt time.Time
}

// RevokedEntry is one line of the CRL.
type RevokedEntry struct {
	Serial    *big.Int
	Reason    int
	RevokedAt time.Time
}

// CRLRecord is one signed CRL as published.
type CRLRecord struct {
	Number     *big.Int
	ThisUpdate time.Time
	NextUpdate time.Time
	DER        []byte
	// RevokedSHA256 digests the revocations it lists: when the Store's
	// differ, a new CRL is due.
	RevokedSHA256 [32]byte
}

// OCSPRecord is one pre-signed OCSP response (SHA-1 CertID, no nonce).
type OCSPRecord struct {
	Serial     *big.Int
	DER        []byte
	ThisUpdate time.Time
	NextUpdate time.Time
	Revoked    bool // the status it states
}

// Revocation reason codes (RFC 5280 5.3.1). 7 is unused by the standard.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
	ReasonRemoveFromCRL        = 8
	ReasonPrivilegeWithdrawn   = 9
	ReasonAACompromise         = 10
)
