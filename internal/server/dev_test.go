package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeProject(t *testing.T, dir, src string, extra map[string]string) {
	t.Helper()
	files := map[string]string{
		"wrangler.toml": "name = \"reload\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-07-18\"\n[vars]\nGREETING = \"hello\"\n[env.staging.vars]\nGREETING = \"staging\"\n",
		"src/index.ts":  src,
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func startDir(t *testing.T, opts DevOptions) *Dev {
	t.Helper()
	opts.IP, opts.Port = "127.0.0.1", -1
	d, err := StartDev(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
	})
	return d
}

func TestDevReloadsOnChange(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, `export default { fetch: (r, env) => new Response("v1 " + env.GREETING) };`, nil)
	d := startDir(t, DevOptions{Path: dir, Watch: true})
	if r := do(t, "GET", d.URL(), "", nil); r.body != "v1 hello" {
		t.Fatalf("got %q", r.body)
	}
	// A broken edit keeps the old version serving.
	time.Sleep(20 * time.Millisecond)
	os.WriteFile(filepath.Join(dir, "src/index.ts"), []byte(`export default { fetch( => }`), 0o644)
	time.Sleep(600 * time.Millisecond)
	if r := do(t, "GET", d.URL(), "", nil); r.body != "v1 hello" {
		t.Fatalf("after a broken edit: got %q", r.body)
	}
	os.WriteFile(filepath.Join(dir, "src/index.ts"), []byte(`export default { fetch: (r, env) => new Response("v2 " + env.GREETING) };`), 0o644)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := do(t, "GET", d.URL(), "", nil)
		if r.body == "v2 hello" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reload: %q", r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDevEnvVarsAndSecrets(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, `export default { fetch: (r, env) => Response.json({ g: env.GREETING, s: env.API_KEY ?? null, x: env.EXTRA ?? null }) };`,
		map[string]string{".dev.vars": "API_KEY=\"sekret\"\n"})
	d := startDir(t, DevOptions{Path: dir, Env: "staging", Vars: map[string]string{"EXTRA": "from-flag"}})
	r := do(t, "GET", d.URL(), "", nil)
	if r.body != `{"g":"staging","s":"sekret","x":"from-flag"}` {
		t.Fatalf("got %s", r.body)
	}
}

func TestDevBadConfigSaysWhere(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, `export default {}`, map[string]string{"wrangler.toml": "name = \"x\"\nmain = \"src/index.ts\"\nvars = \"oops\n"})
	_, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1})
	if err == nil || !strings.Contains(err.Error(), "wrangler.toml:3") {
		t.Fatalf("got %v", err)
	}
}
