package store

import (
	"context"
	"slices"
	"time"

	"renewal/server/internal/store/internal/db"
)

// RegistryCorrection is one correctable registry refusal of an
// application: the reason and the form fields to look at again.
type RegistryCorrection struct {
	ApplicationID string
	N             int32 // 1 for the first refusal of the application
	Code          string
	MessageRu     string
	MessageEn     string
	Fields        []string
	CreatedAt     time.Time
}

func fromRegistryCorrection(r db.RegistryCorrection) RegistryCorrection {
	return RegistryCorrection{ApplicationID: r.ApplicationID, N: r.N, Code: r.Code, MessageRu: r.MessageRu,
		MessageEn: r.MessageEn, Fields: slices.Clone(r.Fields), CreatedAt: r.CreatedAt}
}

type RegistryCorrectionInsertParams struct {
	ApplicationID string
	Code          string
	MessageRu     string
	MessageEn     string
	Fields        []string
	CreatedAt     time.Time
}

// RegistryCorrectionInsert records the next correction and returns its
// number; the caller holds the application's lock.
func (q Queries) RegistryCorrectionInsert(ctx context.Context, arg RegistryCorrectionInsertParams) (int32, error) {
	n, err := q.db.RegistryCorrectionInsert(ctx, db.RegistryCorrectionInsertParams{
		ApplicationID: arg.ApplicationID, Code: arg.Code, MessageRu: arg.MessageRu, MessageEn: arg.MessageEn,
		Fields: arg.Fields, CreatedAt: arg.CreatedAt,
	})
	return n, mapErr(err)
}

// RegistryCorrectionLatest is the application's last correction, or
// ErrNotFound.
func (q Queries) RegistryCorrectionLatest(ctx context.Context, applicationID string) (RegistryCorrection, error) {
	r, err := q.db.RegistryCorrectionLatest(ctx, applicationID)
	if err != nil {
		return RegistryCorrection{}, mapErr(err)
	}
	return fromRegistryCorrection(r), nil
}

// RegistryCorrectionCount is how many correctable refusals the
// application has had.
func (q Queries) RegistryCorrectionCount(ctx context.Context, applicationID string) (int, error) {
	n, err := q.db.RegistryCorrectionCount(ctx, applicationID)
	return int(n), mapErr(err)
}
