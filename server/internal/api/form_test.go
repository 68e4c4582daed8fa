package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca/cms"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// No hidden ordering: the certificate form exists as soon as the
// certificate does, so a holder who has its bytes by any road (here, read
// from the database: no call to any download route) acknowledges
// without downloading anything first; a later download gives exactly
// the bytes signed. An application issued before the issuance kept the
// form (its row deleted here) has it drawn again, to the same bytes, by
// whichever call comes first.
func TestAcknowledgeWithoutDownload(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	for i, tc := range []struct {
		name    string
		dropRow bool
	}{
		{"ok/form-kept-at-issuance", false},
		{"ok/issued-before-the-form-was-kept", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			h := f.toPayment(fmt.Sprintf("+37529000130%d", i), fmt.Sprintf("nodownload%d@example.by", i))
			p, ref := h.pay()
			require.Equal(t, 200, f.notify(event("ev-nodownload-"+h.id, payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
			h.waitState("key_pending")
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
			require.NoError(t, err)
			var v wire.Renewal
			h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, &v)
			require.Equal(t, "issued", v.State)

			form, err := f.st.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: h.id, Kind: "acknowledgement"})
			require.NoError(t, err, "the issuance drew the certificate form")
			if tc.dropRow {
				_, err := f.st.Pool().Exec(ctx, `DELETE FROM signed_document WHERE application_id = $1 AND kind = 'acknowledgement'`, h.id)
				require.NoError(t, err)
			}
			row, err := f.st.CertificateForApplication(ctx, &h.id)
			require.NoError(t, err)
			cert, err := x509.ParseCertificate(row.Der)
			require.NoError(t, err)
			sig, err := cms.SignDetached(form.Content, cert, nil, time.Now(), cms.MessageSignerFunc(key))
			require.NoError(t, err)
			status, e := h.call("POST", "/api/v1/renewal/acknowledgement", wire.ApplicationSignature{Signature: sig}, &v)
			require.Equal(t, 200, status, "%s: %s", e.Code, e.MessageEN)
			assert.Equal(t, "acknowledged", v.State)

			var downloaded []byte
			h.must("GET", "/api/v1/renewal/certificate-form.pdf", nil, &downloaded)
			assert.Equal(t, form.Content, downloaded, "the form downloaded is the form signed")
		})
	}
}
