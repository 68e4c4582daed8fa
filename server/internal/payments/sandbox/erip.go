package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"renewal/server/internal/payments"
)

// ERIP stands for ERIP, the Belarusian settlement system: Create returns
// a code (the account number in the service tree, see [payments.ERIPServicePath]),
// and GET /sandbox/erip plays "the bank" where the person enters the code
// and pays. A code is paid once. It implements [payments.Provider] and
// [http.Handler].
type ERIP struct {
	*sandbox
	mux *http.ServeMux
}

var _ payments.Provider = (*ERIP)(nil)

// NewERIP loads the sandbox's state from cfg.Dir (erip.journal) and
// serves the bank page. Call Start to deliver notifications.
func NewERIP(cfg Config) (*ERIP, error) {
	s, err := newSandbox(cfg, payments.MethodERIP)
	if err != nil {
		return nil, err
	}
	e := &ERIP{sandbox: s, mux: http.NewServeMux()}
	e.mux.HandleFunc("GET /sandbox/erip", e.serveBank)
	e.mux.HandleFunc("POST /sandbox/erip", e.servePay)
	return e, nil
}

// Method returns payments.MethodERIP.
func (e *ERIP) Method() payments.Method { return payments.MethodERIP }

// BankURL is the sandbox's "bank" page, for a dev link next to the code.
func (e *ERIP) BankURL() string { return e.cfg.BaseURL + "/sandbox/erip" }

// Create opens a payment in BYN and returns its ERIP code (10 digits). A
// repeated PaymentID returns the same payment and code.
func (e *ERIP) Create(_ context.Context, r payments.CreateRequest) (payments.Created, error) {
	if err := validateCreate(r, "BYN"); err != nil {
		return payments.Created{}, err
	}
	p, err := e.create(r, func() string { return "erip_" + randomHex(10) }, e.newCodeLocked)
	if err != nil {
		return payments.Created{}, err
	}
	return payments.Created{ProviderRef: p.Ref, ERIPCode: p.ERIPCode}, nil
}

// newCodeLocked returns an unused 10-digit code not starting with 0. Call
// with e.mu held.
func (e *ERIP) newCodeLocked() string {
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
		if err != nil {
			panic(err)
		}
		code := fmt.Sprintf("%d", 1_000_000_000+n.Int64())
		if e.sandbox.byCode[code] == nil {
			return code
		}
	}
}

// byCode returns a copy of the payment with this code as last saved.
func (e *ERIP) byCode(code string) (*sbPayment, bool) {
	e.mu.Lock()
	en := e.sandbox.byCode[code]
	e.mu.Unlock()
	return en.snapshot()
}

// Verify checks a notification's signature and timestamp and parses it.
func (e *ERIP) Verify(header func(string) string, body []byte, now time.Time) (payments.Event, error) {
	return e.verify(header, body, now)
}

// Status answers from the sandbox's state.
func (e *ERIP) Status(_ context.Context, providerRef string) (payments.Status, error) {
	return e.status(providerRef)
}

// Refund refunds part or all of a paid payment and sends "refunded".
func (e *ERIP) Refund(_ context.Context, providerRef string, amountMinor int64) error {
	return e.refund(providerRef, amountMinor)
}

// PayByCode pays the payment with this code, as the bank page does, and
// queues "succeeded". It fails with payments.ErrUnknownPayment for an unknown code
// and ErrCodeUsed for a code already paid.
func (e *ERIP) PayByCode(code string) (payments.Event, error) {
	code = digitsOnly(code, " -")
	p, ok := e.byCode(code)
	if !ok {
		return payments.Event{}, fmt.Errorf("%w: ERIP code %q", payments.ErrUnknownPayment, code)
	}
	_, evs, err := e.change(p.Ref, func(p *sbPayment) ([]emission, error) {
		if p.State != sbPending {
			return nil, fmt.Errorf("%w: %s", ErrCodeUsed, p.ERIPCode)
		}
		p.State = sbSucceeded
		p.UpdatedAt = e.cfg.Now().UTC()
		return []emission{{payments.EventSucceeded, p.AmountMinor}}, nil
	})
	if err != nil {
		return payments.Event{}, err
	}
	return evs[0], nil
}

// ErrCodeUsed means an ERIP code has already been paid.
var ErrCodeUsed = errors.New("payments: the ERIP code has already been paid")

// ServeHTTP serves GET /sandbox/erip (enter a code; with ?code= shows the
// amount) and POST /sandbox/erip (pay).
func (e *ERIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mux.ServeHTTP(w, withSandboxPrefix(r))
}

func (e *ERIP) bankPage() pageData {
	return pageData{
		Brand:   "Тестовый банк · Test bank",
		TitleRU: "Платежи ЕРИП", TitleEN: "ERIP payments",
		ServicePath: payments.ERIPServicePath, ServicePathEN: payments.ERIPServicePathEN,
	}
}

func (e *ERIP) serveBank(w http.ResponseWriter, r *http.Request) {
	d := e.bankPage()
	code, given := r.URL.Query()["code"]
	if !given {
		render(w, http.StatusOK, "erip-code", d)
		return
	}
	cp, ok := e.byCode(digitsOnly(code[0], " -"))
	switch {
	case !ok:
		d.ErrorRU, d.ErrorEN = "Счёт с таким номером не найден.", "No account with this number."
		render(w, http.StatusNotFound, "erip-code", d)
	case cp.State != sbPending:
		e.renderUsed(w, d, cp)
	default:
		d.P = cp
		render(w, http.StatusOK, "erip-confirm", d)
	}
}

func (e *ERIP) renderUsed(w http.ResponseWriter, d pageData, p *sbPayment) {
	d.P = p
	d.ErrorRU, d.ErrorEN = "Этот счёт уже оплачен. Повторная оплата невозможна.", "This account has already been paid. It cannot be paid again."
	d.MessageRU, d.MessageEN = "Если вы не платили, обратитесь в удостоверяющий центр.", "If you did not pay, contact the certification centre."
	render(w, http.StatusConflict, "erip-result", d)
}

func (e *ERIP) servePay(w http.ResponseWriter, r *http.Request) {
	if !parseSandboxForm(w, r) {
		return
	}
	d := e.bankPage()
	code := digitsOnly(r.PostForm.Get("code"), " -")
	_, err := e.PayByCode(code)
	cp, _ := e.byCode(code)
	switch {
	case errors.Is(err, payments.ErrUnknownPayment):
		d.ErrorRU, d.ErrorEN = "Счёт с таким номером не найден.", "No account with this number."
		render(w, http.StatusNotFound, "erip-code", d)
	case errors.Is(err, ErrCodeUsed):
		e.renderUsed(w, d, cp)
	case err != nil:
		e.log.Error("sandbox ERIP payment", "err", err)
		http.Error(w, "sandbox: state not saved", http.StatusInternalServerError)
	default:
		d.P = cp
		d.TitleRU, d.TitleEN = "Платёж проведён", "Payment completed"
		d.MessageRU, d.MessageEN = "Деньги переведены в удостоверяющий центр. Сохраните чек.", "The money has been sent to the certification centre. Keep the receipt."
		render(w, http.StatusOK, "erip-result", d)
	}
}
