package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogueCode is one apierr.New call of the server's sources.
type catalogueCode struct{ code, ru, en, at string }

// catalogueCodes reads every apierr.New(kind, "code", ru, en) under
// server/ (the catalogues renewal/messages.go, apierr.go, api/*.go, and
// any other place a refusal is made), the authority's ca.Error{Code: …}
// (renewal passes them on) and the form's fieldError("name", …), which
// answers invalid_name.
func catalogueCodes(t *testing.T) map[string]catalogueCode {
	t.Helper()
	out := map[string]catalogueCode{}
	fset := token.NewFileSet()
	lit := func(e ast.Expr) string {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			s, _ := strconv.Unquote(b.Value)
			return s
		}
		return ""
	}
	for _, root := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..", "ca")} {
		walkCodes(t, fset, root, lit, out)
	}
	require.Greater(t, len(out), 50, "the catalogues were not found: the test would prove nothing")
	return out
}

func walkCodes(t *testing.T, fset *token.FileSet, root string, lit func(ast.Expr) string, out map[string]catalogueCode) {
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		inApierr := f.Name.Name == "apierr"
		ast.Inspect(f, func(n ast.Node) bool {
			if cl, ok := n.(*ast.CompositeLit); ok && f.Name.Name == "ca" {
				if id, ok := cl.Type.(*ast.Ident); ok && id.Name == "Error" {
					c := catalogueCode{at: fset.Position(cl.Pos()).String()}
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							switch kv.Key.(*ast.Ident).Name {
							case "Code":
								c.code = lit(kv.Value)
							case "RU":
								c.ru = lit(kv.Value)
							case "EN":
								c.en = lit(kv.Value)
							}
						}
					}
					if c.code != "" {
						out[c.code] = c
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "fieldError" && len(call.Args) == 2 {
				if name := lit(call.Args[0]); name != "" {
					out["invalid_"+name] = catalogueCode{code: "invalid_" + name, en: "the form's field " + name + " is not valid", at: fset.Position(call.Pos()).String()}
				}
				return true
			}
			if len(call.Args) != 4 {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "apierr" || fn.Sel.Name != "New" {
					return true
				}
			case *ast.Ident:
				if !inApierr || fn.Name != "New" {
					return true
				}
			default:
				return true
			}
			code := lit(call.Args[1])
			if _, ok := call.Args[1].(*ast.SelectorExpr); ok {
				return true // another error's .Code: counted where it is made
			}
			if b, ok := call.Args[1].(*ast.BinaryExpr); ok && lit(b.X) == "invalid_" {
				return true // fieldError: counted at its callers
			}
			if code == "" {
				t.Errorf("%s: apierr.New with a code that is not a literal", fset.Position(call.Pos()))
				return true
			}
			out[code] = catalogueCode{code: code, ru: lit(call.Args[2]), en: lit(call.Args[3]), at: fset.Position(call.Pos()).String()}
			return true
		})
		return nil
	})
	require.NoError(t, err)
}

// TestOpenAPIErrorCodes: every code the server can answer is in the
// document's ErrorCode (so the response validator refuses any other), with
// its meaning; and the document lists no code the server lacks.
// OPENAPI_DUMP_CODES=file writes the ErrorCode schema the sources imply.
func TestOpenAPIErrorCodes(t *testing.T) {
	codes := catalogueCodes(t)
	var doc struct {
		Components struct {
			Schemas struct {
				ErrorCode struct {
					OneOf []struct {
						Const       string `json:"const"`
						Description string `json:"description"`
					} `json:"oneOf"`
				} `json:"ErrorCode"`
				Error struct {
					Properties struct {
						Code struct {
							Ref string `json:"$ref"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPI, &doc))
	assert.Equal(t, "#/components/schemas/ErrorCode", doc.Components.Schemas.Error.Properties.Code.Ref, "Error.code is not the ErrorCode list")
	listed := map[string]bool{}
	for _, c := range doc.Components.Schemas.ErrorCode.OneOf {
		listed[c.Const] = true
		assert.NotEmpty(t, c.Description, "code %s has no meaning in openapi.json", c.Const)
		assert.Contains(t, codes, c.Const, "openapi.json lists code %s, which no apierr.New makes", c.Const)
	}
	for code, c := range codes {
		assert.True(t, listed[code], "code %s (%s) is missing from openapi.json's ErrorCode", code, c.at)
	}
	if p := os.Getenv("OPENAPI_DUMP_CODES"); p != "" {
		var one []map[string]string
		for _, c := range codes {
			one = append(one, map[string]string{"const": c.code, "description": c.en})
		}
		slices.SortFunc(one, func(a, b map[string]string) int { return strings.Compare(a["const"], b["const"]) })
		b, _ := json.MarshalIndent(one, "", "  ")
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
}
