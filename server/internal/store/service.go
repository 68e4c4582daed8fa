package store

import (
	"context"

	"renewal/app/wire"
	"renewal/server/internal/store/internal/db"
)

// Services are reference data shown as they are, so the wire type is
// their domain type.

// ServiceList returns the active services in display order.
func (q Queries) ServiceList(ctx context.Context) ([]wire.Service, error) {
	rows, err := q.db.ServiceList(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]wire.Service, len(rows))
	for i, r := range rows {
		out[i] = serviceFromRow(db.ServiceGetRow(r))
	}
	return out, nil
}

// ServiceGet returns one active service, or ErrNotFound.
func (q Queries) ServiceGet(ctx context.Context, code string) (wire.Service, error) {
	r, err := q.db.ServiceGet(ctx, code)
	if err != nil {
		return wire.Service{}, mapErr(err)
	}
	return serviceFromRow(r), nil
}

func serviceFromRow(r db.ServiceGetRow) wire.Service {
	return wire.Service{
		Code: r.Code, Jurisdiction: r.Jurisdiction, Role: r.Role, Number: r.Number,
		TitleRU: r.TitleRu, TitleEN: r.TitleEn,
		SummaryRU: r.SummaryRu, SummaryEN: r.SummaryEn,
		RequirementsRU: r.RequirementsRu, RequirementsEN: r.RequirementsEn,
	}
}
