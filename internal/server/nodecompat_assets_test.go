package server

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNodeCompatWithAssets: a Worker with [assets] is bundled with the
// Node.js built-in modules too, by its flag or by a compatibility date from
// 2026-08-04 on (unless no_nodejs_compat).
func TestNodeCompatWithAssets(t *testing.T) {
	const js = `import { createHash } from "node:crypto";
export default { fetch() { return new Response(createHash("sha256").update("abc").digest("hex")); } };
`
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	for _, head := range []string{
		"compatibility_date = \"2025-07-18\"\ncompatibility_flags = [\"nodejs_compat\"]\n",
		"compatibility_date = \"2026-08-04\"\n",
	} {
		dir := writeWorkerProject(t, "name = \"site\"\nmain = \"index.js\"\n"+head+"[assets]\ndirectory = \"public\"\n", js)
		os.MkdirAll(filepath.Join(dir, "public"), 0o755)
		os.WriteFile(filepath.Join(dir, "public", "a.txt"), []byte("asset"), 0o644)
		d := startDir(t, DevOptions{Path: dir, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
		if r := do(t, "GET", d.URL()+"/worker", "", nil); r.body != want {
			t.Fatalf("%s: %d %q", head, r.status, r.body)
		}
		if r := do(t, "GET", d.URL()+"/a.txt", "", nil); r.body != "asset" {
			t.Fatalf("%s: asset: %q", head, r.body)
		}
	}
	dir := writeWorkerProject(t, "name = \"site\"\nmain = \"index.js\"\ncompatibility_date = \"2026-08-04\"\ncompatibility_flags = [\"no_nodejs_compat\"]\n[assets]\ndirectory = \"public\"\n", js)
	os.MkdirAll(filepath.Join(dir, "public"), 0o755)
	if _, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir()}); err == nil {
		t.Fatal("no_nodejs_compat: node:crypto bundled")
	}
}
