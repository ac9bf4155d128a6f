package contract

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseWireError splits a wire error as a client does (see errors.go): the code, the English text,
// and the JSON trailer, which starts at the last ` {"key":` from which the rest decodes.
func parseWireError(msg string) (code Code, text string, key Key, params map[string]string, ok bool) {
	for _, c := range AllCodes {
		if strings.HasPrefix(msg, string(c)+": ") {
			code, msg = c, strings.TrimPrefix(msg, string(c)+": ")
		}
	}
	if code == "" {
		return "", "", "", nil, false
	}
	for end := len(msg); end > 0; {
		i := strings.LastIndex(msg[:end], ` {"key":`)
		if i < 0 {
			break
		}
		var trailer struct {
			Key    *Key               `json:"key"`
			Params *map[string]string `json:"params"`
		}
		dec := json.NewDecoder(strings.NewReader(msg[i+1:]))
		dec.DisallowUnknownFields()
		if dec.Decode(&trailer) == nil && !dec.More() && trailer.Key != nil && trailer.Params != nil {
			return code, msg[:i], *trailer.Key, *trailer.Params, true
		}
		end = i
	}
	return code, msg, "", nil, false
}

// requireWireError checks that msg is a well-formed wire error of code and key whose text is the
// key's template rendered with its parameters, and returns the parameters.
func requireWireError(t *testing.T, msg string, code Code, key Key) map[string]string {
	t.Helper()
	gotCode, text, gotKey, params, ok := parseWireError(msg)
	require.True(t, ok, "not a structured error: %q", msg)
	require.Equal(t, code, gotCode, msg)
	if key != "" {
		require.Equal(t, key, gotKey, msg)
	}
	m, known := messages[gotKey]
	require.True(t, known, "unknown key in %q", msg)
	require.Equal(t, m.code, gotCode, "the code of %s", gotKey)
	require.Equal(t, render(m.template, params), text, msg)
	return params
}

func TestErrors(t *testing.T) {
	err := newError("LOT_NOT_FOUND", Params{"lot": "X"})
	require.Equal(t, `NOT_FOUND: lot X does not exist {"key":"LOT_NOT_FOUND","params":{"lot":"X"}}`, err.Error())
	require.Equal(t, CodeNotFound, CodeOf(err))
	require.Equal(t, Key("LOT_NOT_FOUND"), KeyOf(err))
	require.Equal(t, &Error{Code: CodeNotFound, Key: "LOT_NOT_FOUND", Params: map[string]string{"lot": "X"},
		Message: "lot X does not exist"}, err)
	require.Equal(t, Code(""), CodeOf(errors.New("plain")))
	require.Equal(t, Key(""), KeyOf(errors.New("plain")))
	require.True(t, HasCodePrefix("RECALLED: x"))
	require.False(t, HasCodePrefix("RECALLED x"))

	ledger := ledgerError("GetState", errors.New("boom"))
	require.Equal(t, CodeInvalidState, CodeOf(ledger))
	require.Equal(t, `INVALID_STATE: ledger error during GetState: boom {"key":"LEDGER_ERROR","params":{"error":"boom","operation":"GetState"}}`,
		ledger.Error())

	// no parameters: an empty object, never null
	require.Equal(t, `FORBIDDEN: only an admin identity (OU=admin) may manage roles {"key":"ROLE_ADMIN_REQUIRED","params":{}}`,
		newError("ROLE_ADMIN_REQUIRED", nil).Error())
	require.Equal(t, `ALREADY_EXISTS: x {"key":"K","params":{}}`, (&Error{Code: CodeAlreadyExists, Key: "K", Message: "x"}).Error())

	// parameter values: numbers like %g, no HTML escaping, user text quoted like %q and JSON-escaped
	err = newError("VALUE_NOT_ALLOWED", Params{"field": "step", "allowed": "A, B", "value": quote("<x> & \"y\"\n")})
	require.Equal(t, `INVALID_ARGUMENT: step must be one of A, B, got "<x> & \"y\"\n" `+
		`{"key":"VALUE_NOT_ALLOWED","params":{"allowed":"A, B","field":"step","value":"\"<x> & \\\"y\\\"\\n\""}}`, err.Error())
	params := requireWireError(t, err.Error(), CodeInvalidArgument, "VALUE_NOT_ALLOWED")
	require.Equal(t, `"<x> & \"y\"\n"`, params["value"])
	err = newError("QUANTITY_OUT_OF_RANGE", Params{"field": "quantity", "max": float64(MaxQuantity), "value": 0.5})
	require.Equal(t, "quantity must be greater than 0 and at most 1e+09, got 0.5", err.(*Error).Message)

	// a key missing from the catalogue is a bug, but still yields a documented code
	err = newError("NO_SUCH_KEY", Params{"a": 1})
	require.Equal(t, `INVALID_STATE: unknown error NO_SUCH_KEY {"key":"NO_SUCH_KEY","params":{"a":"1"}}`, err.Error())
}

func TestParseWireError(t *testing.T) {
	// user text that looks like a trailer does not confuse the parser
	msg := newError("JSON_INVALID", Params{"field": "x", "error": `bad {"key":"LOT_NOT_FOUND","params":{}} value`}).Error()
	params := requireWireError(t, msg, CodeInvalidArgument, "JSON_INVALID")
	require.Equal(t, `bad {"key":"LOT_NOT_FOUND","params":{}} value`, params["error"])
	msg = newError("JSON_INVALID", Params{"field": "x", "error": `{"key":"K"}`}).Error()
	require.Equal(t, `{"key":"K"}`, requireWireError(t, msg, CodeInvalidArgument, "JSON_INVALID")["error"])

	for _, old := range []string{"NOT_FOUND: lot X does not exist", `NOT_FOUND: x {"key":"K"}`, "plain", `NOT_FOUND: x {"key":1,"params":{}}`} {
		_, _, _, _, ok := parseWireError(old)
		require.False(t, ok, old)
	}
}

func TestRender(t *testing.T) {
	values := map[string]string{"a": "1", "b_2": "2"}
	require.Equal(t, "1-2 {c} {} {a b} {9} {1}} {", render("{a}-{b_2} {c} {} {a b} {9} {{a}}} {", values))
	require.Equal(t, []string{"a", "b_2", "c"}, placeholders("{c} {a} {b_2} {a} {} {_x} {x-y} {a"))
	require.Equal(t, []string{}, placeholders("none"))
	require.Equal(t, "no placeholders", render("no placeholders", nil))
}

var keyPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*[A-Z0-9]$`)

func TestErrorCatalogue(t *testing.T) {
	for key, m := range messages {
		require.Regexp(t, keyPattern, string(key))
		require.Contains(t, AllCodes, m.code, key)
		require.NotEmpty(t, strings.TrimSpace(m.template), key)
		require.NotContains(t, placeholders(m.template), "key", key)
	}
}

// TestErrorCallSitesMatchTemplates reads the contract's sources: every newError call passes a key
// literal of the catalogue and exactly the parameters its template names, and every key is used.
func TestErrorCallSitesMatchTemplates(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	used := map[Key]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "newError" {
				return true
			}
			pos := fset.Position(call.Pos())
			require.Len(t, call.Args, 2, pos)
			lit, ok := call.Args[0].(*ast.BasicLit)
			require.True(t, ok && lit.Kind == token.STRING, "%s: the key must be a string literal", pos)
			k, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			m, ok := messages[Key(k)]
			require.True(t, ok, "%s: key %s is not in the catalogue", pos, k)
			used[Key(k)] = true

			names := []string{}
			switch arg := call.Args[1].(type) {
			case *ast.Ident:
				require.Equal(t, "nil", arg.Name, "%s: parameters must be nil or a Params literal", pos)
			case *ast.CompositeLit:
				typ, ok := arg.Type.(*ast.Ident)
				require.True(t, ok && typ.Name == "Params", "%s: parameters must be nil or a Params literal", pos)
				for _, elt := range arg.Elts {
					kv, ok := elt.(*ast.KeyValueExpr)
					require.True(t, ok, pos)
					name, ok := kv.Key.(*ast.BasicLit)
					require.True(t, ok && name.Kind == token.STRING, "%s: parameter names must be string literals", pos)
					s, err := strconv.Unquote(name.Value)
					require.NoError(t, err)
					names = append(names, s)
				}
			default:
				require.Failf(t, "parameters must be nil or a Params literal", "%s", pos)
			}
			sort.Strings(names)
			require.Equal(t, placeholders(m.template), names, "%s: parameters of %s", pos, k)
			return true
		})
	}
	for key := range messages {
		require.True(t, used[key], "key %s is never used", key)
	}
}
