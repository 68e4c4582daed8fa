package api

import (
	"errors"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/store"
)

var serviceCode = regexp.MustCompile(`^[a-z0-9.-]{1,32}$`)

func (s *server) serviceList(c *fiber.Ctx) error {
	list, err := s.Services.ServiceList(c.UserContext())
	if err != nil {
		return err
	}
	for i := range list {
		s.fullName(&list[i])
	}
	return c.JSON(wire.ServiceList{Services: list})
}

// fullName adds the catalogue's formal name to a service.
func (s *server) fullName(svc *wire.Service) {
	if s.Renewal != nil {
		svc.FullName = wire.Names{RU: s.Renewal.Catalog.ServiceName(svc.Code, "ru"), EN: s.Renewal.Catalog.ServiceName(svc.Code, "en")}
	}
}

func (s *server) serviceGet(c *fiber.Ctx) error {
	code := c.Params("code")
	if !serviceCode.MatchString(code) {
		return apierr.ErrServiceNotFound
	}
	svc, err := s.Services.ServiceGet(c.UserContext(), code)
	if errors.Is(err, store.ErrNotFound) {
		return apierr.ErrServiceNotFound
	}
	if err != nil {
		return err
	}
	s.fullName(&svc)
	return c.JSON(svc)
}
