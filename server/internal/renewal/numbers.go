package renewal

import (
	"context"
	"fmt"
	"time"

	"renewal/app/dates"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// Readable numbers: an application 2026-000123, its act A-2026-000045
// (the УПД that replaces the act in Russia carries the same number: one
// sale, one closing document), an invoice RN-2026-000045 (the form the
// bank-statement matcher in payments reads). Each kind counts per year of
// the jurisdiction's calendar, in the transaction that creates the thing.

func applicationNumber(year int, n int64) string { return fmt.Sprintf("%04d-%06d", year, n) }

func actNumber(year int, n int64) string { return fmt.Sprintf("A-%04d-%06d", year, n) }

// nextNumber takes the next number of a kind for a thing created at now.
func nextNumber(ctx context.Context, tx *store.Tx, kind store.NumberKind, now time.Time, jurisdiction string) (string, error) {
	year := dates.Year(now, jurisdiction)
	n, err := tx.NumberNext(ctx, kind, year)
	if err != nil {
		return "", fmt.Errorf("number %s: %w", kind, err)
	}
	switch kind {
	case store.NumberApplication:
		return applicationNumber(year, n), nil
	case store.NumberAct:
		return actNumber(year, n), nil
	default:
		return payments.InvoiceNumber(n, year), nil
	}
}
