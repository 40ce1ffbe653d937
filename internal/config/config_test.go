package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		from  string // directory searched, relative to the temp dir
		want  string // expected file, relative; "" = not found
	}{
		{"json beats jsonc and toml", []string{"wrangler.toml", "wrangler.jsonc", "wrangler.json"}, ".", "wrangler.json"},
		{"jsonc beats toml", []string{"wrangler.toml", "wrangler.jsonc"}, ".", "wrangler.jsonc"},
		{"toml alone", []string{"wrangler.toml"}, ".", "wrangler.toml"},
		{"parent directory", []string{"wrangler.toml"}, "src/deep", "wrangler.toml"},
		{"nearest directory wins over precedence", []string{"wrangler.json", "app/wrangler.toml"}, "app/src", "app/wrangler.toml"},
		{"directory named like a config is skipped", []string{"wrangler.json/x", "wrangler.toml"}, ".", "wrangler.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{}
			for _, f := range tt.files {
				files[f] = "{}"
			}
			writeFiles(t, dir, files)
			from := filepath.Join(dir, tt.from)
			if err := os.MkdirAll(from, 0o755); err != nil {
				t.Fatal(err)
			}
			got, err := Find(from)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, tt.want); got != want {
				t.Errorf("Find = %s, want %s", got, want)
			}
		})
	}
}

func TestFindNotFound(t *testing.T) {
	// The temp dir's parents (/tmp, /) are assumed to hold no wrangler config.
	dir := t.TempDir()
	_, err := Find(dir)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find error = %v, want ErrNotFound", err)
	}
	_, _, err = Load(dir, "")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load error = %v, want ErrNotFound", err)
	}
}

func TestLoadExplicitFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"wrangler.toml":         `name = "from-default"`,
		"configs/staging.toml":  "name = \"explicit\"\nmain = \"../src/index.js\"\n",
		"configs/.dev.vars":     "TOKEN=abc\n",
		"configs/other.jsonc":   `{"name": "jsonc", /* ok */ }`,
		"configs/wrangler.yaml": "name: nope",
	})
	w, _, err := Load(filepath.Join(dir, "configs/staging.toml"), "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "explicit" || w.Dir != filepath.Join(dir, "configs") || w.File != filepath.Join(dir, "configs/staging.toml") {
		t.Errorf("got name=%q dir=%q file=%q", w.Name, w.Dir, w.File)
	}
	if want := filepath.Join(dir, "src/index.js"); w.Main != want {
		t.Errorf("Main = %q, want %q (resolved against the config's directory)", w.Main, want)
	}
	if w.Secrets["TOKEN"] != "abc" {
		t.Errorf("secrets next to the explicit file not read: %v", w.Secrets)
	}

	if w, _, err := Load(filepath.Join(dir, "configs/other.jsonc"), ""); err != nil || w.Name != "jsonc" {
		t.Errorf("jsonc: %v, %+v", err, w)
	}

	_, _, err = Load(filepath.Join(dir, "configs/wrangler.yaml"), "")
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "unsupported") {
		t.Errorf("yaml: got %v, want *Error about the extension", err)
	}

	_, _, err = Load(filepath.Join(dir, "missing.toml"), "")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
}

func TestLoadErrorFields(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"wrangler.toml": "name = \"x\"\n\n[vars]\nA = [1, 2\n"})
	_, _, err := Load(dir, "")
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want *Error", err, err)
	}
	if ce.File != filepath.Join(dir, "wrangler.toml") || ce.Line != 4 || ce.Col == 0 {
		t.Errorf("got %s:%d:%d, want wrangler.toml:4:<col>", ce.File, ce.Line, ce.Col)
	}
	if !strings.HasPrefix(err.Error(), ce.File+":4:") || !strings.Contains(err.Error(), "TOML syntax error") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestMultipleErrorsJoined(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"wrangler.json": `{"name": 1, "main": 2}`})
	_, _, err := Load(dir, "")
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 1 || ce.Col != 10 || !strings.HasPrefix(ce.Msg, "name:") {
		t.Fatalf("first error = %+v (%v)", ce, err)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 {
		t.Errorf("got %d errors, want 2: %v", n, err)
	}
}

func TestErrorAndWarningStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{(&Error{File: "w.toml", Line: 3, Col: 7, Msg: "bad"}).Error(), "w.toml:3:7: bad"},
		{(&Error{File: "w.toml", Line: 3, Msg: "bad"}).Error(), "w.toml:3: bad"},
		{(&Error{File: "w.toml", Msg: "bad"}).Error(), "w.toml: bad"},
		{Warning{File: "w.toml", Line: 2, Message: "odd"}.String(), "w.toml:2: odd"},
		{Warning{File: "w.toml", Message: "odd"}.String(), "w.toml: odd"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestHasFlag(t *testing.T) {
	w := &Worker{CompatibilityFlags: []string{"nodejs_compat", "streams_enable_constructors"}}
	if !w.HasFlag("nodejs_compat") || !w.HasFlag("streams_enable_constructors") || w.HasFlag("nodejs") {
		t.Error("HasFlag wrong")
	}
	if !w.NodeJSCompat() {
		t.Error("NodeJSCompat false with nodejs_compat")
	}
	if (&Worker{}).NodeJSCompat() || !(&Worker{NodeCompat: true}).NodeJSCompat() || !(&Worker{CompatibilityFlags: []string{"nodejs_compat_v2"}}).NodeJSCompat() {
		t.Error("NodeJSCompat wrong")
	}
}

// TestSameConfigAllFormats loads one configuration written in each format
// and expects the same Worker.
func TestSameConfigAllFormats(t *testing.T) {
	files := map[string]string{
		"wrangler.toml": `
name = "same"
main = "index.ts"
compatibility_date = "2024-01-02"
vars = { S = "s", N = 1, F = 0.5, L = [true, "x"], O = { k = "v" } }
[[kv_namespaces]]
binding = "KV"
id = "1"
[[queues.consumers]]
queue = "q"
max_retries = 0
[env.dev]
vars = { S = "dev" }
`,
		"wrangler.json": `{
  "name": "same", "main": "index.ts", "compatibility_date": "2024-01-02",
  "vars": {"S": "s", "N": 1, "F": 0.5, "L": [true, "x"], "O": {"k": "v"}},
  "kv_namespaces": [{"binding": "KV", "id": "1"}],
  "queues": {"consumers": [{"queue": "q", "max_retries": 0}]},
  "env": {"dev": {"vars": {"S": "dev"}}}
}`,
		"wrangler.jsonc": `{
  // same, with comments
  "name": "same", "main": "index.ts", "compatibility_date": "2024-01-02",
  "vars": {"S": "s", "N": 1, "F": 0.5, "L": [true, "x",], "O": {"k": "v"},},
  "kv_namespaces": [{"binding": "KV", "id": "1"},],
  "queues": {"consumers": [{"queue": "q", "max_retries": 0}]},
  "env": {"dev": {"vars": {"S": "dev"}}},
}`,
	}
	for _, env := range []string{"", "dev"} {
		var first *Worker
		for _, name := range []string{"wrangler.toml", "wrangler.json", "wrangler.jsonc"} {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{name: files[name]})
			w, warnings, err := Load(filepath.Join(dir, name), env)
			// With env dev, kv_namespaces and queues are not inherited: 2 warnings.
			if wantWarnings := map[string]int{"": 0, "dev": 2}[env]; err != nil || len(warnings) != wantWarnings {
				t.Fatalf("%s env=%q: %v %v", name, env, err, warnings)
			}
			w.Dir, w.File, w.Main = "", "", filepath.Base(w.Main)
			for i := range w.D1Databases {
				w.D1Databases[i].MigrationsDir = ""
			}
			if first == nil {
				first = w
				continue
			}
			if !reflect.DeepEqual(first, w) {
				t.Errorf("%s env=%q differs from wrangler.toml:\n%+v\n%+v", name, env, w, first)
			}
		}
		if env == "dev" && (first.Name != "same-dev" || first.Vars["S"] != "dev" || first.KVNamespaces != nil) {
			t.Errorf("env dev: name=%q vars=%v kv=%v", first.Name, first.Vars, first.KVNamespaces)
		}
		if env == "" {
			if first.Vars["N"] != int64(1) || first.Vars["F"] != 0.5 {
				t.Errorf("vars types: %#v", first.Vars)
			}
			if c := first.Queues.Consumers[0]; c.MaxRetries != 0 || c.MaxBatchSize != DefaultMaxBatchSize || c.MaxBatchTimeout != DefaultMaxBatchTimeout {
				t.Errorf("consumer defaults: %+v", c)
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"wrangler.toml": "name = \"d\"\n[build]\ncommand = \"make\"\n[[d1_databases]]\nbinding = \"DB\"\n"})
	w, _, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Limits.MemoryMB != DefaultMemoryMB || w.Limits.CPUMillis != 0 {
		t.Errorf("limits = %+v", w.Limits)
	}
	if w.Dev.IP != DefaultDevIP || w.Dev.Port != 0 || w.Dev.LocalProtocol != "http" {
		t.Errorf("dev = %+v", w.Dev)
	}
	if w.Build.Cwd != dir || !reflect.DeepEqual([]string(w.Build.WatchDir), []string{filepath.Join(dir, "src")}) {
		t.Errorf("build = %+v", w.Build)
	}
	if db := w.D1Databases[0]; db.MigrationsDir != filepath.Join(dir, "migrations") || db.MigrationsTable != "d1_migrations" {
		t.Errorf("d1 = %+v", db)
	}
	if w.Vars == nil || w.Secrets == nil || w.CompatibilityFlags == nil {
		t.Error("Vars, Secrets and CompatibilityFlags must not be nil")
	}
}

// TestWarningsNeverFail checks that unknown keys anywhere only warn.
func TestWarningsNeverFail(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"wrangler.toml": `
name = "w"
future_key = 1
[observability.logs]
new_option = true
[[d1_databases]]
binding = "DB"
replicas = 3
`})
	w, warnings, err := Load(dir, "")
	if err != nil || w == nil {
		t.Fatal(err)
	}
	var lines []int
	for _, wn := range warnings {
		lines = append(lines, wn.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 5, 8}) {
		t.Errorf("warning lines = %v, want [3 5 8]: %v", lines, warnings)
	}
}

func TestEnvSecretsStayInDir(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"app/wrangler.toml":  "name = \"app\"\n",
		"app/.dev.vars":      "WHERE=inside\n",
		".dev.vars./outside": "WHERE=outside\n",
		"app/.dev.vars../x":  "WHERE=traversal\n",
	})
	for _, env := range []string{"../x", "/outside"} {
		w, _, err := Load(filepath.Join(root, "app"), env)
		if err != nil {
			t.Fatal(err)
		}
		if w.Secrets["WHERE"] != "inside" {
			t.Errorf("env %q: secrets %v, want only app/.dev.vars", env, w.Secrets)
		}
	}
}
