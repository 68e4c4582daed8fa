package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// filePicker is a file field in the page's language. The browser draws an
// <input type=file> with its own button and "No file chosen" in the
// browser's language, whatever the page's: here that input is not
// displayed (chosenFile still reads it by ID, and tests still fill it),
// and a real <button> opens it, with the chosen file's name beside.
type filePicker struct {
	goapp.Compo
	ID     string // the input's id
	Accept string
	Label  text
	Lang   string

	name string // the chosen file's
}

func (f *filePicker) choose(ctx goapp.Context, e goapp.Event) {
	if in := goapp.Window().GetElementByID(f.ID); in.Truthy() {
		in.Call("click")
	}
}

func (f *filePicker) changed(ctx goapp.Context, e goapp.Event) {
	f.name = ""
	if files := ctx.JSSrc().Get("files"); files.Truthy() && files.Get("length").Int() > 0 {
		f.name = files.Index(0).Get("name").String()
	}
}

func (f *filePicker) Render() goapp.UI {
	name := f.name
	if name == "" {
		name = text{"Файл не выбран", "No file chosen"}.in(f.Lang)
	}
	return goapp.Div().Class("field file-field").Body(
		goapp.Label().ID(f.ID+"-label").For(f.ID).Text(f.Label.in(f.Lang)),
		// Hidden (the attribute: the CSP refuses inline styles): the
		// button is the one control people and the keyboard reach; a
		// click on the label or the button still opens the browser's
		// dialog, and the files stay readable by ID.
		goapp.Input().Type("file").ID(f.ID).Accept(f.Accept).Hidden(true).OnChange(f.changed),
		goapp.Div().Class("file-pick actions").Body(
			goapp.Button().Type("button").ID(f.ID+"-button").Class("link-button secondary").
				Aria("labelledby", f.ID+"-label "+f.ID+"-button").Aria("describedby", f.ID+"-name").
				OnClick(f.choose).Text(text{"Выбрать файл…", "Choose a file…"}.in(f.Lang)),
			goapp.Span().ID(f.ID+"-name").Class("file-name").Aria("live", "polite").Text(name),
		),
	)
}
