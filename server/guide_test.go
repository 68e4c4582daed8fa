package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/demo"
	"renewal/ca/profile"
	"renewal/server/internal/pgtest"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// guideNow is the guide as the server prints it, from a migrated database.
func guideNow(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	services, err := st.ServiceList(ctx)
	require.NoError(t, err)
	profiles, err := profile.Load("")
	require.NoError(t, err)
	cat, err := renewal.LoadCatalog(profiles)
	require.NoError(t, err)
	ids, err := demo.LoadIdentities()
	require.NoError(t, err)
	g, err := demoGuide(ids, cat, services)
	require.NoError(t, err)
	return g + demoGuideNote
}

// TestDemoGuide: every demo person has a row with the service to choose
// and the identifiers the register holds for him.
func TestDemoGuide(t *testing.T) {
	g := guideNow(t)
	rows := map[string]string{}
	for _, l := range strings.Split(g, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			rows[f[0]] = l
		}
	}
	for _, tc := range []struct{ scenario, want string }{
		{"ru-owner", "Я владелец  ru-smirnov.p12  ГОСТ 2012-256  4510 123456  69384937375  771952685970  действует"},
		{"ru-employee", "По доверенности  ru-petrova.p12  ГОСТ 2012-256  4511 234567"},
		{"ru-head", "ссылка в письме  ru-ivanov.p12"},
		{"ru-expired", "истёк: отказ"},
		{"by-individual", "6.0.00  by-kovaleva.p12  ECDSA P-256  —  —  4150385B012PB6  действует"},
		{"by-employee", "6.0.01  by-zhuk.p12"},
		{"by-head", "6.0.02  by-lukashevich.p12"},
		{"by-revoked", "отозван: отказ"},
	} {
		// Columns are aligned with runs of spaces: compare with one.
		got := strings.Join(strings.Fields(rows[tc.scenario]), " ")
		assert.Contains(t, got, strings.Join(strings.Fields(tc.want), " "), tc.scenario)
	}
	// Aligned: every column of every row starts where its header does.
	lines := strings.Split(strings.TrimSpace(g), "\n")
	header := []rune(lines[0])
	var starts []int
	for i, r := range header {
		if r != ' ' && i >= 2 && header[i-1] == ' ' && header[i-2] == ' ' {
			starts = append(starts, i)
		}
	}
	require.Len(t, starts, 7, "eight columns")
	rowsOnly := lines[2 : len(lines)-1] // below the rule, above the note
	assert.Len(t, rowsOnly, 9, "one row per demo person")
	for _, l := range rowsOnly {
		r := []rune(l)
		for _, at := range starts {
			require.Greater(t, len(r), at, l)
			assert.True(t, r[at-1] == ' ' && r[at] != ' ', "column at %d: %q", at, l)
		}
	}
}

const (
	guideBegin = "<!-- demo people: written by TestREADMEDemoGuide from the demo identities and the catalogue; UPDATE_README=1 rewrites it -->\n"
	guideEnd   = "<!-- end of demo people -->\n"
)

// TestREADMEDemoGuide: the README shows the table `make run` prints.
// UPDATE_README=1 writes it.
func TestREADMEDemoGuide(t *testing.T) {
	path := "../README.md"
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(b)
	start := strings.Index(readme, guideBegin)
	end := strings.Index(readme, guideEnd)
	require.True(t, start >= 0 && end > start, "README.md has no demo people section")
	got := readme[start+len(guideBegin) : end]
	want := "```\n" + guideNow(t) + "```\n"
	if os.Getenv("UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(readme[:start+len(guideBegin)]+want+readme[end:]), 0o644))
		return
	}
	assert.Equal(t, want, got, "README.md's demo people differ from what make run prints: run UPDATE_README=1 go test -run TestREADMEDemoGuide ./server")
}
