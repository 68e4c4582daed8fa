package app

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/dates"
	"renewal/ca/ident"
)

// The subject attributes that carry identifiers, as ca/profile/oids.go
// names them (the browser does not import ca/profile: it embeds the YAML
// profiles). TestCardOIDsMatchProfile keeps the two equal.
var cardIdents = []struct {
	oid  asn1.ObjectIdentifier
	kind ident.Kind
}{
	{asn1.ObjectIdentifier{1, 2, 643, 100, 3}, ident.SNILS},
	{asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}, ident.INNPerson},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 5}, ident.OGRNIP},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 4}, ident.INNLegal},
	{asn1.ObjectIdentifier{1, 2, 643, 100, 1}, ident.OGRN},
	{asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 1}, ident.BYPersonalNumber},
	{asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 2}, ident.UNP},
}

var oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}

// certLine is one identifier on the card: its name and formatted value.
type certLine struct{ Label, Value string }

// certFacts is what the certificate card shows, read from the certificate
// itself in the browser, in the page's language.
type certFacts struct {
	Name, Organisation, Title string
	Idents                    []certLine
	Issuer                    string
	Serial                    []string // hex in groups of four, so it wraps on a narrow screen
	From, To                  string
	DaysLeft                  int
	Left                      string // "12 дней", or "срок действия истёк"
	Expired                   bool
}

func certificateFacts(c *x509.Certificate, lang string, now time.Time) certFacts {
	f := certFacts{Name: c.Subject.CommonName, Issuer: c.Issuer.CommonName}
	if f.Issuer == "" && len(c.Issuer.Organization) > 0 {
		f.Issuer = c.Issuer.Organization[0]
	}
	if len(c.Subject.Organization) > 0 {
		f.Organisation = c.Subject.Organization[0]
	}
	values := map[string]string{}
	for _, a := range c.Subject.Names {
		if s, ok := a.Value.(string); ok {
			values[a.Type.String()] = s
		}
	}
	f.Title = values[oidTitle.String()]
	if f.Name == "" {
		f.Name = strings.TrimSpace(values["2.5.4.4"] + " " + values["2.5.4.42"]) // surname, given names
	}
	for _, id := range cardIdents {
		v, ok := values[id.oid.String()]
		if !ok || v == "" {
			continue
		}
		ru, en := ident.Name(id.kind)
		f.Idents = append(f.Idents, certLine{Label: pick(lang, ru, en), Value: ident.Format(id.kind, v)})
	}
	f.Serial = serialGroups(c.SerialNumber)
	jur := "RU"
	if len(c.Subject.Country) > 0 && c.Subject.Country[0] == "BY" {
		jur = "BY"
	}
	zone := dates.Zone(jur)
	f.From, f.To = dates.Date(c.NotBefore, jur, lang), dates.Date(c.NotAfter, jur, lang)
	// Calendar days in the jurisdiction's zone, as a person counts them
	// from the end date shown above.
	f.DaysLeft = calendarDays(now.In(zone), c.NotAfter.In(zone))
	switch {
	case !now.Before(c.NotAfter):
		f.DaysLeft, f.Expired = 0, true
		f.Left = text{"срок действия истёк", "expired"}.in(lang)
	case lang == langEN:
		f.Left = fmt.Sprintf("%d %s", f.DaysLeft, map[bool]string{true: "day", false: "days"}[f.DaysLeft == 1])
	default:
		f.Left = fmt.Sprintf("%d %s", f.DaysLeft, ruPlural(f.DaysLeft, "день", "дня", "дней"))
	}
	return f
}

// calendarDays is the number of midnights from a to b (both in one zone).
func calendarDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func serialGroups(n *big.Int) []string {
	if n == nil {
		return nil
	}
	h := strings.ToUpper(n.Text(16))
	if len(h)%2 == 1 {
		h = "0" + h
	}
	var out []string
	for len(h) > 4 {
		out, h = append(out, h[:4]), h[4:]
	}
	return append(out, h)
}

// ruPlural chooses the Russian form for n: one (1, 21), few (2–4, 22–24),
// many (5–20, 25…).
func ruPlural(n int, one, few, many string) string {
	n %= 100
	switch {
	case n >= 11 && n <= 14:
		return many
	case n%10 == 1:
		return one
	case n%10 >= 2 && n%10 <= 4:
		return few
	}
	return many
}

// certCard renders the facts for the person to check before signing.
func certCard(lang string, f certFacts) goapp.UI {
	row := func(id string, label text, value string) goapp.UI {
		if value == "" {
			return nil
		}
		return goapp.Div().Class("cert-row").Body(
			goapp.Dt().Text(label.in(lang)),
			goapp.Dd().ID(id).Text(value),
		)
	}
	return goapp.Dl().ID("cert-card").Class("cert-card").Body(
		row("cert-name", text{"Владелец", "Holder"}, f.Name),
		row("cert-org", text{"Организация", "Organisation"}, f.Organisation),
		row("cert-title", text{"Должность", "Position"}, f.Title),
		goapp.Range(f.Idents).Slice(func(i int) goapp.UI {
			return goapp.Div().Class("cert-row").Body(
				goapp.Dt().Text(f.Idents[i].Label),
				goapp.Dd().Class("cert-ident").Text(f.Idents[i].Value),
			)
		}),
		row("cert-issuer", text{"Издатель", "Issuer"}, f.Issuer),
		goapp.Div().Class("cert-row").Body(
			goapp.Dt().Text(text{"Серийный номер", "Serial number"}.in(lang)),
			goapp.Dd().ID("cert-serial").Class("cert-serial").Body(goapp.Range(f.Serial).Slice(func(i int) goapp.UI {
				return goapp.Span().Text(f.Serial[i])
			})),
		),
		row("cert-valid", text{"Действует", "Valid"}, text{"с ", "from "}.in(lang)+f.From+text{" по ", " to "}.in(lang)+f.To),
		goapp.Div().Class("cert-row").DataSet("expired", f.Expired).Body(
			goapp.Dt().Text(text{"До окончания срока", "Time left"}.in(lang)),
			goapp.Dd().ID("cert-left").Text(f.Left),
		),
	)
}
