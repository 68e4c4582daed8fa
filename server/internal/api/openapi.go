package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"

	"renewal/app/wire"
	"renewal/server/internal/renewal"
)

// openAPI describes /api/v1; TestOpenAPICoversRoutes fails when a route
// is missing from it. The operations tagged devTag exist only with --dev
// and are cut from the document otherwise; the state machine
// (x-state-machine) is written from renewal's tables at start-up.
//
//go:embed openapi.json
var openAPI []byte

const devTag = "development"

// builtDocument is apiDocument's result.
type builtDocument struct {
	raw []byte
	doc *openapi3.T
}

// documents are built once per process: loading and checking the
// document (its examples against their schemas included) takes about
// 0.3 s, and every test builds an app. Both are only read afterwards.
var documents = [2]func() (builtDocument, error){
	sync.OnceValues(func() (builtDocument, error) { return buildDocument(false) }),
	sync.OnceValues(func() (builtDocument, error) { return buildDocument(true) }),
}

// apiDocument is the document this server serves and validates against:
// with dev, the development section too.
func apiDocument(dev bool) ([]byte, *openapi3.T, error) {
	i := 0
	if dev {
		i = 1
	}
	b, err := documents[i]()
	return b.raw, b.doc, err
}

func buildDocument(dev bool) (builtDocument, error) {
	raw, t, err := loadDocument(dev)
	return builtDocument{raw, t}, err
}

func loadDocument(dev bool) ([]byte, *openapi3.T, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		return nil, nil, fmt.Errorf("parse openapi.json: %w", err)
	}
	if !dev {
		cutTagged(doc, devTag)
	}
	doc["x-state-machine"] = stateMachine(doc)
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("write openapi document: %w", err)
	}
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("load openapi document: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, nil, fmt.Errorf("openapi document is invalid: %w", err)
	}
	return raw, t, nil
}

// eachOperation calls f with every operation of the document (an object
// under a path item; the path item too, so that f may delete it).
func eachOperation(doc map[string]any, f func(path, method string, op, item map[string]any)) {
	paths, _ := doc["paths"].(map[string]any)
	for p, it := range paths {
		item, _ := it.(map[string]any)
		for m, op := range item {
			if o, ok := op.(map[string]any); ok {
				f(p, m, o, item)
			}
		}
	}
}

// cutTagged removes every operation carrying tag, paths left empty, and
// the tag itself.
func cutTagged(doc map[string]any, tag string) {
	eachOperation(doc, func(_, method string, op, item map[string]any) {
		if tags, _ := op["tags"].([]any); slices.Contains(tags, any(tag)) {
			delete(item, method)
		}
	})
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		if ops, _ := item.(map[string]any); !hasOperation(ops) {
			delete(paths, p)
		}
	}
	if tags, ok := doc["tags"].([]any); ok {
		doc["tags"] = slices.DeleteFunc(tags, func(t any) bool {
			m, _ := t.(map[string]any)
			return m["name"] == tag
		})
	}
}

func hasOperation(item map[string]any) bool {
	for _, m := range []string{"get", "put", "post", "delete", "patch", "head", "options"} {
		if _, ok := item[m]; ok {
			return true
		}
	}
	return false
}

// machineDoc is x-state-machine: states in the order an application
// passes them, each state's allowed actions, and every transition.
// State is renewal's state type.
type State = wire.State

type machineDoc struct {
	Description string              `json:"description"`
	States      []machineState      `json:"states"`
	Transitions []machineTransition `json:"transitions"`
}

type machineState struct {
	Name     string   `json:"name"`
	Terminal bool     `json:"terminal,omitempty"`
	Actions  []string `json:"actions"`
	// Calls are the operations allowed in the state: those whose
	// x-action is allowed in it, and those without x-action whose
	// x-events leave it (cancel).
	Calls []string `json:"calls"`
}

type machineTransition struct {
	Event string   `json:"event"`
	From  []string `json:"from"`
	To    string   `json:"to"`
}

func stateMachine(doc map[string]any) machineDoc {
	acts := renewal.Actions()
	from := map[string][]State{}
	for _, t := range renewal.Machine() {
		from[string(t.Event)] = t.From
	}
	calls := map[State][]string{}
	eachOperation(doc, func(p, m string, o, _ map[string]any) {
		call := strings.ToUpper(m) + " " + p
		if a, ok := o["x-action"].(string); ok {
			for _, s := range acts[renewal.Action(a)] {
				calls[s] = append(calls[s], call)
			}
			return
		}
		evs, _ := o["x-events"].([]any)
		seen := map[State]bool{}
		for _, e := range evs {
			name, _ := e.(string)
			for _, s := range from[name] {
				if !seen[s] {
					seen[s] = true
					calls[s] = append(calls[s], call)
				}
			}
		}
	})
	m := machineDoc{Description: "Written from the server's own tables (renewal/state.go transitions, renewal/actions.go actions). " +
		"Each operation names the action it needs in x-action (refused with wrong_state in any other state) " +
		"and the events it may cause in x-events; a state's calls are the operations allowed in it " +
		"(GETs that only read are answered whenever what they read exists). " +
		"check_registry, issue, refund_before_cert and apply_payment are done by the server's jobs and the gateways' notifications."}
	for _, s := range wire.States() {
		st := machineState{Name: string(s), Terminal: s.Terminal(), Actions: []string{}, Calls: calls[s]}
		if st.Calls == nil {
			st.Calls = []string{}
		}
		slices.Sort(st.Calls)
		for a, in := range acts {
			if slices.Contains(in, s) {
				st.Actions = append(st.Actions, string(a))
			}
		}
		slices.Sort(st.Actions)
		m.States = append(m.States, st)
	}
	for _, t := range renewal.Machine() {
		mt := machineTransition{Event: string(t.Event), To: string(t.To)}
		for _, f := range t.From {
			mt.From = append(mt.From, string(f))
		}
		m.Transitions = append(m.Transitions, mt)
	}
	return m
}

func serveDocument(raw []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(raw)
	}
}
