package sandbox

import (
	"bytes"
	"html/template"
	"net/http"

	"renewal/app/money"
)

// The sandbox pages: no inline scripts or styles (the site's CSP forbids
// them), the site's stylesheet, plain forms that post to the same origin.
const baseTemplate = `{{define "layout"}}<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="/web/icon.svg">
<title>{{.TitleRU}} — тестовый режим</title>
<link rel="stylesheet" href="/web/app.css">
</head>
<body>
<div class="page">
<header class="topbar"><span class="brand">{{.Brand}}</span> <span class="muted">тестовый режим · <span lang="en">sandbox</span></span></header>
<main>
<h1>{{.TitleRU}}</h1>
<p class="lead" lang="en">{{.TitleEN}}</p>
{{if .ErrorRU}}<div class="problem" role="alert"><p>{{.ErrorRU}}</p><p lang="en">{{.ErrorEN}}</p></div>{{end}}
{{template "body" .}}
<p class="muted">Это тестовая страница: деньги не списываются.<br><span lang="en">This is a test page: no money is taken.</span></p>
</main>
</div>
</body>
</html>
{{end}}
{{define "summary"}}{{with .P}}<dl>
<dt>Сумма <span lang="en">/ Amount</span></dt><dd>{{amount .AmountMinor .Currency}}</dd>
{{if .Description}}<dt>Назначение <span lang="en">/ Description</span></dt><dd>{{.Description}}</dd>{{end}}
<dt>Номер платежа <span lang="en">/ Payment</span></dt><dd>{{.Ref}}</dd>
</dl>{{end}}{{end}}
{{define "back"}}{{with .P}}{{if .ReturnURL}}<p class="back"><a href="{{.ReturnURL}}">Вернуться на сайт <span lang="en">/ Back to the site</span></a></p>{{end}}{{end}}{{end}}
`

// pages holds one template set per page: the base plus that page's "body".
var pages = map[string]*template.Template{}

func page(name, body string) {
	base := template.Must(template.New("base").Funcs(template.FuncMap{"amount": money.Format}).Parse(baseTemplate))
	pages[name] = template.Must(base.Parse(body))
}

func init() {
	page("card-form", `{{define "body"}}{{template "summary" .}}
<form method="post" action="/sandbox/pay/{{.P.Ref}}">
<p><label for="card">Номер карты <span lang="en">/ Card number</span></label><br>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" maxlength="23" required></p>
<p><label for="exp">Срок действия, ММ/ГГ <span lang="en">/ Expiry, MM/YY</span></label><br>
<input id="exp" name="exp" autocomplete="cc-exp" placeholder="12/30" maxlength="7" required></p>
<p><label for="cvc">CVC</label><br>
<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required></p>
<p><button type="submit">Оплатить {{amount .P.AmountMinor .P.Currency}} <span lang="en">/ Pay</span></button></p>
</form>
<h2>Тестовые карты <span lang="en">/ Test cards</span></h2>
<ul class="requirements">
<li>4111 1111 1111 1111 — успешная оплата <span lang="en">/ success</span></li>
<li>4000 0000 0000 0002 — отказ банка <span lang="en">/ declined</span></li>
<li>4000 0000 0000 3220 — требуется 3-D Secure <span lang="en">/ requires 3-D Secure</span></li>
</ul>
<p class="muted">Любой будущий срок действия и любой CVC из трёх цифр. <span lang="en">Any future expiry, any 3-digit CVC.</span></p>
{{template "back" .}}{{end}}`)
	page("card-3ds", `{{define "body"}}{{template "summary" .}}
<p>Банк, выпустивший карту •••• {{.P.CardLast4}}, просит подтвердить платёж.</p>
<p lang="en">The bank that issued card •••• {{.P.CardLast4}} asks you to confirm the payment.</p>
<form method="post" action="/sandbox/pay/{{.P.Ref}}/3ds">
<p><button type="submit" name="action" value="confirm">Подтвердить <span lang="en">/ Confirm</span></button>
<button type="submit" name="action" value="cancel" class="link-button">Отменить <span lang="en">/ Cancel</span></button></p>
</form>{{end}}`)
	page("result", `{{define "body"}}{{template "summary" .}}
<p>{{.MessageRU}}</p>
<p lang="en">{{.MessageEN}}</p>
{{template "back" .}}{{end}}`)
	page("erip-code", `{{define "body"}}
<p>{{.ServicePath}}</p>
<p lang="en">{{.ServicePathEN}}</p>
<form method="get" action="/sandbox/erip">
<p><label for="code">Номер счёта (код платежа) <span lang="en">/ Account number (payment code)</span></label><br>
<input id="code" name="code" inputmode="numeric" maxlength="20" required></p>
<p><button type="submit">Продолжить <span lang="en">/ Continue</span></button></p>
</form>{{end}}`)
	page("erip-confirm", `{{define "body"}}
<p>{{.ServicePath}}</p>
<p lang="en">{{.ServicePathEN}}</p>
{{template "summary" .}}
<dl><dt>Номер счёта <span lang="en">/ Account number</span></dt><dd>{{.P.ERIPCode}}</dd></dl>
<form method="post" action="/sandbox/erip">
<input type="hidden" name="code" value="{{.P.ERIPCode}}">
<p><button type="submit">Оплатить {{amount .P.AmountMinor .P.Currency}} <span lang="en">/ Pay</span></button></p>
</form>
<p class="back"><a href="/sandbox/erip">Другой счёт <span lang="en">/ Another account</span></a></p>{{end}}`)
	page("erip-result", `{{define "body"}}
<p>{{.ServicePath}}</p>
{{if .P}}{{template "summary" .}}{{end}}
<p>{{.MessageRU}}</p>
<p lang="en">{{.MessageEN}}</p>
<p class="back"><a href="/sandbox/erip">Оплатить другой счёт <span lang="en">/ Pay another account</span></a></p>{{end}}`)
}

// pageData is what the templates see.
type pageData struct {
	Brand                string
	TitleRU, TitleEN     string
	ErrorRU, ErrorEN     string
	MessageRU, MessageEN string
	ServicePath          string
	ServicePathEN        string
	P                    *sbPayment
}

// render writes a page: the named body template inside the layout.
func render(w http.ResponseWriter, status int, name string, d pageData) {
	if d.Brand == "" {
		d.Brand = "Удостоверяющий центр"
	}
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "sandbox page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
