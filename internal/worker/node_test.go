package worker

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newNodeWorker bundles src with nodejs_compat on and serves it.
func newNodeWorker(t *testing.T, src string, mod func(*Config)) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "src", "index.js")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := MakeBundle(BundleOptions{Entry: entry, Dir: dir, NodeCompat: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "test", Bundle: b, Dev: true, Isolates: 1, MaxIsolates: 1}
	if mod != nil {
		mod(&cfg)
	}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() {
		srv.Close()
		w.Close()
	})
	return srv.URL
}

// nodeCase runs body (statements that fill the object out) in a worker
// and compares out's JSON, key by key, with want.
func nodeCases(t *testing.T, imports, body string, want map[string]string) {
	t.Helper()
	src := imports + `
export default { async fetch(req, env) {
  const out = {};
  const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + (e.code ? " " + e.code : "") + ": " + e.message; } };
  const ta = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = "THROW " + e.name + (e.code ? " " + e.code : "") + ": " + e.message; } };
` + body + `
  const lines = Object.keys(out).map((k) => k + "=" + JSON.stringify(out[k]));
  return new Response(lines.join("\n"));
} };
`
	url := newNodeWorker(t, src, nil)
	code, got, _ := get(t, url)
	if code != 200 {
		t.Fatalf("status %d: %s", code, got)
	}
	seen := map[string]string{}
	for _, line := range strings.Split(got, "\n") {
		k, v, _ := strings.Cut(line, "=")
		seen[k] = v
	}
	for k, w := range want {
		if seen[k] != w {
			t.Errorf("%s = %s, want %s", k, seen[k], w)
		}
	}
	for k := range seen {
		if _, ok := want[k]; !ok {
			t.Errorf("unchecked result %s = %s", k, seen[k])
		}
	}
}

func TestNodeBufferAndCrypto(t *testing.T) {
	nodeCases(t, `import { Buffer } from "node:buffer";
import crypto, { createHash, createHmac } from "node:crypto";`, `
  t("hex", () => Buffer.from("héllo").toString("hex"));
  t("b64", () => Buffer.from("hello world!?").toString("base64"));
  t("sha256", () => createHash("sha256").update("abc").digest("hex"));
  t("hmac", () => createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"));
  t("global", () => globalThis.Buffer === Buffer);
  t("pbkdf2", () => crypto.pbkdf2Sync("password", "salt", 1, 20, "sha1").toString("hex"));
`, map[string]string{
		"hex":    `"68c3a96c6c6f"`,
		"b64":    `"aGVsbG8gd29ybGQhPw=="`,
		"sha256": `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`,
		"hmac":   `"f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"`,
		"global": `true`,
		"pbkdf2": `"0c60c80f961f0e71f3a9b524af6012062fe037a6"`,
	})
}
