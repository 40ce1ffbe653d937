package server

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/config"
)

// TestDevAuxiliaryWorkers: `zerostack dev -c app -c api` runs api beside
// app: app reaches it through a service binding, a Durable Object binding
// with script_name and a queue that api consumes; api is not served over
// HTTP; an edit to api's source reloads it; shutdown stops both.
func TestDevAuxiliaryWorkers(t *testing.T) {
	api := writeWorkerProject(t, `name = "api"
main = "index.js"
[[kv_namespaces]]
binding = "KV"
id = "shared"
[[queues.consumers]]
queue = "jobs"
max_batch_timeout = 0
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
`, `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async inc() { const n = ((await this.ctx.storage.get("n")) ?? 0) + 1; await this.ctx.storage.put("n", n); return n; }
}
export default {
  async fetch(req) { return new Response("api v1 " + new URL(req.url).pathname + " " + (await req.text())); },
  async queue(batch, env) { for (const m of batch.messages) await env.KV.put("job:" + m.body.id, m.body.text); },
};
`)
	app := writeWorkerProject(t, `name = "app"
main = "index.js"
[[services]]
binding = "API"
service = "api"
[[kv_namespaces]]
binding = "KV"
id = "shared"
[[queues.producers]]
binding = "JOBS"
queue = "jobs"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
script_name = "api"
`, `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/count") return new Response(String(await env.COUNTER.getByName("c").inc()));
    if (url.pathname === "/job") { await env.JOBS.send({ id: 1, text: "done" }); return new Response("queued"); }
    if (url.pathname === "/job-result") return new Response(String(await env.KV.get("job:1")));
    const r = await env.API.fetch("http://api/hello", { method: "POST", body: "from app" });
    return new Response(r.status + " " + (await r.text()));
  },
};
`)
	d := startDir(t, DevOptions{Path: app, Auxiliary: []string{api}, Watch: true, Isolates: 1, PersistTo: t.TempDir(),
		Console: func(string, string) {}})
	if got := d.AuxiliaryConfigs(); len(got) != 1 || got[0].Name != "api" {
		t.Fatalf("auxiliary configs: %+v", got)
	}
	if r := do(t, "GET", d.URL()+"/", "", nil); r.body != "200 api v1 /hello from app" {
		t.Fatalf("service binding: %d %q", r.status, r.body)
	}
	for want := 1; want <= 2; want++ {
		if r := do(t, "GET", d.URL()+"/count", "", nil); r.body != string(rune('0'+want)) {
			t.Fatalf("durable object through script_name: %q, want %d", r.body, want)
		}
	}
	if r := do(t, "GET", d.URL()+"/job", "", nil); r.body != "queued" {
		t.Fatalf("send: %q", r.body)
	}
	waitBody(t, d.URL()+"/job-result", "done")

	// Editing the auxiliary Worker reloads it.
	time.Sleep(20 * time.Millisecond)
	src := filepath.Join(api, "index.js")
	b, _ := os.ReadFile(src)
	os.WriteFile(src, []byte(strings.Replace(string(b), "api v1", "api v2", 1)), 0o644)
	waitBody(t, d.URL()+"/", "200 api v2 /hello from app")
}

// TestDevAuxiliaryWorkerErrors: two Workers with one name, an auxiliary
// Worker with static assets and two consumers of one queue are refused
// with errors that say what to change, and nothing keeps running.
func TestDevAuxiliaryWorkerErrors(t *testing.T) {
	one := writeWorkerProject(t, "name = \"same\"\nmain = \"index.js\"\n", "export default { fetch() { return new Response('1') } };\n")
	two := writeWorkerProject(t, "name = \"same\"\nmain = \"index.js\"\n", "export default { fetch() { return new Response('2') } };\n")
	_, err := StartDev(DevOptions{Path: one, Auxiliary: []string{two}, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir()})
	var ce *config.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `"same" is also the name of`) {
		t.Fatalf("duplicate names: %v", err)
	}

	assets := writeWorkerProject(t, "name = \"site\"\nmain = \"index.js\"\n[assets]\ndirectory = \"public\"\n", "export default { fetch() { return new Response('s') } };\n")
	os.MkdirAll(filepath.Join(assets, "public"), 0o755)
	_, err = StartDev(DevOptions{Path: one, Auxiliary: []string{assets}, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "cannot serve static assets") {
		t.Fatalf("auxiliary with assets: %v", err)
	}

	c1 := writeWorkerProject(t, "name = \"c1\"\nmain = \"index.js\"\n[[queues.consumers]]\nqueue = \"q\"\n", "export default { fetch() { return new Response('1') }, queue() {} };\n")
	c2 := writeWorkerProject(t, "name = \"c2\"\nmain = \"index.js\"\n[[queues.consumers]]\nqueue = \"q\"\n", "export default { fetch() { return new Response('2') }, queue() {} };\n")
	_, err = StartDev(DevOptions{Path: c1, Auxiliary: []string{c2}, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "queue q has two consumers") {
		t.Fatalf("two consumers: %v", err)
	}
}
