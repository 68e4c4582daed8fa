package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"renewal/server/internal/payments"
)

func startERIP(t *testing.T, st *site, cfg Config) *ERIP {
	t.Helper()
	e, err := NewERIP(cfg)
	require.NoError(t, err)
	st.h = e
	ctx, cancel := context.WithCancel(context.Background())
	e.Start(ctx)
	t.Cleanup(func() { cancel(); _ = e.Close() })
	return e
}

func eripRequest(id string) payments.CreateRequest {
	return payments.CreateRequest{PaymentID: id, ApplicationID: "app-" + id, AmountMinor: 8750, Currency: "BYN", Description: "Услуга 6.0.00"}
}

func TestERIPSandbox(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	e := startERIP(t, st, testConfig(t, st.srv.URL, rc))
	ctx := context.Background()
	bank := e.BankURL()
	assert.Equal(t, st.srv.URL+"/sandbox/erip", bank)
	assert.Equal(t, payments.MethodERIP, e.Method())

	cr, err := e.Create(ctx, eripRequest("e1"))
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[1-9][0-9]{9}$`), cr.ERIPCode)
	assert.Empty(t, cr.RedirectURL)
	again, err := e.Create(ctx, eripRequest("e1"))
	require.NoError(t, err)
	assert.Equal(t, cr, again, "a retried Create returns the same code")
	_, err = e.Create(ctx, payments.CreateRequest{PaymentID: "rub", AmountMinor: 1, Currency: "RUB"})
	assert.ErrorIs(t, err, payments.ErrInvalidRequest, "ERIP takes BYN only")

	tests := []struct {
		name     string
		do       func() (int, string)
		wantCode int
		wantText string
	}{
		{"the bank's start page", func() (int, string) { return get(t, bank) }, http.StatusOK, payments.ERIPServicePath},
		{"unknown code (GET)", func() (int, string) { return get(t, bank+"?code=1234567890") }, http.StatusNotFound, "не найден"},
		{"unknown code (POST)", func() (int, string) { return post(t, bank, url.Values{"code": {"1234567890"}}) }, http.StatusNotFound, "No account"},
		{"the code shows the amount", func() (int, string) { return get(t, bank+"?code="+cr.ERIPCode) }, http.StatusOK, "87,50\u00a0BYN"},
		{"pay", func() (int, string) { return post(t, bank, url.Values{"code": {cr.ERIPCode}}) }, http.StatusOK, "Платёж проведён"},
		{"pay twice: refused", func() (int, string) { return post(t, bank, url.Values{"code": {cr.ERIPCode}}) }, http.StatusConflict, "уже оплачен"},
		{"a paid code shows as paid", func() (int, string) { return get(t, bank+"?code="+cr.ERIPCode) }, http.StatusConflict, "already been paid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, page := tt.do()
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, page, tt.wantText)
			assertPage(t, page)
		})
	}

	got := rc.wait(t, 1)[0].ev
	assert.Equal(t, payments.EventSucceeded, got.Kind)
	assert.Equal(t, "e1", got.PaymentID)
	assert.Equal(t, cr.ProviderRef, got.ProviderRef)
	assert.Equal(t, int64(8750), got.AmountMinor)
	assert.Equal(t, "BYN", got.Currency)
	rc.quiet(t, 100*time.Millisecond) // the refused second payment sent nothing
	assert.Zero(t, e.Pending())
	s, err := e.Status(ctx, cr.ProviderRef)
	require.NoError(t, err)
	assert.Equal(t, payments.Status{State: payments.StateSucceeded, AmountMinor: 8750, Currency: "BYN"}, s)

	_, err = e.PayByCode(cr.ERIPCode)
	assert.ErrorIs(t, err, ErrCodeUsed)
	_, err = e.PayByCode("0000000000")
	assert.ErrorIs(t, err, payments.ErrUnknownPayment)

	require.NoError(t, e.Refund(ctx, cr.ProviderRef, 8750))
	assert.Equal(t, payments.EventRefunded, rc.wait(t, 1)[0].ev.Kind)
}
