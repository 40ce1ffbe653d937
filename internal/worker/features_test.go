package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

func TestTypeScriptFeatures(t *testing.T) {
	_, srv := newTestWorker(t, `
class Store {
  constructor(private prefix: string, public readonly n: number = 2) {}
  key(k: string): string { return this.prefix + ":" + k + ":" + this.n; }
}
function tag(value: any, context: ClassMethodDecoratorContext) {
  return function (this: any, ...args: any[]) { return "[" + value.apply(this, args) + "]"; };
}
class Greeter {
  @tag greet(name: string) { return "hi " + name; }
}
enum Color { Red = 1, Green }
const big = 1_000_000;
export default {
  async fetch(req: Request): Promise<Response> {
    const s = new Store("user");
    const text = "a\nb";
    const dotAll = /a.b/s.test(text);
    const entries = Object.fromEntries([["k", 1]]);
    const settled = await Promise.allSettled([Promise.reject(new Error("x")), 1]);
    return Response.json({ key: s.key("42"), greet: new Greeter().greet("bo"), color: Color.Green, big, dotAll, entries, settled: settled.map((s) => s.status) });
  },
};`, nil)
	code, body, _ := get(t, srv.URL)
	want := `{"key":"user:42:2","greet":"[hi bo]","color":2,"big":1000000,"dotAll":true,"entries":{"k":1},"settled":["rejected","fulfilled"]}`
	if code != 200 || body != want {
		t.Fatalf("got %d %s", code, body)
	}
}

func TestJSX(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.tsx"), []byte(`
/** @jsx h */
function h(tag: string, props: any, ...children: any[]): string {
  const attrs = props ? Object.entries(props).map(([k, v]) => " " + k + "=\"" + v + "\"").join("") : "";
  return "<" + tag + attrs + ">" + children.join("") + "</" + tag + ">";
}
export default { fetch: () => new Response(<p class="x">Hello <b>JSX</b></p>) };
`), 0o644)
	b, err := MakeBundle(BundleOptions{Entry: filepath.Join(dir, "index.tsx"), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{Name: "jsx", Bundle: b, Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	code, body := serveOnce(t, w, "/")
	if code != 200 || body != `<p class="x">Hello <b>JSX</b></p>` {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestScriptFailsToLoad(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("const x = 1;\nthrow new Error('bad config: ' + x);\nexport default {}\n"), 0o644)
	b, err := MakeBundle(BundleOptions{Entry: filepath.Join(dir, "index.js"), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{Name: "broken", Bundle: b, Isolates: 1})
	if err == nil || !strings.Contains(err.Error(), "script failed to load") || !strings.Contains(err.Error(), "bad config: 1") || !strings.Contains(err.Error(), "index.js:2") {
		t.Fatalf("got %v", err)
	}
}

func TestBundleErrorHasLocation(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.ts"), []byte("import { nope } from './missing'\nexport default { fetch() { return nope } }\n"), 0o644)
	_, err := MakeBundle(BundleOptions{Entry: filepath.Join(dir, "index.ts"), Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "index.ts:1:") || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("got %v", err)
	}
}

func TestHeapLimitDiscardsIsolate(t *testing.T) {
	w, srv := newTestWorker(t, `
const keep = [];
export default { fetch(req) {
  if (new URL(req.url).pathname === "/grow") {
    for (;;) keep.push({ a: Math.random(), b: "x".repeat(64) + Math.random() });
  }
  return new Response("ok " + keep.length);
} };`, func(c *Config) { c.MemoryMB = 32; c.CPULimit = -1 })
	code, body, _ := get(t, srv.URL+"/grow")
	if code != 503 || !strings.Contains(body, "1102") {
		t.Fatalf("got %d %q", code, body)
	}
	waitRecovered(t, w, srv.URL+"/", "ok 0")
}

func TestWaitUntilRunsAfterResponse(t *testing.T) {
	_, srv := newTestWorker(t, `
let log = [];
export default { async fetch(req, env, ctx) {
  if (new URL(req.url).pathname === "/log") return Response.json(log);
  ctx.waitUntil(new Promise((r) => setTimeout(r, 30)).then(() => log.push("after")));
  log.push("respond");
  return new Response("ok");
} };`, nil)
	get(t, srv.URL+"/")
	time.Sleep(100 * time.Millisecond)
	_, body, _ := get(t, srv.URL+"/log")
	if body != `["respond","after"]` {
		t.Fatalf("got %s", body)
	}
}

func TestExtensionBinding(t *testing.T) {
	ext := Extension{
		Name: "echo-binding",
		Setup: func(rt *webapi.Runtime) {
			rt.Async("echoUpper", func(c *v8.Call) (webapi.Work, error) {
				s := c.String(1)
				return func() (any, error) { return strings.ToUpper(s), nil }, nil
			})
		},
		Script: `(() => {
			const { callAsync, registerBinding } = globalThis.__zs_internal;
			registerBinding("echo", (name, config) => ({
				shout: (s) => callAsync("echoUpper", config.prefix + s),
			}));
		})()`,
	}
	_, srv := newTestWorker(t, `
export default { async fetch(req, env) {
  return new Response(await env.ECHO.shout("hi") + " " + typeof globalThis.__zs_internal);
} };`, func(c *Config) {
		c.Extensions = []Extension{ext}
		c.Bindings = []Binding{{Name: "ECHO", Type: "echo", Config: map[string]string{"prefix": "> "}}}
	})
	code, body, _ := get(t, srv.URL)
	if code != 200 || body != "> HI undefined" {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestScheduledHandler(t *testing.T) {
	w, srv := newTestWorker(t, `
let runs = [];
export default {
  fetch() { return Response.json(runs); },
  async scheduled(controller, env, ctx) {
    if (controller.cron === "boom") throw new Error("cron failed");
    runs.push([controller.cron, controller.scheduledTime, controller.type, typeof controller.noRetry]);
    ctx.waitUntil(Promise.resolve());
  },
};`, nil)
	at := time.UnixMilli(1795800000000)
	if r := w.Scheduled("*/5 * * * *", at); !r.OK {
		t.Fatalf("scheduled failed: %s", r.Error)
	}
	if r := w.Scheduled("boom", at); r.OK || !strings.Contains(r.Error, "cron failed") {
		t.Fatalf("got %+v", r)
	}
	_, body, _ := get(t, srv.URL)
	if body != `[["*/5 * * * *",1795800000000,"scheduled","function"]]` {
		t.Fatalf("got %s", body)
	}
}

func TestScheduledServiceWorkerAndMissingHandler(t *testing.T) {
	w, _ := newTestWorker(t, `
addEventListener("fetch", (e) => e.respondWith(new Response("x")));
addEventListener("scheduled", (e) => { if (e.cron !== "0 * * * *") throw new Error("wrong cron " + e.cron); });`, nil)
	if r := w.Scheduled("0 * * * *", time.Now()); !r.OK {
		t.Fatalf("got %+v", r)
	}
	w2, _ := newTestWorker(t, `export default { fetch() { return new Response("x") } };`, nil)
	if r := w2.Scheduled("0 * * * *", time.Now()); r.OK || !strings.Contains(r.Error, "does not export a scheduled() function") {
		t.Fatalf("got %+v", r)
	}
}
