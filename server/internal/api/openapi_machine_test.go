package api

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/renewal"
)

// jobActions are done by the server's jobs or a gateway's notification,
// not by a call of the holder or the head.
var jobActions = []renewal.Action{renewal.ActionCheckRegistry, renewal.ActionIssue, renewal.ActionRefundBeforeCert, renewal.ActionApplyPayment}

// TestOpenAPIStateMachine: the served document's states are wire.States
// in order, x-state-machine is renewal's transition and action tables, every
// operation's x-action and x-events name rows of those tables, and every
// action a client does is named by some operation.
func TestOpenAPIStateMachine(t *testing.T) {
	raw, _, err := apiDocument(true)
	require.NoError(t, err)
	var doc struct {
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Machine machineDoc                            `json:"x-state-machine"`
		Comp    struct {
			Schemas struct {
				Renewal struct {
					Properties struct {
						State struct {
							Enum []string `json:"enum"`
						} `json:"state"`
					} `json:"properties"`
				} `json:"Renewal"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))

	var states []string
	for _, s := range wire.States() {
		states = append(states, string(s))
	}
	assert.Equal(t, states, doc.Comp.Schemas.Renewal.Properties.State.Enum, "Renewal.state's enum is not wire.States() in order")
	var docStates []string
	for _, s := range doc.Machine.States {
		docStates = append(docStates, s.Name)
	}
	assert.Equal(t, states, docStates)

	acts := renewal.Actions()
	for _, s := range doc.Machine.States {
		for _, a := range s.Actions {
			assert.Contains(t, acts[renewal.Action(a)], wire.State(s.Name), "x-state-machine allows %s in %s", a, s.Name)
		}
	}
	for a, in := range acts {
		for _, s := range in {
			i := slices.Index(states, string(s))
			require.GreaterOrEqual(t, i, 0)
			assert.Contains(t, doc.Machine.States[i].Actions, string(a), "x-state-machine lacks %s in %s", a, s)
		}
	}
	events := map[string]renewal.Transition{}
	for _, tr := range renewal.Machine() {
		events[string(tr.Event)] = tr
	}
	require.Len(t, doc.Machine.Transitions, len(events))
	for _, tr := range doc.Machine.Transitions {
		want, ok := events[tr.Event]
		if assert.True(t, ok, tr.Event) {
			assert.Equal(t, string(want.To), tr.To, tr.Event)
			assert.Len(t, tr.From, len(want.From), tr.Event)
		}
	}

	// Cancel is allowed exactly where the cancelled event may leave.
	cancel := "POST /api/v1/renewal/cancel"
	for _, s := range doc.Machine.States {
		leaves := slices.Contains(events[string(renewal.EventCancelled)].From, wire.State(s.Name))
		assert.Equal(t, leaves, slices.Contains(s.Calls, cancel), "%s in %s", cancel, s.Name)
	}

	named := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var o struct {
				Action string   `json:"x-action"`
				Events []string `json:"x-events"`
			}
			if json.Unmarshal(op, &o) != nil {
				continue
			}
			if o.Action != "" {
				_, ok := acts[renewal.Action(o.Action)]
				assert.True(t, ok, "%s %s: x-action %s is not in renewal's action table", method, path, o.Action)
				named[o.Action] = true
			}
			for _, e := range o.Events {
				_, ok := events[e]
				assert.True(t, ok, "%s %s: x-events %s is not in renewal's transition table", method, path, e)
			}
		}
	}
	for a := range acts {
		if !slices.Contains(jobActions, a) {
			assert.True(t, named[string(a)], "action %s is done by no operation of openapi.json (x-action)", a)
		}
	}
}

// stateDiagram is the README's mermaid diagram, drawn from renewal's
// transition table.
func stateDiagram() string {
	var b strings.Builder
	b.WriteString("```mermaid\nstateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", wire.StateStarted)
	// One arrow per (from, to), labelled with its events: the cancel and
	// expiry exits from eleven states are drawn once each, as notes.
	type edge struct{ from, to wire.State }
	labels := map[edge][]string{}
	var order []edge
	for _, t := range renewal.Machine() {
		if t.Event == renewal.EventCancelled || t.Event == renewal.EventExpired {
			continue
		}
		for _, f := range t.From {
			e := edge{f, t.To}
			if _, ok := labels[e]; !ok {
				order = append(order, e)
			}
			labels[e] = append(labels[e], string(t.Event))
		}
	}
	for _, e := range order {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", e.from, e.to, strings.Join(labels[e], ", "))
	}
	for _, t := range renewal.Machine() {
		if t.Event != renewal.EventCancelled && t.Event != renewal.EventExpired {
			continue
		}
		var from []string
		for _, f := range t.From {
			from = append(from, string(f))
		}
		fmt.Fprintf(&b, "    %s: %s\n", t.To, t.To)
		fmt.Fprintf(&b, "    note left of %s\n        %s from %s\n    end note\n", t.To, t.Event, strings.Join(from, ", "))
	}
	for _, s := range wire.States() {
		if s.Terminal() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	b.WriteString("```\n")
	return b.String()
}

const (
	diagramBegin = "<!-- state diagram: written by TestREADMEStateDiagram from renewal's tables; UPDATE_README=1 rewrites it -->\n"
	diagramEnd   = "<!-- end of state diagram -->\n"
)

// TestREADMEStateDiagram: the README's diagram is the transition table's.
// UPDATE_README=1 writes it.
func TestREADMEStateDiagram(t *testing.T) {
	path := "../../../README.md"
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(b)
	start := strings.Index(readme, diagramBegin)
	end := strings.Index(readme, diagramEnd)
	require.True(t, start >= 0 && end > start, "README.md has no state diagram section")
	got := readme[start+len(diagramBegin) : end]
	want := stateDiagram()
	if os.Getenv("UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(readme[:start+len(diagramBegin)]+want+readme[end:]), 0o644))
		return
	}
	assert.Equal(t, want, got, "README.md's state diagram differs from renewal's tables: run UPDATE_README=1 go test -run TestREADMEStateDiagram ./server/internal/api")
}
