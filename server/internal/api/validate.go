package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"renewal/server/internal/apierr"
)

// The validator's refusals. The field is named in both languages; the
// template's one %s is the field's JSON pointer (or the parameter's name).
var (
	errInvalidField = apierr.New(apierr.KindBadRequest, "invalid_field",
		"Запрос не соответствует описанию API (openapi.json): поле «%s» — %s.",
		"The request does not match the API document (openapi.json): field “%s” — %s.")
	errResponseMismatch = apierr.New(apierr.KindInternal, "response_mismatch",
		"Ответ сервера не соответствует описанию API. Это ошибка сервера; сообщите номер запроса в поддержку.",
		"The server's answer does not match the API document. This is a server fault; give the request id to support.")
)

// fieldProblem names, in both languages, what is wrong with one field.
type fieldProblem struct{ ru, en string }

var (
	problemMissing = fieldProblem{"обязательное поле отсутствует", "a required field is missing"}
	problemUnknown = fieldProblem{"такого поля нет в описании", "no such field in the document"}
	problemType    = fieldProblem{"неверный тип значения", "the value has the wrong type"}
	problemValue   = fieldProblem{"недопустимое значение", "the value is not allowed"}
)

// invalidField is errInvalidField about field.
func invalidField(field string, p fieldProblem, cause error) *apierr.Error {
	e := errInvalidField.With(cause)
	e.RU = fmt.Sprintf(errInvalidField.RU, field, p.ru)
	e.EN = fmt.Sprintf(errInvalidField.EN, field, p.en)
	return e
}

// contract is the API document in force: it refuses requests that do not
// match it before any handler runs and, when checkResponses is on (the
// test suites), turns an answer that does not match it into a 500.
//
// kin-openapi routes the request and checks parameters, headers, content
// types and statuses. Bodies are checked by the JSON Schema 2020-12 engine
// kin-openapi itself uses for 3.1 (santhosh-tekuri/jsonschema), compiled
// once per schema: kin-openapi compiles a schema again at every call
// (3 ms a request, BenchmarkContract), too slow for every request.
type contract struct {
	doc            *openapi3.T
	router         routers.Router
	checkResponses bool
	log            *slog.Logger

	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema // by JSON pointer into the document
}

const documentURL = "https://renewal.invalid/openapi.json"

func newContract(raw []byte, doc *openapi3.T, checkResponses bool, log *slog.Logger) (*contract, error) {
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi document: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read openapi document: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(documentURL, v); err != nil {
		return nil, fmt.Errorf("add openapi document: %w", err)
	}
	return &contract{doc: doc, router: router, checkResponses: checkResponses, log: log,
		compiler: c, schemas: map[string]*jsonschema.Schema{}}, nil
}

// schema is the compiled schema at pointer (compiled on first use).
func (k *contract) schema(pointer string) (*jsonschema.Schema, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.schemas[pointer]; ok {
		return s, nil
	}
	s, err := k.compiler.Compile(documentURL + "#" + pointer)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", pointer, err)
	}
	k.schemas[pointer] = s
	return s, nil
}

// escape is a JSON pointer token.
func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// bodyPointer is where the JSON schema of a media type sits: its own
// $ref if it has one, else under base (the operation's request body or
// response, or the component that one refers to).
func bodyPointer(base string, ref *openapi3.SchemaRef) string {
	if ref != nil && strings.HasPrefix(ref.Ref, "#/") {
		return strings.TrimPrefix(ref.Ref, "#")
	}
	return base + "/content/" + escape(fiber.MIMEApplicationJSON) + "/schema"
}

// validateBody checks a JSON body against the schema at pointer.
func (k *contract) validateBody(pointer string, body []byte) error {
	s, err := k.schema(pointer)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// check is the /api/v1 group's middleware.
func (k *contract) check(s *server) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req, err := adaptor.ConvertRequest(c, false)
		if err != nil {
			return apierr.FromStatus(http.StatusBadRequest, err)
		}
		route, params, err := k.router.FindRoute(req)
		if err != nil {
			// Not in the document: the app's own 404 or 405 answers, and in
			// the suites anything else is a route the document lacks.
			if err := c.Next(); err != nil {
				if rerr := s.renderError(c, err); rerr != nil {
					return rerr
				}
			}
			if st := c.Response().StatusCode(); k.checkResponses && st != http.StatusNotFound && st != http.StatusMethodNotAllowed {
				return k.broken(s, c, fmt.Errorf("%s %s answered %d but is not in openapi.json", c.Method(), c.Path(), st))
			}
			return nil
		}
		in := &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{
				AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
				ExcludeRequestBody: true, // below
			},
		}
		if err := openapi3filter.ValidateRequest(c.UserContext(), in); err != nil {
			return requestRefusal(err)
		}
		// A body in another content type, or not JSON at all, is the
		// handler's to refuse with its own code (bad_json).
		if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil && isJSON(c.Get(fiber.HeaderContentType)) && len(c.Body()) > 0 {
			if mt := rb.Value.Content.Get(fiber.MIMEApplicationJSON); mt != nil {
				base := "/paths/" + escape(route.Path) + "/" + strings.ToLower(route.Method) + "/requestBody"
				if strings.HasPrefix(rb.Ref, "#/") {
					base = strings.TrimPrefix(rb.Ref, "#")
				}
				err := k.validateBody(bodyPointer(base, mt.Schema), c.Body())
				var ve *jsonschema.ValidationError
				if errors.As(err, &ve) {
					field, p := leafProblem(ve)
					return invalidField(field, p, err)
				}
				if err != nil && !isSyntax(err) {
					return err
				}
			}
		}
		if err := c.Next(); err != nil {
			if rerr := s.renderError(c, err); rerr != nil {
				return rerr
			}
		}
		if !k.checkResponses || c.Response().IsBodyStream() {
			return nil
		}
		if err := k.validateResponse(c, in); err != nil {
			return k.broken(s, c, err)
		}
		return nil
	}
}

func (k *contract) validateResponse(c *fiber.Ctx, in *openapi3filter.RequestValidationInput) error {
	h := http.Header{}
	c.Response().Header.VisitAll(func(key, v []byte) { h.Add(string(key), string(v)) })
	status := c.Response().StatusCode()
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 h,
		Body:                   io.NopCloser(bytes.NewReader(c.Response().Body())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s %s answered %d: %w", c.Method(), c.Path(), status, err)
	}
	if !isJSON(string(c.Response().Header.ContentType())) {
		return nil
	}
	key := strconv.Itoa(status)
	rr := in.Route.Operation.Responses.Value(key)
	if rr == nil {
		key, rr = "default", in.Route.Operation.Responses.Default()
	}
	if rr == nil || rr.Value == nil {
		return fmt.Errorf("%s %s answered %d, which the document does not list", c.Method(), c.Path(), status)
	}
	mt := rr.Value.Content.Get(fiber.MIMEApplicationJSON)
	if mt == nil {
		return fmt.Errorf("%s %s answered %d in JSON, which the document does not list", c.Method(), c.Path(), status)
	}
	base := "/paths/" + escape(in.Route.Path) + "/" + strings.ToLower(in.Route.Method) + "/responses/" + key
	if strings.HasPrefix(rr.Ref, "#/") {
		base = strings.TrimPrefix(rr.Ref, "#")
	}
	if err := k.validateBody(bodyPointer(base, mt.Schema), c.Response().Body()); err != nil {
		return fmt.Errorf("%s %s answered %d: %w", c.Method(), c.Path(), status, err)
	}
	return nil
}

// isSyntax reports whether err is a body that is not JSON at all.
func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "invalid character")
}

// broken replaces an answer that breaks the document with a 500 and a
// log line: the suites fail on it loudly.
func (k *contract) broken(s *server, c *fiber.Ctx, err error) error {
	k.log.Error("answer does not match openapi.json", "request_id", RequestID(c), "err", err)
	c.Response().Header.Del(fiber.HeaderContentDisposition)
	return s.renderError(c, errResponseMismatch.With(err))
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == fiber.MIMEApplicationJSON
}

// requestRefusal turns the validator's error into a 400 naming the field.
func requestRefusal(err error) *apierr.Error {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return apierr.FromStatus(http.StatusBadRequest, err)
	}
	if re.Parameter != nil {
		p := problemValue
		if re.Err != nil && errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
			p = problemMissing
		}
		return invalidField(re.Parameter.In+" "+re.Parameter.Name, p, err)
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		field, p := leafProblem(ve)
		return invalidField(field, p, err)
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		// The built-in validator (schemas without 3.1 keywords).
		loc := "/" + strings.Join(se.JSONPointer(), "/")
		switch se.SchemaField {
		case "required", "additionalProperties":
			p := problemMissing
			if se.SchemaField == "additionalProperties" {
				p = problemUnknown
			}
			if m := quotedProperty.FindStringSubmatch(se.Reason); m != nil {
				return invalidField(strings.TrimSuffix(loc, "/")+"/"+m[1], p, err)
			}
			return invalidField(loc, p, err)
		case "type":
			return invalidField(loc, problemType, err)
		default:
			return invalidField(loc, problemValue, err)
		}
	}
	if re.RequestBody != nil && errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
		return invalidField("body", problemMissing, err)
	}
	return invalidField("body", problemValue, err)
}

// quotedProperty finds the property a built-in validator's reason names.
var quotedProperty = regexp.MustCompile(`property "([^"]+)"`)

// leafProblem is the first innermost cause of a JSON Schema error: the
// field it is about and what is wrong with it.
func leafProblem(ve *jsonschema.ValidationError) (string, fieldProblem) {
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	loc := "/" + strings.Join(ve.InstanceLocation, "/")
	join := func(name string) string { return strings.TrimSuffix(loc, "/") + "/" + name }
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		return join(first(k.Missing)), problemMissing
	case *kind.AdditionalProperties:
		return join(first(k.Properties)), problemUnknown
	case *kind.Type:
		return loc, problemType
	default:
		return loc, problemValue
	}
}

func first(names []string) string {
	names = slices.Clone(names)
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}
