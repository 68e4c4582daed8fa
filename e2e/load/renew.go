package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"renewal/app/wire"
	"renewal/ca/cms"
	"renewal/ca/x509sig"
)

// Step names, in the order of a renewal. Each is one HTTP call, as the
// browser's wizard makes it, except the waits ("wait:"), which poll the
// application (GET /api/v1/renewal) until the server's jobs move it on.
const (
	StepStart          = "start"                 // POST /api/v1/renewal
	StepOutbox         = "codes (dev outbox)"    // GET /dev/api/outbox
	StepContacts       = "contacts"              // POST /renewal/contacts
	StepChallenge      = "challenge"             // POST /renewal/challenge
	StepProof          = "proof"                 // POST /renewal/proof
	StepTariffs        = "tariffs"               // GET /renewal/tariffs
	StepTariff         = "tariff"                // PUT /renewal/tariff
	StepTermsList      = "terms (read)"          // GET /renewal/terms
	StepTerms          = "terms (accept)"        // POST /renewal/terms
	StepPersonal       = "personal-data"         // POST /renewal/personal-data
	StepCheck          = "wait: registry check"  // until verified
	StepApplicationPDF = "application.pdf"       // GET /renewal/application.pdf
	StepSign           = "application signature" // POST /renewal/application/signature
	StepPayment        = "payment"               // POST /renewal/payment
	StepCardPage       = "card page (sandbox)"   // GET /sandbox/pay/{ref}
	StepCardPay        = "card pay (sandbox)"    // POST /sandbox/pay/{ref}
	StepPaid           = "wait: paid, key_pending"
	StepRequest        = "request (CSR)"        // POST /renewal/request
	StepIssued         = "wait: issued"         // until issued
	StepCertificate    = "certificate.pem"      // GET /renewal/certificate.pem
	StepForm           = "certificate-form.pdf" // GET /renewal/certificate-form.pdf
	StepAck            = "acknowledgement"      // POST /renewal/acknowledgement
	StepDelivered      = "delivered"            // POST /renewal/delivered
	StepPoll           = "poll (GET renewal)"   // each GET /api/v1/renewal of a wait
	StepPollBusy       = "poll refused (503)"   // a poll the server refused as overloaded: asked again
	StepEvents         = "events stream opened" // each GET /api/v1/renewal/events of a wait (to its first event)
)

// Steps lists the step names in order, for reports.
var Steps = []string{StepStart, StepOutbox, StepContacts, StepChallenge, StepProof, StepTariffs, StepTariff,
	StepTermsList, StepTerms, StepPersonal, StepCheck, StepApplicationPDF, StepSign, StepPayment, StepCardPage,
	StepCardPay, StepPaid, StepRequest, StepIssued, StepCertificate, StepForm, StepAck, StepDelivered, StepPoll, StepPollBusy, StepEvents}

// Options of one renewal.
type Options struct {
	// Poll is the pause between two reads of the application while
	// waiting for a job (the wizard asks every 1–2 s; a benchmark asks
	// more often to see the server's latency, not its own).
	Poll time.Duration
	// Wait bounds each wait for a job.
	Wait time.Duration
	// Events: the waits follow GET /api/v1/renewal/events, as the wizard
	// does, instead of polling every Poll.
	Events bool
	// Alternate, if set, sends each call to the next of these servers in
	// turn (instances on one database), instead of the base URL.
	Alternate []string
}

// Timing is one step of one renewal.
type Timing struct {
	Step string
	D    time.Duration
}

// Result is one complete renewal, or how far it got.
type Result struct {
	Holder        int
	ApplicationID string
	Timings       []Timing
	CSRToCert     time.Duration // from sending the request to seeing the application issued
	Elapsed       time.Duration
	Step          string // the step that failed
	Err           error
}

// renewal is one holder's browser: its own HTTP client and cookie jar,
// the CSRF token of its session, the application as last seen.
type renewal struct {
	h      *Holder
	base   string
	opt    Options
	client *http.Client
	csrf   string
	view   wire.Renewal
	res    *Result
	calls  int // for Options.Alternate

	newKey  crypto.Signer
	newCert *x509.Certificate
	newCA   []*x509.Certificate
}

// Renew drives one complete renewal of h through the HTTP API of the
// server at base, in the order the wizard makes its calls: contacts and
// codes, proof of the current certificate, tariff and terms, personal
// data and the registry check, the signed application, card payment
// through the sandbox's page (the sandbox sends its signed webhook
// itself), the new key's request and its issuance, acknowledgement with
// the new key, delivery.
func Renew(ctx context.Context, base string, h *Holder, opt Options) Result {
	if opt.Poll == 0 {
		opt.Poll = 50 * time.Millisecond
	}
	if opt.Wait == 0 {
		opt.Wait = 60 * time.Second
	}
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	r := &renewal{h: h, base: base, opt: opt, res: &Result{Holder: h.Index},
		client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}}
	start := time.Now()
	for _, s := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"contacts", r.contacts},
		{"proof", r.prove},
		{"tariff and terms", r.tariffAndTerms},
		{"personal data", r.personalData},
		{"application", r.signApplication},
		{"payment", r.payByCard},
		{"request", r.request},
		{"acknowledgement", r.acknowledge},
		{"delivery", r.deliver},
	} {
		if err := s.run(ctx); err != nil {
			r.res.Err = err
			if r.res.Step == "" {
				r.res.Step = s.name
			}
			break
		}
	}
	r.res.Elapsed = time.Since(start)
	r.res.ApplicationID = r.view.ID
	return *r.res
}

// ---- the steps ----

// contacts opens the application and verifies both contacts with the
// codes read from the dev outbox.
func (r *renewal) contacts(ctx context.Context) error {
	if err := r.call(ctx, StepStart, "POST", "/api/v1/renewal",
		wire.RenewalStart{Service: r.h.Service, Phone: r.h.Phone, Email: r.h.Email}, &r.view); err != nil {
		return err
	}
	sms, email, err := r.codes(ctx)
	if err != nil {
		return err
	}
	return r.call(ctx, StepContacts, "POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: sms, EmailCode: email}, &r.view)
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// codes reads this application's two codes from /dev/api/outbox (the
// newest 200 messages of the server; they are written in the start's
// transaction).
func (r *renewal) codes(ctx context.Context) (sms, email string, err error) {
	var msgs []struct {
		ApplicationID string `json:"application_id"`
		Channel       string `json:"channel"`
		Body          string `json:"body"`
	}
	if err := r.call(ctx, StepOutbox, "GET", "/dev/api/outbox", nil, &msgs); err != nil {
		return "", "", err
	}
	for _, m := range msgs { // newest first
		c := sixDigits.FindStringSubmatch(m.Body)
		if m.ApplicationID != r.view.ID || c == nil {
			continue
		}
		if m.Channel == "sms" && sms == "" {
			sms = c[1]
		}
		if m.Channel == "email" && email == "" {
			email = c[1]
		}
	}
	if sms == "" || email == "" {
		return "", "", r.fail(StepOutbox, fmt.Errorf("no codes for %s among the outbox's %d newest messages", r.view.ID, len(msgs)))
	}
	return sms, email, nil
}

// prove signs a fresh challenge with the current certificate's key.
func (r *renewal) prove(ctx context.Context) error {
	var ch wire.Challenge
	if err := r.call(ctx, StepChallenge, "POST", "/api/v1/renewal/challenge", nil, &ch); err != nil {
		return err
	}
	sig, err := signChallenge(r.h.Key, ch.Message)
	if err != nil {
		return r.fail(StepProof, err)
	}
	p := wire.Proof{ChallengeID: ch.ID, Certificate: r.h.Cert.Raw, Signature: sig}
	for _, c := range r.h.Chain {
		p.Chain = append(p.Chain, c.Raw)
	}
	return r.call(ctx, StepProof, "POST", "/api/v1/renewal/proof", p, &r.view)
}

// tariffAndTerms takes the first tariff and accepts every document as shown.
func (r *renewal) tariffAndTerms(ctx context.Context) error {
	var tl wire.TariffList
	if err := r.call(ctx, StepTariffs, "GET", "/api/v1/renewal/tariffs", nil, &tl); err != nil {
		return err
	}
	if len(tl.Tariffs) == 0 {
		return r.fail(StepTariffs, errors.New("no tariff offered"))
	}
	if err := r.call(ctx, StepTariff, "PUT", "/api/v1/renewal/tariff", wire.TariffChoice{Tariff: tl.Tariffs[0].Code}, &r.view); err != nil {
		return err
	}
	var terms wire.TermsList
	if err := r.call(ctx, StepTermsList, "GET", "/api/v1/renewal/terms", nil, &terms); err != nil {
		return err
	}
	var acc wire.TermsAcceptance
	for _, d := range terms.Documents {
		acc.Accepted = append(acc.Accepted, wire.AcceptedDocument{Code: d.Code, Version: d.Version, SHA256: d.SHA256})
	}
	return r.call(ctx, StepTerms, "POST", "/api/v1/renewal/terms", acc, &r.view)
}

// personalData sends the identifiers and waits for the registry check.
func (r *renewal) personalData(ctx context.Context) error {
	if err := r.call(ctx, StepPersonal, "POST", "/api/v1/renewal/personal-data", r.h.Personal, &r.view); err != nil {
		return err
	}
	_, err := r.waitState(ctx, StepCheck, "verified")
	return err
}

// signApplication signs the application PDF's exact bytes (detached CMS,
// the chain inside) with the current key.
func (r *renewal) signApplication(ctx context.Context) error {
	var pdf []byte
	if err := r.call(ctx, StepApplicationPDF, "GET", "/api/v1/renewal/application.pdf", nil, &pdf); err != nil {
		return err
	}
	sig, err := cms.SignDetached(pdf, r.h.Cert, r.h.Chain, time.Now(), cms.MessageSignerFunc(r.h.Key))
	if err != nil {
		return r.fail(StepSign, err)
	}
	if err := r.call(ctx, StepSign, "POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: sig}, &r.view); err != nil {
		return err
	}
	return r.expect(StepSign, "awaiting_payment")
}

// payByCard opens a card payment, pays on the sandbox's own page with
// the test card, and waits until the sandbox's webhook has moved the
// application on to the new key.
func (r *renewal) payByCard(ctx context.Context) error {
	if err := r.payCard(ctx); err != nil {
		return err
	}
	_, err := r.waitState(ctx, StepPaid, "key_pending")
	return err
}

// payCard opens a card payment and pays on the sandbox's own page (at
// the address the server gave, as a browser follows it) with the test
// card.
func (r *renewal) payCard(ctx context.Context) error {
	if err := r.call(ctx, StepPayment, "POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "card"}, &r.view); err != nil {
		return err
	}
	if r.view.Payment == nil || r.view.Payment.RedirectURL == "" {
		return r.fail(StepPayment, errors.New("no card payment page in the answer"))
	}
	page, err := url.Parse(r.view.Payment.RedirectURL)
	if err != nil {
		return r.fail(StepPayment, err)
	}
	// The page is the sandbox's of the instance that opened the payment.
	base := r.base
	r.base = page.Scheme + "://" + page.Host
	defer func() { r.base = base }()
	var html []byte
	if err := r.call(ctx, StepCardPage, "GET", page.RequestURI(), nil, &html); err != nil {
		return err
	}
	if !bytes.Contains(html, []byte(`<form method="post" action="`+page.Path+`">`)) {
		return r.fail(StepCardPage, errors.New("no card form on the sandbox's page"))
	}
	form := url.Values{"card": {"4111 1111 1111 1111"}, "exp": {"12/30"}, "cvc": {"123"}}
	if err := r.call(ctx, StepCardPay, "POST", page.RequestURI(), form, &html); err != nil {
		return err
	}
	if !bytes.Contains(html, []byte("Оплата прошла успешно")) {
		return r.fail(StepCardPay, errors.New("the sandbox did not accept the test card"))
	}
	return nil
}

// request makes the new key and its request (an empty subject, as the
// browser's), and waits for the certificate.
func (r *renewal) request(ctx context.Context) error {
	sent := time.Now()
	if err := r.submitRequest(ctx); err != nil {
		return err
	}
	seen, err := r.waitState(ctx, StepIssued, "issued")
	if err != nil {
		return err
	}
	r.res.CSRToCert = seen.Sub(sent)
	return nil
}

// submitRequest makes the new key of the profile's kind and sends its
// request (x509sig: crypto/x509 cannot sign with a GOST key).
func (r *renewal) submitRequest(ctx context.Context) error {
	key, err := newKey(r.view.KeyAlgorithm)
	if err != nil {
		return r.fail(StepRequest, err)
	}
	csr, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{}}, key)
	if err != nil {
		return r.fail(StepRequest, err)
	}
	r.newKey = key
	return r.call(ctx, StepRequest, "POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, &r.view)
}

// acknowledge reads the new certificate and its form, and signs the form
// with the new key.
func (r *renewal) acknowledge(ctx context.Context) error {
	var pemBytes []byte
	if err := r.call(ctx, StepCertificate, "GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes); err != nil {
		return err
	}
	var certs []*x509.Certificate
	for rest := pemBytes; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return r.fail(StepCertificate, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return r.fail(StepCertificate, errors.New("no certificate in the answer"))
	}
	r.newCert, r.newCA = certs[0], certs[1:]
	// crypto/x509 leaves a GOST key nil: x509sig reads it.
	pub, err := x509sig.PublicKeyOf(r.newCert)
	if err != nil {
		return r.fail(StepCertificate, err)
	}
	if !samePublic(r.newKey, pub) {
		return r.fail(StepCertificate, errors.New("the certificate is not of the new key"))
	}
	var form []byte
	if err := r.call(ctx, StepForm, "GET", "/api/v1/renewal/certificate-form.pdf", nil, &form); err != nil {
		return err
	}
	sig, err := cms.SignDetached(form, r.newCert, r.newCA, time.Now(), cms.MessageSignerFunc(r.newKey))
	if err != nil {
		return r.fail(StepAck, err)
	}
	if err := r.call(ctx, StepAck, "POST", "/api/v1/renewal/acknowledgement", wire.ApplicationSignature{Signature: sig}, &r.view); err != nil {
		return err
	}
	return r.expect(StepAck, "acknowledged")
}

// deliver says the certificate is saved with the key.
func (r *renewal) deliver(ctx context.Context) error {
	if err := r.call(ctx, StepDelivered, "POST", "/api/v1/renewal/delivered", nil, &r.view); err != nil {
		return err
	}
	return r.expect(StepDelivered, "delivered")
}

// ---- HTTP ----

// call makes one request as the wizard's browser does: JSON in (a form
// for url.Values), the session's cookie and CSRF token, the holder's
// address through the trusted proxy. out is a *[]byte for raw bodies,
// else JSON is decoded into it; an answer that carries a CSRF token
// (wire.Renewal) updates the session's. The time of the round trip is
// recorded under step.
func (r *renewal) call(ctx context.Context, step, method, path string, in, out any) error {
	var body io.Reader
	ctype := ""
	switch v := in.(type) {
	case nil:
	case url.Values:
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return r.fail(step, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	base := r.base
	if len(r.opt.Alternate) > 0 && !strings.HasPrefix(path, "/sandbox/") {
		base = r.opt.Alternate[r.calls%len(r.opt.Alternate)]
		r.calls++
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return r.fail(step, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.csrf != "" && strings.HasPrefix(path, "/api/") {
		req.Header.Set("X-CSRF-Token", r.csrf)
	}
	req.Header.Set("X-Forwarded-For", r.h.IP)
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return r.fail(step, err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.res.Timings = append(r.res.Timings, Timing{step, time.Since(start)})
	if err != nil {
		return r.fail(step, err)
	}
	if resp.StatusCode >= 300 {
		var e wire.Error
		_ = json.Unmarshal(raw, &e)
		if e.Code == "" {
			e.Code, e.MessageEN = "-", strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		return r.fail(step, &HTTPError{Method: method, Path: path, Status: resp.StatusCode, Code: e.Code, Message: e.MessageEN,
			RetryAfter: resp.Header.Get("Retry-After")})
	}
	switch o := out.(type) {
	case nil:
	case *[]byte:
		*o = raw
	default:
		if err := json.Unmarshal(raw, out); err != nil {
			return r.fail(step, fmt.Errorf("%s %s: %w", method, path, err))
		}
	}
	if v, ok := out.(*wire.Renewal); ok && v.CSRFToken != "" {
		r.csrf = v.CSRFToken
	}
	return nil
}

// HTTPError is a refusal of the server.
type HTTPError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
	RetryAfter   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// waitState reads the application until it reaches want; it records the
// whole wait under step and returns when the state was seen.
func (r *renewal) waitState(ctx context.Context, step, want string) (time.Time, error) {
	if r.opt.Events {
		return r.waitEvents(ctx, step, want)
	}
	start := time.Now()
	deadline := start.Add(r.opt.Wait)
	for r.view.State != want {
		switch r.view.State {
		case "rejected", "cancelled", "expired":
			return time.Time{}, r.fail(step, fmt.Errorf("application %s is %s, waited for %s", r.view.ID, r.view.State, want))
		}
		if time.Now().After(deadline) {
			return time.Time{}, r.fail(step, fmt.Errorf("application %s still %s after %s, waited for %s", r.view.ID, r.view.State, r.opt.Wait, want))
		}
		select {
		case <-ctx.Done():
			return time.Time{}, r.fail(step, ctx.Err())
		case <-time.After(r.opt.Poll):
		}
		// The wizard's follower ignores a failed poll and asks again at
		// its next tick; so does this one for an overloaded server's 503.
		if err := r.call(ctx, StepPoll, "GET", "/api/v1/renewal", nil, &r.view); err != nil {
			var he *HTTPError
			if errors.As(err, &he) && he.Status == http.StatusServiceUnavailable {
				t := &r.res.Timings[len(r.res.Timings)-1]
				t.Step = StepPollBusy
				r.res.Step = ""
				continue
			}
			r.res.Step = step
			return time.Time{}, err
		}
	}
	seen := time.Now()
	r.res.Timings = append(r.res.Timings, Timing{step, seen.Sub(start)})
	return seen, nil
}

func (r *renewal) expect(step, state string) error {
	if r.view.State != state {
		return r.fail(step, fmt.Errorf("application %s is %s, want %s", r.view.ID, r.view.State, state))
	}
	return nil
}

// fail notes the first failing step.
func (r *renewal) fail(step string, err error) error {
	if r.res.Step == "" {
		r.res.Step = step
	}
	return err
}

// waitEvents follows the application's events stream until it reaches
// want, as the wizard does; it records the whole wait under step. A
// stream refused as overloaded (503) is opened again after Poll.
func (r *renewal) waitEvents(ctx context.Context, step, want string) (time.Time, error) {
	start := time.Now()
	if r.view.State == want { // the call's own answer (issued at once): nothing to wait for
		r.res.Timings = append(r.res.Timings, Timing{step, 0})
		return start, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.opt.Wait)
	defer cancel()
	// The client's own timeout would cut a long wait: the context bounds it.
	client := &http.Client{Jar: r.client.Jar, Transport: r.client.Transport}
	for {
		base := r.base
		if len(r.opt.Alternate) > 0 {
			base = r.opt.Alternate[r.calls%len(r.opt.Alternate)]
			r.calls++
		}
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/renewal/events", nil)
		if err != nil {
			return time.Time{}, r.fail(step, err)
		}
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("X-Forwarded-For", r.h.IP)
		opened := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return time.Time{}, r.fail(step, fmt.Errorf("events of %s, waited for %s: %w", r.view.ID, want, err))
		}
		if resp.StatusCode != http.StatusOK {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var e wire.Error
			_ = json.Unmarshal(raw, &e)
			if resp.StatusCode == http.StatusServiceUnavailable {
				r.res.Timings = append(r.res.Timings, Timing{StepPollBusy, time.Since(opened)})
				select {
				case <-ctx.Done():
					return time.Time{}, r.fail(step, ctx.Err())
				case <-time.After(r.opt.Poll):
				}
				continue
			}
			return time.Time{}, r.fail(step, &HTTPError{Method: "GET", Path: "/api/v1/renewal/events", Status: resp.StatusCode, Code: e.Code, Message: e.MessageEN})
		}
		seen, err := r.readEvents(resp.Body, want, opened)
		resp.Body.Close()
		if errors.Is(err, errStreamEnded) && ctx.Err() == nil {
			// A browser's EventSource opens it again after the server's
			// retry: (1 s); so does this one.
			select {
			case <-ctx.Done():
				return time.Time{}, r.fail(step, fmt.Errorf("%w: %w", err, ctx.Err()))
			case <-time.After(time.Second):
			}
			continue
		}
		if err != nil {
			return time.Time{}, r.fail(step, err)
		}
		r.res.Timings = append(r.res.Timings, Timing{step, seen.Sub(start)})
		return seen, nil
	}
}

// readEvents reads a stream's events into the view until it is in want.
func (r *renewal) readEvents(body io.Reader, want string, opened time.Time) (time.Time, error) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var data []byte
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		if d, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			data = append(data, d...)
			continue
		}
		if len(line) != 0 || len(data) == 0 {
			continue // a comment (heartbeat), retry:, or an empty event
		}
		var v wire.Renewal
		if err := json.Unmarshal(data, &v); err != nil {
			return time.Time{}, fmt.Errorf("an event of %s: %w", r.view.ID, err)
		}
		data = data[:0]
		if first {
			r.res.Timings = append(r.res.Timings, Timing{StepEvents, time.Since(opened)})
			first = false
		}
		r.view = v
		if v.CSRFToken != "" {
			r.csrf = v.CSRFToken
		}
		switch v.State {
		case want:
			return time.Now(), nil
		case "rejected", "cancelled", "expired":
			return time.Time{}, fmt.Errorf("application %s is %s, waited for %s", v.ID, v.State, want)
		}
	}
	if err := sc.Err(); err != nil {
		return time.Time{}, fmt.Errorf("events of %s, waited for %s: %w", r.view.ID, want, err)
	}
	return time.Time{}, fmt.Errorf("%w: events of %s ended at %s, waited for %s", errStreamEnded, r.view.ID, r.view.State, want)
}

// errStreamEnded: the server closed a stream before the state waited for.
var errStreamEnded = errors.New("the events stream ended")
