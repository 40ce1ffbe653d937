package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the command line in dir and returns its exit code and output.
func runIn(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"wrangler.toml": `name = "app"
main = "index.js"
[[kv_namespaces]]
binding = "CACHE"
id = "0123456789abcdef0123456789abcdef"
[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "11111111-2222-4333-8444-555555555555"
`,
		"index.js":                   "export default { fetch() { return new Response('x') } }",
		"migrations/0001_init.sql":   "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t VALUES (1, 'one');\n",
		"migrations/0002_second.sql": "INSERT INTO t VALUES (2, 'two');\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestKVCommands(t *testing.T) {
	dir := writeProject(t)
	if code, _, e := runIn(t, dir, "", "kv", "key", "put", "greeting", "hello", "--binding", "CACHE", "--metadata", `{"lang":"en"}`); code != 0 {
		t.Fatalf("put: %d %s", code, e)
	}
	if code, out, _ := runIn(t, dir, "", "kv", "key", "get", "greeting", "--binding", "CACHE"); code != 0 || out != "hello" {
		t.Fatalf("get: %d %q", code, out)
	}
	// The id in wrangler.toml names the same data.
	if code, out, _ := runIn(t, dir, "", "kv", "key", "get", "greeting", "--namespace-id", "0123456789abcdef0123456789abcdef", "--json"); code != 0 || !strings.Contains(out, `"lang": "en"`) {
		t.Fatalf("get --json: %d %q", code, out)
	}
	os.WriteFile(filepath.Join(dir, "bulk.json"), []byte(`[{"key":"a","value":"1"},{"key":"b","value":"AAE=","base64":true,"expiration_ttl":3600}]`), 0o644)
	if code, _, e := runIn(t, dir, "", "kv", "bulk", "put", "bulk.json", "--binding", "CACHE"); code != 0 {
		t.Fatalf("bulk put: %d %s", code, e)
	}
	code, out, _ := runIn(t, dir, "", "kv", "key", "list", "--binding", "CACHE", "--json")
	var keys []struct {
		Name       string
		Expiration int64
	}
	if json.Unmarshal([]byte(out), &keys); code != 0 || len(keys) != 3 || keys[0].Name != "a" || keys[1].Expiration == 0 {
		t.Fatalf("list: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "del.json"), []byte(`["a","b"]`), 0o644)
	if code, _, e := runIn(t, dir, "", "kv", "bulk", "delete", "del.json", "--binding", "CACHE"); code != 0 {
		t.Fatalf("bulk delete: %d %s", code, e)
	}
	if code, _, e := runIn(t, dir, "", "kv", "key", "put", "k", "v", "--binding", "CACHE", "--ttl", "10"); code != 1 || !strings.Contains(e, "Invalid expiration_ttl of 10") {
		t.Fatalf("bad ttl: %d %s", code, e)
	}
	if code, _, e := runIn(t, dir, "", "kv", "key", "get", "k", "--binding", "NOPE"); code != 1 || !strings.Contains(e, `no KV namespace with binding "NOPE"`) {
		t.Fatalf("bad binding: %d %s", code, e)
	}
	if _, err := os.Stat(filepath.Join(dir, ".zerostack", "state", "kv")); err != nil {
		t.Fatalf("state not next to the configuration: %v", err)
	}
}

func TestD1Commands(t *testing.T) {
	dir := writeProject(t)
	state := filepath.Join(t.TempDir(), "elsewhere")
	if code, out, e := runIn(t, dir, "", "d1", "migrations", "list", "DB", "--persist-to", state); code != 0 || !strings.Contains(out, "0002_second.sql") {
		t.Fatalf("list: %d %s %s", code, out, e)
	}
	if code, out, e := runIn(t, dir, "", "d1", "migrations", "apply", "DB", "--persist-to", state); code != 0 || !strings.Contains(out, "0001_init.sql") {
		t.Fatalf("apply: %d %s %s", code, out, e)
	}
	code, out, _ := runIn(t, dir, "", "d1", "execute", "app-db", "--command", "SELECT v FROM t ORDER BY id", "--json", "--persist-to", state)
	var res []struct {
		Results []map[string]any
		Success bool
	}
	if json.Unmarshal([]byte(out), &res); code != 0 || len(res) != 1 || len(res[0].Results) != 2 || res[0].Results[1]["v"] != "two" {
		t.Fatalf("execute: %d %s", code, out)
	}
	// A failing statement rolls back the whole command.
	if code, _, e := runIn(t, dir, "", "d1", "execute", "DB", "--command", "INSERT INTO t VALUES (3, 'x'); INSERT INTO t VALUES (1, 'dup')", "--persist-to", state); code != 1 || !strings.Contains(e, "UNIQUE constraint failed") {
		t.Fatalf("failing execute: %d %s", code, e)
	}
	if code, out, _ := runIn(t, dir, "", "d1", "execute", "DB", "--command", "SELECT count(*) AS n FROM t", "--persist-to", state); code != 0 || !strings.Contains(out, "\n2") {
		t.Fatalf("count: %d %s", code, out)
	}
	if code, _, e := runIn(t, dir, "", "d1", "export", "DB", "--output", "dump.sql", "--persist-to", state); code != 0 {
		t.Fatalf("export: %d %s", code, e)
	}
	dump, _ := os.ReadFile(filepath.Join(dir, "dump.sql"))
	if !strings.Contains(string(dump), "CREATE TABLE t") || !strings.Contains(string(dump), "'two'") {
		t.Fatalf("dump: %s", dump)
	}
	if code, out, _ := runIn(t, dir, "", "d1", "list", "--json", "--persist-to", state); code != 0 || !strings.Contains(out, "11111111-2222-4333-8444-555555555555") {
		t.Fatalf("d1 list: %d %s", code, out)
	}
	if code, _, _ := runIn(t, dir, "", "d1", "migrations", "create", "DB", "add index", "--persist-to", state); code != 0 {
		t.Fatal("migrations create")
	}
	if _, err := os.Stat(filepath.Join(dir, "migrations", "0003_add_index.sql")); err != nil {
		t.Fatal(err)
	}
}

func TestR2Commands(t *testing.T) {
	dir := writeProject(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB: progress is shown
	os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644)
	if code, _, e := runIn(t, dir, "", "r2", "bucket", "create", "files"); code != 0 {
		t.Fatalf("create: %d %s", code, e)
	}
	code, _, e := runIn(t, dir, "", "r2", "object", "put", "files/a/big.bin", "--file", "big.bin", "--content-type", "application/x-test")
	if code != 0 || !strings.Contains(e, "Uploading 16.0 MiB / 16.0 MiB (100%)") {
		t.Fatalf("put: %d %s", code, e)
	}
	if code, _, e := runIn(t, dir, "", "r2", "object", "get", "files/a/big.bin", "--file", "copy.bin"); code != 0 {
		t.Fatalf("get: %d %s", code, e)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "copy.bin")); !bytes.Equal(got, big) {
		t.Fatal("downloaded object differs")
	}
	if code, _, _ := runIn(t, dir, "piped", "r2", "object", "put", "files/p", "--pipe"); code != 0 {
		t.Fatal("put --pipe")
	}
	if code, out, _ := runIn(t, dir, "", "r2", "object", "get", "files/p", "--pipe"); code != 0 || out != "piped" {
		t.Fatalf("get --pipe: %q", out)
	}
	if code, _, e := runIn(t, dir, "", "r2", "bucket", "delete", "files"); code != 1 || !strings.Contains(e, "not empty") {
		t.Fatalf("delete non-empty: %d %s", code, e)
	}
	runIn(t, dir, "", "r2", "object", "delete", "files/p")
	runIn(t, dir, "", "r2", "object", "delete", "files/a/big.bin")
	if code, _, e := runIn(t, dir, "", "r2", "bucket", "delete", "files"); code != 0 {
		t.Fatalf("delete: %d %s", code, e)
	}
	if code, _, e := runIn(t, dir, "", "r2", "object", "get", "files/nothing", "--pipe"); code != 1 || !strings.Contains(e, "does not exist") {
		t.Fatalf("missing: %d %s", code, e)
	}
}
