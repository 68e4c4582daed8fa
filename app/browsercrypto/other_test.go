//go:build !js

package browsercrypto

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// On the server every browser function says so, and none panics.
func TestServerTwinsSayOnlyInTheBrowser(t *testing.T) {
	ctx := context.Background()
	s := newGoSigner(t, AlgECDSAP256)
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, ErrBrowserOnly) {
			t.Errorf("%s: %v, want ErrBrowserOnly", name, err)
		}
		if err != nil && err.Error() != "browsercrypto: only in the browser" {
			t.Errorf("%s: message %q", name, err)
		}
	}
	_, err := GenerateKey(ctx, AlgECDSAP256, false)
	check("GenerateKey", err)
	check("StoreKey", StoreKey(ctx, "k", s, nil))
	_, _, err = LoadKey(ctx, "k")
	check("LoadKey", err)
	_, err = ListKeys(ctx)
	check("ListKeys", err)
	check("SetCertificate", SetCertificate(ctx, "k", nil))
	check("DeleteKey", DeleteKey(ctx, "k"))
	_, err = PersistStorage(ctx)
	check("PersistStorage", err)
	_, _, _, err = OpenPKCS12(ctx, []byte{0x30}, "pw")
	check("OpenPKCS12", err)
	_, err = ExportPKCS12(ctx, s, nil, nil, "pw")
	check("ExportPKCS12", err)
}

// The files built for the browser and their server twin declare the same
// exported functions with the same signatures, and the browser files
// declare no other exported names (those belong in the shared files).
func TestTwinsHaveTheSameAPI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	api := map[string]map[string]string{"js": {}, "!js": {}}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var tag string
		switch {
		case bytes.HasPrefix(src, []byte("//go:build js\n")):
			tag = "js"
		case bytes.HasPrefix(src, []byte("//go:build !js\n")):
			tag = "!js"
		default:
			if bytes.Contains(src, []byte(`"syscall/js"`)) {
				t.Errorf("%s imports syscall/js without //go:build js", name)
			}
			continue
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil || !d.Name.IsExported() {
					continue
				}
				var sig bytes.Buffer
				printer.Fprint(&sig, fset, stripNames(d.Type))
				api[tag][d.Name.Name] = sig.String()
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.TypeSpec:
						if sp.Name.IsExported() {
							t.Errorf("%s declares type %s: move it to a shared file", name, sp.Name)
						}
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.IsExported() {
								t.Errorf("%s declares %s: move it to a shared file", name, n)
							}
						}
					}
				}
			}
		}
	}
	names := func(m map[string]string) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if js, other := names(api["js"]), names(api["!js"]); !slices.Equal(js, other) {
		t.Fatalf("exported functions differ:\n js: %v\n!js: %v", js, other)
	}
	for name, sig := range api["js"] {
		if api["!js"][name] != sig {
			t.Errorf("%s: js %s, !js %s", name, sig, api["!js"][name])
		}
	}
	if len(api["js"]) < 9 {
		t.Errorf("found only %d browser functions", len(api["js"]))
	}
}

// stripNames drops parameter and result names, which may differ.
func stripNames(ft *ast.FuncType) *ast.FuncType {
	strip := func(fl *ast.FieldList) *ast.FieldList {
		if fl == nil {
			return nil
		}
		out := &ast.FieldList{}
		for _, f := range fl.List {
			n := max(1, len(f.Names))
			for range n {
				out.List = append(out.List, &ast.Field{Type: f.Type})
			}
		}
		return out
	}
	return &ast.FuncType{Params: strip(ft.Params), Results: strip(ft.Results)}
}
