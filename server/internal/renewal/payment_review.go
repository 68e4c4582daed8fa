package renewal

import (
	"context"
	"time"
)

// ReviewEntry is one item of the operator's review queue: a statement
// document that paid no invoice exactly, or an application whose payment
// came back (ApplicationID set).
type ReviewEntry struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	ApplicationID string    `json:"application_id,omitempty"`
	PaymentID     string    `json:"payment_id,omitempty"`
	StatementID   int64     `json:"statement_id,omitempty"`
	DocNumber     string    `json:"doc_number,omitempty"`
	AmountMinor   int64     `json:"amount_minor"`
	PayerINN      string    `json:"payer_inn,omitempty"`
	ReasonRU      string    `json:"reason_ru"`
	ReasonEN      string    `json:"reason_en"`
	CreatedAt     time.Time `json:"created_at"`
}

// ReviewQueue lists the unresolved entries of the operator's review
// queue, oldest first.
func (s *Service) ReviewQueue(ctx context.Context) ([]ReviewEntry, error) {
	rows, err := s.Store.ReviewList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewEntry, 0, len(rows))
	for _, r := range rows {
		e := ReviewEntry{ID: r.ID, Kind: r.Kind, ApplicationID: deref(r.ApplicationID), PaymentID: deref(r.PaymentID),
			DocNumber: r.DocNumber, AmountMinor: r.AmountMinor, PayerINN: r.PayerInn, ReasonRU: r.ReasonRu, ReasonEN: r.ReasonEn, CreatedAt: r.CreatedAt}
		if r.StatementID != nil {
			e.StatementID = *r.StatementID
		}
		out = append(out, e)
	}
	return out, nil
}
