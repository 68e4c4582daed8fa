// Package app is the browser wizard: go-app components, one file per
// screen. It compiles into the WebAssembly app (wasm/) and into the
// server, which pre-renders pages, so browser-only code lives in *_js.go
// files with a twin for other platforms.
package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Paths of the screens. The server and the browser register the same
// routes through Routes, or the server answers 404 for a page the app has.
const (
	PathHome    = "/"
	PathService = "/services/"
)

// Routes registers every page of the wizard. Both mains call it.
func Routes() {
	goapp.Route(PathHome, func() goapp.Composer { return &Home{} })
	goapp.RouteWithRegexp(`^/services/[a-z0-9.-]{1,32}$`, func() goapp.Composer { return &ServicePage{} })
	goapp.Route(PathRenew, func() goapp.Composer { return &Wizard{} })
	goapp.RouteWithRegexp(`^/resume/[A-Za-z0-9_-]{20,100}$`, func() goapp.Composer { return &Wizard{} })
	goapp.RouteWithRegexp(`^/approve/[A-Za-z0-9_-]{0,100}$`, func() goapp.Composer { return &Approval{} })
}
