package renewal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
	"renewal/server/internal/apierr"
	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// ChallengeMessage is what the current certificate's key signs: a text
// that names its purpose and the application, so the signature cannot be
// taken for anything else.
func ChallengeMessage(appID string, nonce []byte) []byte {
	return []byte(fmt.Sprintf("Подтверждение действующего сертификата для продления / Proof of the current certificate for renewal\napplication: %s\nnonce: %s\n",
		appID, base64.StdEncoding.EncodeToString(nonce)))
}

// Challenge makes a single-use challenge, valid five minutes, bound to
// the session's application.
func (s *Service) Challenge(ctx context.Context, sess *Session) (*wire.Challenge, error) {
	app, err := s.Store.ApplicationGet(ctx, sess.ApplicationID)
	if err != nil {
		return nil, err
	}
	st := State(app.State)
	if st.Terminal() {
		return nil, ErrClosed
	}
	if err := ActionProve.check(st); err != nil {
		return nil, err
	}
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	now := s.now()
	c := &wire.Challenge{ID: randomToken(), Message: ChallengeMessage(app.ID, nonce), ExpiresAt: now.Add(challengeTTL)}
	err = s.Store.ChallengeInsert(ctx, store.ChallengeInsertParams{
		ID: c.ID, ApplicationID: app.ID, Nonce: nonce, Purpose: "proof", CreatedAt: now, ExpiresAt: c.ExpiresAt,
	})
	return c, err
}

// Prove checks a signature over a challenge with the current certificate
// and the certificate itself (chain, time, revocation, window, the
// Russian rule against chaining), then opens a new session bound to that
// certificate. The old session ends: the session id changes at login.
func (s *Service) Prove(ctx context.Context, sess *Session, in wire.Proof) (string, *wire.Renewal, error) {
	cert, chain, err := proofCertificates(in)
	if err != nil {
		return "", nil, err
	}
	certSum := sha256.Sum256(cert.Raw)
	// Another authority's OCSP or CRL is asked now, not while the
	// transaction below holds a connection and the application's lock.
	s.Authority.PrefetchRevocation(ctx, cert, chain)
	var cookie string
	var view *wire.Renewal
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		// Every refusal below commits its audit event (and the spent
		// challenge) and changes nothing else.
		refuse := func(e error) error {
			return s.refuseAudited(ctx, tx, app, "holder", e, map[string]string{
				"certificate_serial": cert.SerialNumber.Text(16),
				"certificate_sha256": fmt.Sprintf("%x", certSum),
				"challenge":          in.ChallengeID,
			})
		}
		// Take the challenge first: whatever happens next, it is spent.
		ch, err := tx.ChallengeTake(ctx, store.ChallengeTakeParams{ID: in.ChallengeID, ApplicationID: app.ID, At: ptr(s.now())})
		if errors.Is(err, store.ErrNotFound) {
			// Used already, or another application's: nothing was taken.
			return refuse(ErrChallenge)
		} else if err != nil {
			return err
		}
		if s.now().After(ch.ExpiresAt) || ch.Purpose != "proof" {
			return refuse(ErrChallenge)
		}
		if err := checkSignature(cert, ChallengeMessage(app.ID, ch.Nonce), in.Signature); err != nil {
			return refuse(err)
		}
		if country(cert) != app.Jurisdiction {
			return refuse(ErrWrongJurisdiction)
		}
		if app.CertSha256 != nil && !bytes.Equal(app.CertSha256, certSum[:]) {
			return refuse(ErrOtherCertificate)
		}
		if err := s.certificateFitsService(app, cert); err != nil {
			return refuse(err)
		}
		if err := s.authorityIn(tx).CheckCurrent(ctx, app.Profile, cert, chain); err != nil {
			return refuse(authorityError(err))
		}
		if err := appendAudit(ctx, tx, app.ID, s.now(), "signature:proof", State(app.State), State(app.State), "holder", map[string]string{
			"certificate_serial": cert.SerialNumber.Text(16),
			"certificate_sha256": fmt.Sprintf("%x", certSum),
			"signature_sha256":   fmt.Sprintf("%x", sha256.Sum256(in.Signature)),
			"challenge":          in.ChallengeID,
		}); err != nil {
			return err
		}
		if State(app.State) == StateContactsVerified {
			now := s.now()
			serial := cert.SerialNumber.Text(16)
			err := tx.Savepoint(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.ApplicationSetCertificate(ctx, store.ApplicationSetCertificateParams{
					ID: app.ID, CertSerial: &serial, CertDer: cert.Raw, CertSha256: certSum[:], UpdatedAt: now,
				})
			})
			if errors.Is(err, store.ErrOpenApplication) {
				return refuse(s.openElsewhere(ctx, tx, app, cert, certSum[:]))
			} else if err != nil {
				return err
			}
			if err := s.noticeHolder(ctx, tx, app, cert); err != nil {
				return err
			}
			app.CertDer, app.CertSha256 = cert.Raw, certSum[:]
			if terms, _, _ := s.Catalog.service(app.Service); terms.Approval {
				org := orgOf(app.Jurisdiction, cert)
				if err := tx.ApplicationSetOrg(ctx, store.ApplicationSetOrgParams{ID: app.ID, OrgID: &org}); err != nil {
					return err
				}
				app.OrgID = &org
			}
			if err := s.move(ctx, tx, app, EventCertificateProven, "holder", map[string]string{"certificate_serial": serial}); err != nil {
				return err
			}
		}
		if err := tx.SessionRevoke(ctx, store.SessionRevokeParams{IDHash: sess.idHash, RevokedAt: ptr(s.now())}); err != nil {
			return err
		}
		var proven *Session
		if cookie, proven, err = s.newSession(ctx, tx, app.ID, certSum[:]); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, proven)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return cookie, view, nil
}

// proofCertificates parses the certificate and chain a proof carries.
// crypto/x509 leaves a GOST key unparsed (PublicKey nil), so the current
// certificate's key is read here by x509sig: a key off its curve, of small
// order or with an unknown parameter set is refused before anything else.
func proofCertificates(in wire.Proof) (*x509.Certificate, []*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(in.Certificate)
	if err != nil {
		return nil, nil, ErrBadCertificate.With(err)
	}
	if _, err := x509sig.PublicKeyOf(cert); err != nil {
		return nil, nil, ErrCertificateKey.With(err)
	}
	var chain []*x509.Certificate
	for _, der := range in.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, ErrBadCertificate.With(err)
		}
		chain = append(chain, c)
	}
	return cert, chain, nil
}

// proofAlgorithm is how one kind of key signs a challenge: the message
// (ChallengeMessage, the same bytes for every key) hashed and verified as
// that key's algorithm does. One entry per kind, one path for the proof.
type proofAlgorithm struct {
	name   string
	verify func(pub crypto.PublicKey, message, sig []byte) (bool, error)
}

// proofAlgorithms: ECDSA with SHA-256 (DER), RSA PKCS#1 v1.5 with SHA-256,
// GOST R 34.10-2012 over the Streebog of the key's size (256 or 512),
// signature s‖r of twice the key's size (RFC 4491 §2.2.2, as in
// certificates). Any other key cannot prove.
var proofAlgorithms = []proofAlgorithm{
	{"ecdsa-sha256", func(pub crypto.PublicKey, m, sig []byte) (bool, error) {
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return false, nil
		}
		h := sha256.Sum256(m)
		if !ecdsa.VerifyASN1(k, h[:], sig) {
			return true, errSignatureMismatch
		}
		return true, nil
	}},
	{"rsa-pkcs1v15-sha256", func(pub crypto.PublicKey, m, sig []byte) (bool, error) {
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return false, nil
		}
		h := sha256.Sum256(m)
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig); err != nil {
			return true, errSignatureMismatch
		}
		return true, nil
	}},
	{"gost2012-streebog", func(pub crypto.PublicKey, m, sig []byte) (bool, error) {
		k, ok := pub.(*gost3410.PublicKey)
		if !ok {
			return false, nil
		}
		// A value that is not s‖r in range is a malformed signature, told
		// apart from one that does not verify.
		if _, _, err := gost3410.ParseSignature(k.Curve(), sig); err != nil {
			return true, ErrProofSignatureForm.With(fmt.Errorf("%d bytes for a %d-bit key: %w", len(sig), 8*k.Curve().Size(), err))
		}
		if !gost3410.VerifyMessage(k, m, sig) {
			return true, errSignatureMismatch
		}
		return true, nil
	}},
}

var errSignatureMismatch = errors.New("the signature does not verify with the certificate's key")

// checkSignature verifies a signature of the current certificate's key
// over message with the entry of proofAlgorithms for that key. A refusal
// is an *apierr.Error: ErrProofSignatureForm, ErrCertificateKey, or
// ErrProofSignature.
func checkSignature(cert *x509.Certificate, message, sig []byte) error {
	pub, err := x509sig.PublicKeyOf(cert)
	if err != nil {
		return ErrCertificateKey.With(err)
	}
	for _, a := range proofAlgorithms {
		matched, err := a.verify(pub, message, sig)
		if !matched {
			continue
		}
		var ae *apierr.Error
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ae):
			return err
		default:
			return ErrProofSignature.With(fmt.Errorf("%s: %w", a.name, err))
		}
	}
	return ErrProofSignature.With(fmt.Errorf("key type %T cannot sign here", pub))
}

// openElsewhere refuses a second application of a certificate and sends
// the holder, at the e-mail of the first, the link that resumes it; when
// the second came with another phone, the first's phone is told too: a
// new contact never silently replaces the one already verified.
func (s *Service) openElsewhere(ctx context.Context, tx *store.Tx, second *store.Application, cert *x509.Certificate, certSum []byte) error {
	first, err := tx.ApplicationOpenForCertificate(ctx, certSum)
	if err != nil {
		return err
	}
	if err := s.sendResumeLink(ctx, tx, &first, nextOpenApplication); err != nil {
		return err
	}
	if first.Phone != second.Phone {
		if err := s.queue(ctx, tx, first.ID, notify.OpenedNoticeSMS(lang(&first), first.Phone, shortSerial(cert)), false); err != nil {
			return err
		}
	}
	return ErrOpenApplication.With(fmt.Errorf("application %s is open", first.ID))
}

// certificateFitsService: an employee's certificate (it names a legal
// entity) renews through the employee's service, with the head's
// approval; any other through the owner's. Refused at the proof, before
// anything is paid for.
func (s *Service) certificateFitsService(app *store.Application, cert *x509.Certificate) error {
	terms, _, ok := s.Catalog.service(app.Service)
	if !ok {
		return apierr.ErrServiceNotFound
	}
	switch employee := orgOf(app.Jurisdiction, cert) != ""; {
	case employee && !terms.Approval:
		return ErrEmployeeCertificate[app.Jurisdiction]
	case !employee && terms.Approval:
		return ErrNotEmployeeCertificate[app.Jurisdiction]
	}
	return nil
}

// country is the certificate subject's C attribute.
func country(c *x509.Certificate) string {
	if len(c.Subject.Country) == 0 {
		return ""
	}
	return c.Subject.Country[0]
}

// authorityError gives the authority's refusal its public form: a
// problem of the request or its key is the client's to fix (400); a
// problem of the current certificate forbids the renewal (403); a
// revocation status nobody could give is for later (503).
func authorityError(err error) error {
	var ce *ca.Error
	if !errors.As(err, &ce) {
		return err
	}
	kind := apierr.KindForbidden
	for _, bad := range requestProblems {
		if errors.Is(err, bad) {
			kind = apierr.KindBadRequest
		}
	}
	if errors.Is(err, ca.ErrRevocationUnavailable) {
		kind = apierr.KindUnavailable // 503 with Retry-After: try again later
	}
	return apierr.New(kind, ce.Code, ce.RU, ce.EN).With(err)
}

// requestProblems are the authority's refusals of a request or key.
var requestProblems = []error{ca.ErrBadRequest, ca.ErrBadCSR, ca.ErrBadSignature, ca.ErrUnsupportedAlgorithm,
	ca.ErrWeakKey, ca.ErrKeyNotAllowed, ca.ErrKeyReused, ca.ErrSubjectChanged}

func ptr[T any](v T) *T { return &v }
