package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/durable"
	"github.com/zerostack/zerostack/internal/durable/durablelocal"
)

func TestDOCommands(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte(`name = "app"
main = "index.js"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
`), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("export default { fetch() { return new Response('x') } }"), 0o644)
	if code, out, _ := runIn(t, dir, "", "do", "list"); code != 0 || !strings.Contains(out, "No Durable Objects.") {
		t.Fatalf("empty list: %d %q", code, out)
	}
	// An object written as the runtime writes it.
	st, err := durablelocal.Open(filepath.Join(dir, ".zerostack", "state", "do"), durablelocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns, _ := st.Namespace(ctx, "app", "Counter")
	id := ns.IDFromName("main")
	obj, err := st.Open(ctx, ns.Name(), id)
	if err != nil {
		t.Fatal(err)
	}
	obj.Put("count", []byte{5, 0, 0, 0, 2, 'h', 'i'}) // the string "hi"
	obj.Exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('row')", nil)
	obj.SetAlarm(1234)
	obj.Close()
	st.Close()

	if code, out, e := runIn(t, dir, "", "do", "list"); code != 0 || strings.TrimSpace(out) != "app:Counter  1 objects" {
		t.Fatalf("list: %d %q %s", code, out, e)
	}
	if code, out, e := runIn(t, dir, "", "do", "list", "COUNTER"); code != 0 || !strings.HasPrefix(out, id+"  ") {
		t.Fatalf("list objects: %d %q %s", code, out, e)
	}
	code, out, e := runIn(t, dir, "", "do", "storage", "COUNTER", "--name", "main")
	if code != 0 || !strings.Contains(out, `count = "hi"`) || !strings.Contains(out, "Alarm: 1234") || !strings.Contains(out, "Table t:") || !strings.Contains(out, "row") {
		t.Fatalf("storage: %d %q %s", code, out, e)
	}
	if code, out, e := runIn(t, dir, "", "do", "storage", "app:Counter", id, "--sql", "SELECT v FROM t", "--json"); code != 0 || !strings.Contains(out, `"v": "row"`) {
		t.Fatalf("storage --sql: %d %q %s", code, out, e)
	}
	if code, _, e := runIn(t, dir, "", "do", "storage", "COUNTER", durable.NewNamespace("app", "Other").IDFromName("x")); code != 1 || !strings.Contains(e, "not valid for this namespace") {
		t.Fatalf("foreign id: %d %s", code, e)
	}
	if code, _, e := runIn(t, dir, "", "do", "storage", "COUNTER", "--name", "nobody"); code != 1 || !strings.Contains(e, "has no storage") {
		t.Fatalf("missing object: %d %s", code, e)
	}
}
