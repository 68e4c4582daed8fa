package load

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"renewal/app/wire"
)

// Renewal is one holder's browser driven step by step, for tests that
// stop a renewal in the middle (kill the server, restart its database,
// switch to another instance) and go on. Renew runs all the steps at
// once.
type Renewal struct{ r *renewal }

// NewRenewal is h's browser on the server at base.
func NewRenewal(base string, h *Holder, opt Options) *Renewal {
	if opt.Poll == 0 {
		opt.Poll = 50 * time.Millisecond
	}
	if opt.Wait == 0 {
		opt.Wait = 60 * time.Second
	}
	jar, _ := cookiejar.New(nil)
	return &Renewal{r: &renewal{h: h, base: base, opt: opt, res: &Result{Holder: h.Index},
		client: &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}}}
}

// SetBase sends the next calls to another server (an instance on the
// same database, or the same one restarted on another port). The
// session's cookie goes along: cookies do not depend on the port.
func (R *Renewal) SetBase(base string) {
	R.r.base = base
	R.r.client.Transport.(*http.Transport).CloseIdleConnections()
}

// ID is the application's.
func (R *Renewal) ID() string { return R.r.view.ID }

// State is the application's state as last seen.
func (R *Renewal) State() string { return R.r.view.State }

// Result is the renewal so far (timings, the failing step).
func (R *Renewal) Result() Result { return *R.r.res }

// ToPayment opens the application and takes it to awaiting_payment:
// contacts and their codes, the proof, tariff and terms, personal data
// and the registry check, the signed application.
func (R *Renewal) ToPayment(ctx context.Context) error {
	for _, f := range []func(context.Context) error{R.r.contacts, R.r.prove, R.AfterProof} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Open starts the application (the codes are sent).
func (R *Renewal) Open(ctx context.Context) error {
	return R.r.call(ctx, StepStart, "POST", "/api/v1/renewal",
		wire.RenewalStart{Service: R.r.h.Service, Phone: R.r.h.Phone, Email: R.r.h.Email}, &R.r.view)
}

// VerifyContacts sends the two codes read from the dev outbox.
func (R *Renewal) VerifyContacts(ctx context.Context) error {
	sms, email, err := R.r.codes(ctx)
	if err != nil {
		return err
	}
	return R.r.call(ctx, StepContacts, "POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: sms, EmailCode: email}, &R.r.view)
}

// Challenge asks for a challenge to sign with the current certificate.
func (R *Renewal) Challenge(ctx context.Context) (wire.Challenge, error) {
	var ch wire.Challenge
	err := R.r.call(ctx, StepChallenge, "POST", "/api/v1/renewal/challenge", nil, &ch)
	return ch, err
}

// Prove answers ch with the current certificate's key.
func (R *Renewal) Prove(ctx context.Context, ch wire.Challenge) error {
	sig, err := signChallenge(R.r.h.Key, ch.Message)
	if err != nil {
		return err
	}
	p := wire.Proof{ChallengeID: ch.ID, Certificate: R.r.h.Cert.Raw, Signature: sig}
	for _, c := range R.r.h.Chain {
		p.Chain = append(p.Chain, c.Raw)
	}
	return R.r.call(ctx, StepProof, "POST", "/api/v1/renewal/proof", p, &R.r.view)
}

// AfterProof takes a proven application to awaiting_payment: tariff and
// terms, personal data and the registry check, the signed application.
func (R *Renewal) AfterProof(ctx context.Context) error {
	for _, f := range []func(context.Context) error{R.r.tariffAndTerms, R.r.personalData, R.r.signApplication} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Certificate is the new certificate, once Finish has read it.
func (R *Renewal) Certificate() *x509.Certificate { return R.r.newCert }

// Pay pays by card on the sandbox's page (at the address of the payment
// page the server gave, as a browser follows it) and waits for one of
// the states want.
func (R *Renewal) Pay(ctx context.Context, want ...string) error {
	if err := R.r.payCard(ctx); err != nil {
		return err
	}
	_, err := R.WaitState(ctx, want...)
	return err
}

// SubmitRequest makes the new key and sends its request, without
// waiting for the certificate.
func (R *Renewal) SubmitRequest(ctx context.Context) error { return R.r.submitRequest(ctx) }

// Refresh reads the application again.
func (R *Renewal) Refresh(ctx context.Context) error {
	return R.r.call(ctx, StepPoll, "GET", "/api/v1/renewal", nil, &R.r.view)
}

// WaitState reads the application until it is in one of the states
// want; failed reads (a server restarting) are read again until the
// wait ends.
func (R *Renewal) WaitState(ctx context.Context, want ...string) (string, error) {
	deadline := time.Now().Add(R.r.opt.Wait)
	var last error
	for {
		for _, w := range want {
			if R.r.view.State == w {
				return w, nil
			}
		}
		if time.Now().After(deadline) {
			if last != nil {
				return "", last
			}
			return "", errors.New("application " + R.r.view.ID + " still " + R.r.view.State + ", waited for " + strings.Join(want, " or "))
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(R.r.opt.Poll):
		}
		last = R.Refresh(ctx)
	}
}

// Finish reads the certificate, signs the acknowledgement with the new
// key and says it is delivered.
func (R *Renewal) Finish(ctx context.Context) error {
	if err := R.r.acknowledge(ctx); err != nil {
		return err
	}
	return R.r.deliver(ctx)
}

// View is the application as last seen.
func (R *Renewal) View() wire.Renewal { return R.r.view }
