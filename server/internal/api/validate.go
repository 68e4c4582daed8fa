package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"

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
type contract struct {
	doc            *openapi3.T
	router         routers.Router
	checkResponses bool
	log            *slog.Logger
}

func newContract(doc *openapi3.T, checkResponses bool, log *slog.Logger) (*contract, error) {
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi document: %w", err)
	}
	return &contract{doc: doc, router: router, checkResponses: checkResponses, log: log}, nil
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
				// A body in another content type is the handler's to refuse
				// with its own code (bad_json, unsupported media).
				ExcludeRequestBody: !isJSON(c.Get(fiber.HeaderContentType)) || len(c.Body()) == 0,
			},
		}
		if err := openapi3filter.ValidateRequest(c.UserContext(), in); err != nil {
			return requestRefusal(err)
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
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 c.Response().StatusCode(),
		Header:                 h,
		Body:                   io.NopCloser(bytes.NewReader(c.Response().Body())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s %s answered %d: %w", c.Method(), c.Path(), out.Status, err)
	}
	return nil
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
	if re.RequestBody != nil && errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
		return invalidField("body", problemMissing, err)
	}
	return invalidField("body", problemValue, err)
}

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
