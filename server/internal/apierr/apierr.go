// Package apierr is the one error type that crosses the API: a kind that
// decides the HTTP status, a public code and message in Russian and
// English, and the wrapped cause, which is logged and never shown.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error for the HTTP status.
type Kind int

const (
	KindInternal Kind = iota
	KindBadRequest
	KindNotFound
	KindMethodNotAllowed
	KindTooLarge
	KindUnavailable
	KindConflict
	KindUnauthorized
	KindForbidden
	KindTooManyRequests
	KindUnsupportedMedia
)

// Status maps a kind to its HTTP status.
func (k Kind) Status() int {
	switch k {
	case KindBadRequest:
		return http.StatusBadRequest
	case KindNotFound:
		return http.StatusNotFound
	case KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindUnavailable:
		return http.StatusServiceUnavailable
	case KindConflict:
		return http.StatusConflict
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindTooManyRequests:
		return http.StatusTooManyRequests
	case KindUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

// Error is an API error. Code is stable for programs; RU and EN are for
// people. Cause stays in the logs.
type Error struct {
	Kind  Kind
	Code  string
	RU    string
	EN    string
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Cause)
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Cause }

// Is lets errors.Is match a sentinel by its code, whatever the cause.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e that wraps cause.
func (e *Error) With(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// New makes a sentinel.
func New(kind Kind, code, ru, en string) *Error {
	return &Error{Kind: kind, Code: code, RU: ru, EN: en}
}

// The errors every part of the API shares.
var (
	ErrInternal = New(KindInternal, "internal",
		"Внутренняя ошибка сервера. Попробуйте ещё раз позже; если ошибка повторится, сообщите номер запроса в поддержку.",
		"Internal server error. Please try again later; if it happens again, give the request id to support.")
	ErrNotFound = New(KindNotFound, "not_found",
		"Такого адреса в API нет.",
		"There is no such API path.")
	ErrMethodNotAllowed = New(KindMethodNotAllowed, "method_not_allowed",
		"Этот метод не поддерживается для данного адреса.",
		"This method is not allowed for this path.")
	ErrBadJSON = New(KindBadRequest, "bad_json",
		"Тело запроса не является корректным JSON нужного вида.",
		"The request body is not valid JSON of the expected shape.")
	ErrTooLarge = New(KindTooLarge, "body_too_large",
		"Запрос слишком большой.",
		"The request body is too large.")
	ErrUnavailable = New(KindUnavailable, "unavailable",
		"Сервис временно недоступен: нет связи с базой данных. Повторите попытку через минуту.",
		"The service is temporarily unavailable: the database cannot be reached. Please try again in a minute.")
	ErrBusy = New(KindUnavailable, "busy",
		"Сервис перегружен: все соединения с базой данных заняты. Ничего не изменено; повторите действие через секунду.",
		"The service is overloaded: every database connection is busy. Nothing was changed; please repeat in a second.")
	ErrNotReady = New(KindUnavailable, "not_ready",
		"Сервис не готов: база данных недоступна или её схема устарела.",
		"The service is not ready: the database is unreachable or its schema is out of date.")
	ErrServiceNotFound = New(KindNotFound, "service_not_found",
		"Такой услуги нет.",
		"There is no such service.")
)

// From turns any error into an *Error: ours pass through, everything
// else is internal.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal.With(err)
}

// FromStatus gives an error answered by the HTTP layer itself (no route,
// body too large) its public form.
func FromStatus(status int, cause error) *Error {
	switch status {
	case http.StatusNotFound:
		return ErrNotFound.With(cause)
	case http.StatusMethodNotAllowed:
		return ErrMethodNotAllowed.With(cause)
	case http.StatusRequestEntityTooLarge:
		return ErrTooLarge.With(cause)
	case http.StatusBadRequest:
		return New(KindBadRequest, "bad_request", "Некорректный запрос.", "Bad request.").With(cause)
	case http.StatusServiceUnavailable:
		return ErrUnavailable.With(cause)
	default:
		if status >= 400 && status < 500 {
			return New(KindBadRequest, "bad_request", "Некорректный запрос.", "Bad request.").With(cause)
		}
		return ErrInternal.With(cause)
	}
}
