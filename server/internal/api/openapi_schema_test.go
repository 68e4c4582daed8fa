package api

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/renewal"
)

// wireSchemas are the document's schemas that are Go types on the wire.
var wireSchemas = map[string]any{
	"Error": wire.Error{}, "Service": wire.Service{}, "ServiceList": wire.ServiceList{},
	"RenewalStart": wire.RenewalStart{}, "Renewal": wire.Renewal{}, "CertificateRef": wire.CertificateRef{},
	"Money": wire.Money{}, "Reason": wire.Reason{}, "RegistryCheck": wire.RegistryCheck{}, "CheckStep": wire.CheckStep{},
	"CodeCheck": wire.CodeCheck{}, "CodeResend": wire.CodeResend{}, "Challenge": wire.Challenge{}, "Proof": wire.Proof{},
	"Tariff": wire.Tariff{}, "TariffList": wire.TariffList{}, "TariffChoice": wire.TariffChoice{},
	"TermsDocument": wire.TermsDocument{}, "TermsList": wire.TermsList{}, "TermsAcceptance": wire.TermsAcceptance{},
	"AcceptedDocument": wire.AcceptedDocument{}, "PersonalData": wire.PersonalData{},
	"ApplicationSignature": wire.ApplicationSignature{}, "Resume": wire.Resume{},
	"CertificateRequest": wire.CertificateRequest{}, "Payment": wire.Payment{}, "PaymentStart": wire.PaymentStart{},
	"Approval": wire.Approval{}, "ApprovalRequest": wire.ApprovalRequest{},
	"ConfirmationRequest": wire.ConfirmationRequest{}, "Confirmation": wire.Confirmation{},
	"ConfirmationSignature": wire.ConfirmationSignature{}, "Decline": wire.Decline{},
	"AuditTrail": renewal.AuditTrail{}, "AuditEvent": renewal.AuditEntry{}, "ReviewEntry": renewal.ReviewEntry{},
	"OutboxMessage": OutboxMessage{}, "Correction": wire.Correction{}, "AfterDelivery": wire.AfterDelivery{},
}

// TestOpenAPISchemasMatchWire: each schema above lists exactly the JSON
// fields of its Go type, requires exactly those always written (no
// omitempty) and is closed (additionalProperties false), so an unknown
// field is refused and a field added in Go without the document fails
// here. OPENAPI_DUMP=file writes the schemas the Go types imply.
func TestOpenAPISchemasMatchWire(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties           map[string]any `json:"properties"`
				Required             []string       `json:"required"`
				AdditionalProperties *bool          `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPI, &doc))
	named := map[reflect.Type]string{}
	for n, v := range wireSchemas {
		named[reflect.TypeOf(v)] = n
	}
	dump := map[string]any{}
	for name, v := range wireSchemas {
		want := goSchema(reflect.TypeOf(v), named, true)
		dump[name] = want
		got, ok := doc.Components.Schemas[name]
		if !assert.True(t, ok, "schema %s is missing from openapi.json", name) {
			continue
		}
		wantProps := want["properties"].(map[string]any)
		assert.ElementsMatch(t, keys(wantProps), keys(got.Properties), "%s: properties", name)
		assert.ElementsMatch(t, want["required"], got.Required, "%s: required", name)
		if assert.NotNil(t, got.AdditionalProperties, "%s is not closed", name) {
			assert.False(t, *got.AdditionalProperties, "%s is not closed", name)
		}
	}
	if p := os.Getenv("OPENAPI_DUMP"); p != "" {
		b, _ := json.MarshalIndent(dump, "", "  ")
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// goSchema is the JSON Schema encoding/json gives t.
func goSchema(t reflect.Type, named map[reflect.Type]string, top bool) map[string]any {
	nullable := false
	if t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	with := func(s map[string]any) map[string]any {
		if nullable {
			if ty, ok := s["type"].(string); ok {
				s["type"] = []string{ty, "null"}
			}
		}
		return s
	}
	if n, ok := named[t]; ok && !top {
		if nullable {
			return map[string]any{"oneOf": []any{map[string]any{"$ref": "#/components/schemas/" + n}, map[string]any{"type": "null"}}}
		}
		return map[string]any{"$ref": "#/components/schemas/" + n}
	}
	switch {
	case t == timeType:
		return with(map[string]any{"type": "string", "format": "date-time"})
	case t.Kind() == reflect.String:
		return with(map[string]any{"type": "string"})
	case t.Kind() == reflect.Bool:
		return with(map[string]any{"type": "boolean"})
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return with(map[string]any{"type": "integer"})
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		return with(map[string]any{"type": "number"})
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return with(map[string]any{"type": "string", "contentEncoding": "base64"})
	case t.Kind() == reflect.Slice:
		// A nil slice is written as null.
		return map[string]any{"type": []string{"array", "null"}, "items": goSchema(t.Elem(), named, false)}
	case t.Kind() == reflect.Map:
		return with(map[string]any{"type": "object", "additionalProperties": goSchema(t.Elem(), named, false)})
	case t.Kind() == reflect.Struct:
		props := map[string]any{}
		required := []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = goSchema(f.Type, named, false)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		slices.Sort(required)
		return with(map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false})
	}
	return map[string]any{}
}
