package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"renewal/app/money"
	"renewal/server/internal/payments"
)

// Test cards of the card sandbox. Any future expiry and any 3-digit CVC.
// Any other valid card number is declined.
const (
	TestCardSuccess  = "4111111111111111"
	TestCardDeclined = "4000000000000002"
	TestCard3DS      = "4000000000003220" // asks for 3-D Secure confirmation
)

// Card stands for a card acquirer (Assist or similar): a hosted
// payment page at /sandbox/pay/{ref}, test cards, 3-D Secure, refunds,
// chargebacks, and signed notifications; with Config.Unsigned it is a
// ЮKassa-like gateway instead: unsigned notifications from its address
// list and a status API at /sandbox/api/payments/{ref} that Status asks.
// It implements [payments.Unsigned] and [http.Handler].
type Card struct {
	*sandbox
	mux *http.ServeMux
}

var _ payments.Unsigned = (*Card)(nil)

// NewCard loads the sandbox's state from cfg.Dir (card.journal) and
// serves its pages. Call Start to deliver notifications.
func NewCard(cfg Config) (*Card, error) {
	s, err := newSandbox(cfg, payments.MethodCard)
	if err != nil {
		return nil, err
	}
	c := &Card{sandbox: s, mux: http.NewServeMux()}
	c.mux.HandleFunc("GET /sandbox/pay/{ref}", c.servePage)
	c.mux.HandleFunc("POST /sandbox/pay/{ref}", c.servePay)
	c.mux.HandleFunc("POST /sandbox/pay/{ref}/3ds", c.serve3DS)
	c.mux.HandleFunc("GET /sandbox/api/payments/{ref}", c.serveAPIStatus)
	return c, nil
}

// Method returns payments.MethodCard.
func (c *Card) Method() payments.Method { return payments.MethodCard }

// Create opens a payment; RedirectURL is the hosted page. A repeated
// PaymentID returns the same payment.
func (c *Card) Create(_ context.Context, r payments.CreateRequest) (payments.Created, error) {
	if err := validateCreate(r, "RUB", "BYN"); err != nil {
		return payments.Created{}, err
	}
	if r.ReturnURL == "" {
		return payments.Created{}, fmt.Errorf("%w: no return URL", payments.ErrInvalidRequest)
	}
	p, err := c.create(r, func() string { return "card_" + randomHex(10) }, nil)
	if err != nil {
		return payments.Created{}, err
	}
	return payments.Created{ProviderRef: p.Ref, RedirectURL: c.cfg.BaseURL + "/sandbox/pay/" + p.Ref}, nil
}

// Verify checks a notification's signature and timestamp and parses it.
func (c *Card) Verify(header func(string) string, body []byte, now time.Time) (payments.Event, error) {
	return c.verify(header, body, now)
}

// Status answers from the sandbox's state; an unsigned gateway is asked
// over its HTTP status API.
func (c *Card) Status(ctx context.Context, providerRef string) (payments.Status, error) {
	if c.cfg.Unsigned {
		return c.fetchStatus(ctx, providerRef)
	}
	return c.status(providerRef)
}

// Refund refunds part or all of a succeeded payment and sends "refunded".
func (c *Card) Refund(_ context.Context, providerRef string, amountMinor int64) error {
	return c.refund(providerRef, amountMinor)
}

// ServeHTTP serves /sandbox/pay/{ref} (the page), POST /sandbox/pay/{ref}
// (the card) and POST /sandbox/pay/{ref}/3ds. Paths without the /sandbox
// prefix (a mount that strips it) are accepted too.
func (c *Card) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mux.ServeHTTP(w, withSandboxPrefix(r))
}

func withSandboxPrefix(r *http.Request) *http.Request {
	if strings.HasPrefix(r.URL.Path, "/sandbox/") {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/sandbox" + r.URL.Path
	r2.URL.RawPath = ""
	return r2
}

func (c *Card) servePage(w http.ResponseWriter, r *http.Request) {
	p, ok := c.payment(r.PathValue("ref"))
	if !ok {
		renderNotFound(w)
		return
	}
	c.renderState(w, http.StatusOK, p, "", "")
}

// renderState shows the page a payment's state calls for.
func (c *Card) renderState(w http.ResponseWriter, status int, p *sbPayment, errRU, errEN string) {
	d := pageData{P: p, ErrorRU: errRU, ErrorEN: errEN}
	switch p.State {
	case sbPending:
		d.TitleRU, d.TitleEN = "Оплата банковской картой", "Card payment"
		render(w, status, "card-form", d)
	case sbAwait3DS:
		d.TitleRU, d.TitleEN = "Подтверждение платежа (3-D Secure)", "Payment confirmation (3-D Secure)"
		render(w, status, "card-3ds", d)
	case sbSucceeded:
		d.TitleRU, d.TitleEN = "Оплата прошла успешно", "Payment succeeded"
		d.MessageRU, d.MessageEN = "Платёж принят. Можно вернуться на сайт.", "The payment has been accepted. You can return to the site."
		render(w, status, "result", d)
	case sbFailed:
		d.TitleRU, d.TitleEN = "Оплата не прошла", "Payment failed"
		ru, en := failureReason(p.Reason)
		d.MessageRU, d.MessageEN = ru+" Вернитесь на сайт, чтобы попробовать снова.", en+" Return to the site to try again."
		render(w, status, "result", d)
	default: // refunded, partially refunded
		d.TitleRU, d.TitleEN = "Платёж возвращён", "Payment refunded"
		d.MessageRU = "Возвращено " + money.Format(p.RefundedMinor, p.Currency) + "."
		d.MessageEN = "Refunded " + money.Format(p.RefundedMinor, p.Currency) + "."
		render(w, status, "result", d)
	}
}

// Reasons a sandbox payment failed.
const (
	reasonDeclined    = "declined"
	reasonUnknownCard = "unknown_card"
	reason3DSCanceled = "3ds_canceled"
)

func failureReason(code string) (ru, en string) {
	switch code {
	case reasonDeclined:
		return "Банк, выпустивший карту, отклонил платёж.", "The card issuer declined the payment."
	case reasonUnknownCard:
		return "Карта отклонена: в тестовом режиме принимаются только тестовые карты.", "Card declined: the sandbox accepts only the test cards."
	case reason3DSCanceled:
		return "Платёж не подтверждён (3-D Secure).", "The payment was not confirmed (3-D Secure)."
	}
	return "Платёж отклонён.", "The payment was declined."
}

func renderNotFound(w http.ResponseWriter) {
	render(w, http.StatusNotFound, "result", pageData{
		TitleRU: "Платёж не найден", TitleEN: "Payment not found",
		MessageRU: "Ссылка устарела или неверна.", MessageEN: "The link is outdated or wrong.",
	})
}

func parseSandboxForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	return true
}

// pageError is a change refused with a message on the payment's page.
type pageError struct {
	status int
	ru, en string
}

func (e *pageError) Error() string { return e.en }

func (c *Card) servePay(w http.ResponseWriter, r *http.Request) {
	if !parseSandboxForm(w, r) {
		return
	}
	card := digitsOnly(r.PostForm.Get("card"), " -")
	expOK := validExpiry(r.PostForm.Get("exp"), c.cfg.Now())
	cvc := strings.TrimSpace(r.PostForm.Get("cvc"))
	p, _, err := c.change(r.PathValue("ref"), func(p *sbPayment) ([]emission, error) {
		if p.State != sbPending {
			return nil, &pageError{http.StatusConflict, "Этот платёж уже обработан.", "This payment has already been processed."}
		}
		switch {
		case len(card) < 12 || len(card) > 19 || !luhn(card):
			return nil, &pageError{http.StatusUnprocessableEntity, "Неверный номер карты.", "Invalid card number."}
		case !expOK:
			return nil, &pageError{http.StatusUnprocessableEntity, "Неверный или истёкший срок действия карты.", "Invalid or past expiry date."}
		case len(cvc) != 3 || digitsOnly(cvc, "") != cvc:
			return nil, &pageError{http.StatusUnprocessableEntity, "CVC — три цифры на обороте карты.", "The CVC is the 3 digits on the back of the card."}
		}
		p.CardLast4 = card[len(card)-4:]
		p.UpdatedAt = c.cfg.Now().UTC()
		switch card {
		case TestCardSuccess:
			p.State = sbSucceeded
			return []emission{{payments.EventSucceeded, p.AmountMinor}}, nil
		case TestCard3DS:
			p.State = sbAwait3DS
			return nil, nil
		case TestCardDeclined:
			p.State, p.Reason = sbFailed, reasonDeclined
		default:
			p.State, p.Reason = sbFailed, reasonUnknownCard
		}
		return []emission{{payments.EventFailed, p.AmountMinor}}, nil
	})
	c.finish(w, p, err)
}

func (c *Card) serve3DS(w http.ResponseWriter, r *http.Request) {
	if !parseSandboxForm(w, r) {
		return
	}
	action := r.PostForm.Get("action")
	p, _, err := c.change(r.PathValue("ref"), func(p *sbPayment) ([]emission, error) {
		if p.State != sbAwait3DS {
			return nil, &pageError{http.StatusConflict, "Этот платёж не ждёт подтверждения.", "This payment is not waiting for a confirmation."}
		}
		p.UpdatedAt = c.cfg.Now().UTC()
		switch action {
		case "confirm":
			p.State = sbSucceeded
			return []emission{{payments.EventSucceeded, p.AmountMinor}}, nil
		case "cancel":
			p.State, p.Reason = sbFailed, reason3DSCanceled
			return []emission{{payments.EventFailed, p.AmountMinor}}, nil
		}
		return nil, &pageError{http.StatusUnprocessableEntity, "Выберите: подтвердить или отменить.", "Choose confirm or cancel."}
	})
	c.finish(w, p, err)
}

// finish shows the page for the outcome of a change of p.
func (c *Card) finish(w http.ResponseWriter, p *sbPayment, err error) {
	var pe *pageError
	switch {
	case errors.Is(err, payments.ErrUnknownPayment):
		renderNotFound(w)
	case errors.As(err, &pe):
		c.renderState(w, pe.status, p, pe.ru, pe.en)
	case err != nil:
		c.log.Error("sandbox state not saved", "err", err)
		http.Error(w, "sandbox: state not saved", http.StatusInternalServerError)
	default:
		c.renderState(w, http.StatusOK, p, "", "")
	}
}

// digitsOnly removes the characters in drop; it returns "" if anything
// other than digits remains.
func digitsOnly(s, drop string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(drop, r):
		default:
			return ""
		}
	}
	return b.String()
}

// luhn checks a card number's check digit.
func luhn(n string) bool {
	sum := 0
	for i := range len(n) {
		d := int(n[len(n)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// validExpiry accepts MM/YY or MM/YYYY not before the current month.
func validExpiry(s string, now time.Time) bool {
	mm, yy, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "/")
	if !ok || len(mm) < 1 || len(mm) > 2 || (len(yy) != 2 && len(yy) != 4) {
		return false
	}
	m, err1 := strconv.Atoi(mm)
	y, err2 := strconv.Atoi(yy)
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 0 {
		return false
	}
	if len(yy) == 2 {
		y += 2000
	}
	ny, nm, _ := now.Date()
	return y > ny || (y == ny && m >= int(nm))
}
