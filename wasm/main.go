// Command wasm is the browser side of the service, built with
// GOOS=js GOARCH=wasm into web/app.wasm. It imports no server code: a
// test keeps fiber, fasthttp, pgx and river out of its dependencies.
package main

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app"
)

func main() {
	app.Routes()
	goapp.RunWhenOnBrowser()
}
