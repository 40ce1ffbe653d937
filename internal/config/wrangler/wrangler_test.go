package wrangler

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// find returns the node at a path of keys and indexes ("a", 0, "b").
func find(t *testing.T, n *Node, path ...any) *Node {
	t.Helper()
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m := n.Get(p)
			if m == nil {
				t.Fatalf("no key %q in path %v", p, path)
			}
			n = m.Value
		case int:
			if n.Kind != Array || p >= len(n.Elems) {
				t.Fatalf("no index %d in path %v", p, path)
			}
			n = n.Elems[p]
		}
	}
	return n
}

func TestTOMLPositions(t *testing.T) {
	src := `# comment
name = "app"
"quoted key" = 1
multi = """
[not.a.table]
x = 1
"""
dotted.key = "v"

[vars]
A = { inner = 1, list = [1,
  2] }
B = [
  "x",
  { k = "y" },
]

[[kv_namespaces]]
binding = "ONE"

[[kv_namespaces]]
  binding = "TWO"

[[kv_namespaces.sub]]
z = 1

[env.staging]
vars = { C = 3 }
[env."with space".dev]
port = 1
`
	root, err := ParseTOML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path []any
		want Pos
	}{
		{[]any{"name"}, Pos{2, 1}},
		{[]any{"quoted key"}, Pos{3, 1}},
		{[]any{"multi"}, Pos{4, 1}},
		{[]any{"dotted"}, Pos{8, 1}},
		{[]any{"dotted", "key"}, Pos{8, 8}},
		{[]any{"vars"}, Pos{10, 1}},
		{[]any{"vars", "A"}, Pos{11, 1}},
		{[]any{"vars", "A", "inner"}, Pos{11, 7}},
		{[]any{"vars", "A", "list", 1}, Pos{12, 3}},
		{[]any{"vars", "B", 1}, Pos{15, 3}},
		{[]any{"vars", "B", 1, "k"}, Pos{15, 5}},
		{[]any{"kv_namespaces", 0}, Pos{18, 1}},
		{[]any{"kv_namespaces", 0, "binding"}, Pos{19, 1}},
		{[]any{"kv_namespaces", 1}, Pos{21, 1}},
		{[]any{"kv_namespaces", 1, "binding"}, Pos{22, 3}},
		{[]any{"kv_namespaces", 1, "sub", 0, "z"}, Pos{25, 1}},
		{[]any{"env", "staging", "vars", "C"}, Pos{28, 10}},
		{[]any{"env", "with space", "dev", "port"}, Pos{30, 1}},
	}
	for _, tt := range tests {
		if got := find(t, root, tt.path...).Pos; got != tt.want {
			t.Errorf("%v: pos %v, want %v", tt.path, got, tt.want)
		}
	}
	if find(t, root, "multi").Str != "[not.a.table]\nx = 1\n" {
		t.Errorf("multi = %q", find(t, root, "multi").Str)
	}
	if root.Get("not") != nil {
		t.Error("scanner or parser read a table inside a multi-line string")
	}
	// Members come in file order.
	var keys []string
	for _, m := range root.Members {
		keys = append(keys, m.Key)
	}
	if want := []string{"name", "quoted key", "multi", "dotted", "vars", "kv_namespaces", "env"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

func TestTOMLValues(t *testing.T) {
	root, err := ParseTOML([]byte(`
i = 42
f = 2.5
b = true
s = 'lit\n'
d = 1979-05-27T07:32:00Z
ld = 1979-05-27
lt = 07:32:01
ldt = 1979-05-27T07:32:00
arr = [1, "two"]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := root.Interface()
	want := map[string]any{
		"i": int64(42), "f": 2.5, "b": true, "s": `lit\n`, "d": "1979-05-27T07:32:00Z", "ld": "1979-05-27", "lt": "07:32:01", "ldt": "1979-05-27T07:32:00",
		"arr": []any{int64(1), "two"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

func TestTOMLNaN(t *testing.T) {
	_, err := ParseTOML([]byte("x = nan\n"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 1 {
		t.Errorf("nan: got %v, want SyntaxError at line 1", err)
	}
}

func TestJSON(t *testing.T) {
	src := "\xef\xbb\xbf{\n  // comment\n  \"a\": [1, 2.5, -3e2, 9223372036854775808],\n  \"b\": {\"c\": null, \"d\": \"\\u00e9\",},\n  \"a\": true,\n}"
	root, dups, err := ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dups, []Pos{{5, 3}}) {
		t.Errorf("dups = %v", dups)
	}
	want := map[string]any{"a": true, "b": map[string]any{"c": nil, "d": "é"}}
	if got := root.Interface(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	if p := find(t, root, "b", "d").Pos; p != (Pos{4, 25}) {
		t.Errorf("b.d pos = %v", p)
	}
	if len(root.Members) != 2 || root.Get("a").Pos != (Pos{5, 3}) {
		t.Errorf("last duplicate should replace the first: %+v", root.Members)
	}

	root, _, err = ParseJSON([]byte(`[1, 2.5, -3e2, 9223372036854775808]`))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []Kind{}
	for _, e := range root.Elems {
		kinds = append(kinds, e.Kind)
	}
	if !reflect.DeepEqual(kinds, []Kind{Int, Float, Float, Float}) {
		t.Errorf("number kinds = %v", kinds)
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
	}{
		{"{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3},
		{"{\"a\": }", 1, 7},
		{"\xef\xbb\xbf{,}", 1, 5},
		{"{\"a\": 1e400}", 1, 7},
		{"", 1, 1},
	}
	for _, tt := range tests {
		_, _, err := ParseJSON([]byte(tt.src))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want SyntaxError", tt.src, err)
			continue
		}
		if se.Line != tt.line || se.Col != tt.col || !strings.Contains(se.Msg, "") {
			t.Errorf("%q: got %d:%d %s, want %d:%d", tt.src, se.Line, se.Col, se.Msg, tt.line, tt.col)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Null: "null", Bool: "boolean", Int: "number", Float: "number", String: "string", Array: "array", Object: "object"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("a = 1\n[b]\nc = [1, {d = 2}]\n[[e]]\nf = \"\"\"x\"\"\"\n"))
	f.Add([]byte(`{"a": [1, {"b": null}], /* c */ "d": 1.5,}`))
	f.Add([]byte("[[a.b]]\n[a.b.c]\n[[a.b]]\n'q k' . \"r\" = '''\n'''"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		check := func(n *Node, err error) {
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not *SyntaxError", err)
				}
				return
			}
			var walk func(n *Node)
			walk = func(n *Node) {
				if n.Pos.Line < 1 || n.Pos.Line > lines || n.Pos.Col < 1 {
					t.Fatalf("bad position %v (%d lines)", n.Pos, lines)
				}
				for _, e := range n.Elems {
					walk(e)
				}
				for _, m := range n.Members {
					walk(m.Value)
				}
			}
			walk(n)
			n.Interface()
		}
		check(ParseTOML(data))
		n, _, err := ParseJSON(data)
		check(n, err)
	})
}

func TestDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if _, _, err := ParseJSON([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("json: %v", err)
	}
	if _, err := ParseTOML([]byte("a = " + deep)); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("toml: %v", err)
	}
	// Brackets inside strings and comments do not count.
	ok := `{"s": "` + strings.Repeat("[", MaxDepth+1) + `"} // ` + strings.Repeat("{", MaxDepth+1)
	if _, _, err := ParseJSON([]byte(ok)); err != nil {
		t.Errorf("json strings: %v", err)
	}
	okTOML := "s = '" + strings.Repeat("[", MaxDepth+1) + "' # " + strings.Repeat("{", MaxDepth+1) + "\n"
	if _, err := ParseTOML([]byte(okTOML)); err != nil {
		t.Errorf("toml strings: %v", err)
	}
	// Deep but allowed.
	fine := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, _, err := ParseJSON([]byte(fine)); err != nil {
		t.Errorf("json at the limit: %v", err)
	}
}

func TestJSONEndOfInput(t *testing.T) {
	for _, src := range []string{`{"a": 1`, "{\"a\": 1 // c", "{\n\"a\": 1,\n"} {
		_, _, err := ParseJSON([]byte(src))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%q: %v", src, err)
		}
		if lines := strings.Count(src, "\n") + 1; se.Line != lines {
			t.Errorf("%q: error at line %d, want the last line %d", src, se.Line, lines)
		}
	}
	if _, _, err := ParseJSON([]byte(`{"a": 1} // trailing comment, no newline`)); err != nil {
		t.Errorf("trailing line comment: %v", err)
	}
}
