package renewal

import (
	"slices"

	"renewal/app/wire"
)

// Transition is one row of the state machine as others read it (the API
// document, the README's diagram): never a second copy of the table.
type Transition struct {
	Event Event
	From  []State
	To    State
}

// Machine returns the transition table, ordered by the first state each
// event leaves (in wire.States order) and then by event name.
func Machine() []Transition {
	order := map[State]int{}
	for i, s := range wire.States() {
		order[s] = i
	}
	var out []Transition
	for e, t := range transitions {
		out = append(out, Transition{Event: e, From: slices.Clone(t.from), To: t.to})
	}
	slices.SortFunc(out, func(a, b Transition) int {
		if d := order[a.From[0]] - order[b.From[0]]; d != 0 {
			return d
		}
		if d := order[a.To] - order[b.To]; d != 0 {
			return d
		}
		if a.Event < b.Event {
			return -1
		}
		return 1
	})
	return out
}

// Actions returns the state-dependent rules: each action and the states
// it is allowed in.
func Actions() map[Action][]State {
	out := make(map[Action][]State, len(actions))
	for a, s := range actions {
		out[a] = slices.Clone(s)
	}
	return out
}
