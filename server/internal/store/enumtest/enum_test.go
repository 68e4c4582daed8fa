package enumtest

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/pgtest"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestEnumsMatchDatabase reads each enumeration from a migrated database
// and compares it as a set with the Go values the browser and the server
// use: a state or status added on one side only fails here, not in a
// user's browser.
func TestEnumsMatchDatabase(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))

	t.Run("ok/renewal-state", func(t *testing.T) {
		db := query(ctx, t, st, `SELECT unnest(enum_range(NULL::renewal_state))::text`)
		assert.ElementsMatch(t, strs(wire.States()), db)
		// renewal lists its states only in its transition table, which
		// is unexported; its exported Terminal must agree with wire's.
		for _, s := range db {
			assert.Equal(t, renewal.State(s).Terminal(), wire.State(s).Terminal(), "terminal %s", s)
		}
	})

	columns := []struct {
		name          string
		table, column string
		want          []string
	}{
		{"ok/application-state", "application", "state", strs(wire.States())},
		{"ok/payment-status", "payment", "status", strs(wire.PaymentStatuses())},
		{"ok/payment-method", "payment", "method", strs(wire.PaymentMethods())},
		{"ok/check-status", "registry_check", "status", strs(wire.CheckStatuses())},
	}
	for _, tt := range columns {
		t.Run(tt.name, func(t *testing.T) {
			assert.ElementsMatch(t, tt.want, columnValues(ctx, t, st, tt.table, tt.column))
		})
	}
}

// columnValues gives the values a column admits: its enum type's labels,
// or the quoted list of the one CHECK constraint on it alone.
func columnValues(ctx context.Context, t *testing.T, st *store.Store, table, column string) []string {
	t.Helper()
	labels := query(ctx, t, st, `
		SELECT e.enumlabel::text FROM pg_attribute a JOIN pg_enum e ON e.enumtypid = a.atttypid
		WHERE a.attrelid = $1::regclass AND a.attname = $2 ORDER BY e.enumsortorder`, table, column)
	if len(labels) > 0 {
		return labels
	}
	defs := query(ctx, t, st, `
		SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1 AND a.attname = $2`,
		table, column)
	require.Len(t, defs, 1, "%s.%s: want one enum type or one CHECK constraint", table, column)
	// pg_get_constraintdef renders IN (...) as = ANY (ARRAY['a'::text, …]).
	var values []string
	for _, m := range quoted.FindAllStringSubmatch(defs[0], -1) {
		values = append(values, m[1])
	}
	require.NotEmpty(t, values, "%s.%s: no list in %s", table, column, defs[0])
	return values
}

var quoted = regexp.MustCompile(`'([^']*)'::text`)

func query(ctx context.Context, t *testing.T, st *store.Store, sql string, args ...any) []string {
	t.Helper()
	rows, err := st.Pool().Query(ctx, sql, args...)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func strs[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}
