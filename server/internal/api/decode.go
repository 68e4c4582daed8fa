package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"

	"github.com/gofiber/fiber/v2"

	"renewal/server/internal/apierr"
)

// decodeJSON reads the body as exactly one JSON object of v's shape:
// unknown fields, trailing data and other content types are refused.
// Handlers validate the values themselves afterwards.
func decodeJSON(c *fiber.Ctx, v any) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return apierr.ErrBadJSON.With(errors.New("content type is not application/json"))
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apierr.ErrBadJSON.With(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apierr.ErrBadJSON.With(errors.New("trailing data after the JSON value"))
	}
	return nil
}
