package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noRedirect is a client that reports redirects instead of following them
// and asks for no compression (so bodies are compared as they are).
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{DisableCompression: true},
}

func fetch(t *testing.T, method, url string, hdr map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// writeTree writes files (slash path → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startProject serves a project written from files in a temporary
// directory; pages, when not nil, runs it as `zerostack pages dev`.
func startProject(t *testing.T, files map[string]string, pages *PagesOptions, watch bool) (*Dev, string) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	if pages != nil && pages.ProjectDir == "" {
		pages.ProjectDir = dir
		if pages.Dir != "" {
			pages.Dir = filepath.Join(dir, pages.Dir)
		}
	}
	var console strings.Builder
	d, err := StartDev(DevOptions{
		Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir(),
		Pages: pages, Watch: watch,
		Console: func(level, msg string) { console.WriteString(level + ": " + msg + "\n") },
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
		if t.Failed() {
			t.Logf("console:\n%s", console.String())
		}
	})
	return d, dir
}

func TestExamplePagesHello(t *testing.T) {
	d := startExample(t, "pages-hello", nil)
	r := fetch(t, "GET", d.URL()+"/api/hello", nil)
	m := decodeJSON(t, r.body)
	if r.status != 200 || m["message"] != "Hello from the edge!" || m["location"] != "DEV" {
		t.Fatalf("/api/hello: %d %v", r.status, r.body)
	}
	r = fetch(t, "GET", d.URL()+"/", nil)
	if r.status != 200 || !strings.Contains(r.body, "Hello from the edge!") || r.header.Get("Content-Type") != "text/html; charset=utf-8" || r.header.Get("ETag") == "" {
		t.Fatalf("/: %d %v", r.status, r.header)
	}
	if r := fetch(t, "GET", d.URL()+"/", map[string]string{"If-None-Match": r.header.Get("ETag")}); r.status != 304 {
		t.Errorf("If-None-Match: %d", r.status)
	}
	if r := fetch(t, "GET", d.URL()+"/index.html", nil); r.status != 308 || r.header.Get("Location") != "/" {
		t.Errorf("/index.html: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestExamplePagesHono(t *testing.T) {
	d := startExample(t, "pages-hono", nil)
	applyMigrations(t, d, "DB")
	// As on Cloudflare the catch-all Function receives the full path
	// /api/users, which the guide's app.get('/users') does not match: the
	// answer is Hono's own 404.
	r := fetch(t, "GET", d.URL()+"/api/users", nil)
	if r.status != 404 || r.body != "404 Not Found" {
		t.Fatalf("/api/users: %d %q", r.status, r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/", nil); r.status != 200 || !strings.Contains(r.body, "functions/api") {
		t.Errorf("/: %d %q", r.status, r.body)
	}
}

func TestExamplePagesCache(t *testing.T) {
	d := startExample(t, "pages-cache", nil)
	r := fetch(t, "GET", d.URL()+"/api/static/config.json", nil)
	if r.status != 200 || r.header.Get("Cache-Control") != "public, max-age=3600" || !strings.Contains(r.body, `"theme":"dark"`) {
		t.Fatalf("static API: %d %v %q", r.status, r.header, r.body)
	}
	r = fetch(t, "GET", d.URL()+"/", nil)
	if r.status != 200 || r.header.Get("Cache-Control") != "public, max-age=0, must-revalidate" {
		t.Fatalf("/: %d %v", r.status, r.header)
	}
}

func TestExamplePagesAB(t *testing.T) {
	d := startExample(t, "pages-ab", nil)
	if r := fetch(t, "GET", d.URL()+"/", nil); r.status != 200 || !strings.Contains(r.body, "Variant A") {
		t.Fatalf("A: %d %q", r.status, r.body)
	}
	// Variant B only changes URLs containing index.html (which it fetches
	// from the guide's production site over the network, not done here).
	if r := fetch(t, "GET", d.URL()+"/", map[string]string{"Cookie": "variant=B"}); r.status != 200 || !strings.Contains(r.body, "Variant A") {
		t.Fatalf("B on /: %d %q", r.status, r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/index-b", map[string]string{"Cookie": "variant=B"}); r.status != 200 || !strings.Contains(r.body, "Variant B") {
		t.Fatalf("/index-b: %d %q", r.status, r.body)
	}
}

var functionsProject = map[string]string{
	"public/index.html": "<h1>home</h1>",
	"public/hello.txt":  "hello static",
	"functions/_middleware.ts": `export async function onRequest(context) {
  context.data.trace = ["root"];
  const res = await context.next();
  res.headers.set("x-mw", "root");
  return res;
}`,
	"functions/api/_middleware.js": `export const onRequest = [
  async (c) => { c.data.trace.push("api1"); return c.next(); },
  async (c) => { c.data.trace.push("api2:" + c.functionPath); return c.next(); },
];`,
	"functions/api/users/index.ts": `export const onRequestGet = (c) => Response.json({ route: "users-index", functionPath: c.functionPath, trace: c.data.trace });`,
	"functions/api/users/[id].ts": `export function onRequestGet(c) { return Response.json({ route: "user", id: c.params.id, trace: c.data.trace }); }
export function onRequestPost(c) { return Response.json({ route: "user-post", id: c.params.id }); }`,
	"functions/api/users/me.ts": `export const onRequest = () => Response.json({ route: "me" });`,
	"functions/api/[[rest]].ts": `export const onRequest = (c) => Response.json({ route: "rest", rest: c.params.rest ?? null });`,
	"functions/api/asset.ts":    `export const onRequest = async (c) => { const r = await c.env.ASSETS.fetch(new URL("/hello.txt", c.request.url)); return new Response("via ASSETS: " + await r.text()); };`,
	"functions/api/fail.ts":     `export const onRequest = (c) => { c.passThroughOnException(); throw new Error("boom"); };`,
	"functions/api/baddata.ts":  `export const onRequest = (c) => { c.data = 5; return new Response("unreachable"); };`,
	"functions/api/rewrite.ts":  `export const onRequest = (c) => c.next("/hello.txt");`,
	"functions/api/wait.ts":     `export const onRequest = (c) => { c.waitUntil(Promise.resolve()); return new Response(c.env.GREETING + " " + typeof c.env.KV.get); };`,
	"functions/post-only.ts":    `export const onRequestPost = () => new Response("posted");`,
}

func TestPagesFunctionsRouting(t *testing.T) {
	d, _ := startProject(t, functionsProject, &PagesOptions{Dir: "public", KV: []string{"KV"}, Bindings: map[string]string{"GREETING": "hi"}}, false)
	cases := []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/api/users/42", 200, `{"route":"user","id":"42","trace":["root","api1","api2:/api"]}`},
		{"POST", "/api/users/42", 200, `{"route":"user-post","id":"42"}`},
		{"GET", "/api/users/me", 200, `{"route":"me"}`},
		{"GET", "/api/users", 200, `{"route":"users-index","functionPath":"/api/users","trace":["root","api1","api2:/api"]}`},
		{"GET", "/api/a/b/c", 200, `{"route":"rest","rest":["a","b","c"]}`},
		{"GET", "/api", 200, `{"route":"rest","rest":null}`},
		{"GET", "/api/asset", 200, "via ASSETS: hello static"},
		{"GET", "/api/fail", 200, "<h1>home</h1>"},
		{"GET", "/api/rewrite", 200, "hello static"},
		{"GET", "/api/wait", 200, "hi function"},
		{"GET", "/hello.txt", 200, "hello static"},
		{"POST", "/post-only", 200, "posted"},
		{"GET", "/post-only", 200, "<h1>home</h1>"}, // no GET handler: the static site (SPA)
	}
	for _, c := range cases {
		r := fetch(t, c.method, d.URL()+c.path, nil)
		if r.status != c.status || r.body != c.want {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, r.status, r.body, c.status, c.want)
		}
		if r.header.Get("x-mw") != "root" && c.path != "/api/fail" {
			t.Errorf("%s %s: root middleware did not run (x-mw %q)", c.method, c.path, r.header.Get("x-mw"))
		}
	}
	if r := fetch(t, "GET", d.URL()+"/api/baddata", nil); r.status != 500 || !strings.Contains(r.body, "context.data must be an object") {
		t.Errorf("/api/baddata: %d %q", r.status, r.body)
	}
}

func TestPagesRoutesJSONAndStaticOnly(t *testing.T) {
	files := map[string]string{
		"public/index.html":       "home",
		"public/_routes.json":     `{"version":1,"include":["/api/*"],"exclude":["/api/static/*"]}`,
		"public/api/static/a.txt": "static a",
		"functions/[[all]].ts":    `export const onRequest = () => new Response("function");`,
	}
	d, dir := startProject(t, files, &PagesOptions{Dir: "public"}, true)
	for p, want := range map[string]string{"/api/x": "function", "/api/static/a.txt": "static a", "/": "home", "/other": "home"} {
		if r := fetch(t, "GET", d.URL()+p, nil); r.body != want {
			t.Errorf("%s: %d %q, want %q", p, r.status, r.body, want)
		}
	}
	// The static files reload when the directory changes.
	writeTree(t, dir, map[string]string{"public/new.html": "fresh"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := fetch(t, "GET", d.URL()+"/new", nil)
		if r.body == "fresh" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new file not served after a reload: %d %q", r.status, r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A bad _routes.json stops the server from starting, with the reason.
	bad := map[string]string{"public/index.html": "x", "public/_routes.json": `{"version":1,"include":[],"exclude":[]}`}
	dir2 := t.TempDir()
	writeTree(t, dir2, bad)
	_, err := StartDev(DevOptions{IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir(), Pages: &PagesOptions{ProjectDir: dir2, Dir: filepath.Join(dir2, "public")}})
	if err == nil || !strings.Contains(err.Error(), "at least one include rule") {
		t.Errorf("bad _routes.json: %v", err)
	}
}

func TestPagesAdvancedMode(t *testing.T) {
	worker := `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) return new Response("advanced " + url.pathname);
    return env.ASSETS.fetch(request);
  },
};`
	d, _ := startProject(t, map[string]string{"public/index.html": "home", "public/_worker.js": worker}, &PagesOptions{Dir: "public"}, false)
	if r := fetch(t, "GET", d.URL()+"/api/x", nil); r.body != "advanced /api/x" {
		t.Errorf("/api/x: %d %q", r.status, r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/", nil); r.body != "home" || r.header.Get("ETag") == "" {
		t.Errorf("/: %d %q %v", r.status, r.body, r.header)
	}
	if r := fetch(t, "GET", d.URL()+"/_worker.js", nil); r.body != "home" {
		t.Errorf("/_worker.js is served: %q", r.body)
	}
	// _worker.js as a directory, its index.js importing a sibling module.
	d2, _ := startProject(t, map[string]string{
		"public/index.html":          "home",
		"public/_worker.js/index.js": `import { greet } from "./lib.js"; export default { fetch: (req, env) => new URL(req.url).pathname === "/" ? env.ASSETS.fetch(req) : new Response(greet()) };`,
		"public/_worker.js/lib.js":   `export const greet = () => "from a directory";`,
	}, &PagesOptions{Dir: "public"}, false)
	if r := fetch(t, "GET", d2.URL()+"/x", nil); r.body != "from a directory" {
		t.Errorf("directory _worker.js: %d %q", r.status, r.body)
	}
}

func TestWorkerAssets(t *testing.T) {
	files := map[string]string{
		"wrangler.toml": `name = "assets-app"
main = "src/index.ts"
[assets]
directory = "./dist"
binding = "ASSETS"
not_found_handling = "single-page-application"
run_worker_first = ["/admin/*", "!/admin/public/*"]
`,
		"src/index.ts": `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) return Response.json({ from: "worker", path: url.pathname });
    if (url.pathname.startsWith("/admin/")) return new Response("admin by worker");
    return env.ASSETS.fetch(request);
  },
};`,
		"dist/index.html":            "spa shell",
		"dist/app.js":                "console.log(1)",
		"dist/admin/index.html":      "admin page",
		"dist/admin/public/logo.txt": "logo",
		"dist/about/index.html":      "about",
	}
	d, _ := startProject(t, files, nil, false)
	cases := []struct {
		path   string
		status int
		want   string
	}{
		{"/app.js", 200, "console.log(1)"},
		{"/api/users", 200, `{"from":"worker","path":"/api/users"}`},
		{"/admin/", 200, "admin by worker"},
		{"/admin/public/logo.txt", 200, "logo"},
		{"/about/", 200, "about"},
		{"/some/client/route", 200, "spa shell"}, // worker → env.ASSETS → SPA fallback
	}
	for _, c := range cases {
		r := fetch(t, "GET", d.URL()+c.path, nil)
		if r.status != c.status || r.body != c.want {
			t.Errorf("%s: %d %q, want %d %q", c.path, r.status, r.body, c.status, c.want)
		}
	}
	// No compatibility date: a navigation still goes to the worker, which
	// answers /admin/x itself.
	if r := fetch(t, "GET", d.URL()+"/admin/x", map[string]string{"Sec-Fetch-Mode": "navigate"}); r.body != "admin by worker" {
		t.Errorf("navigation: %q", r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/about", nil); r.status != 307 || r.header.Get("Location") != "/about/" {
		t.Errorf("/about: %d %q", r.status, r.header.Get("Location"))
	}
	if r := fetch(t, "GET", d.URL()+"/app.js", map[string]string{"Accept-Encoding": "gzip"}); r.header.Get("Content-Type") != "application/javascript" {
		t.Errorf("/app.js headers: %v", r.header)
	}
}

// TestExamplePagesReact builds the React (Vite) example with its own npm
// script, serves it and loads a client-side route in headless Chromium
// (Debian's chromium, driven by playwright-core): the page must render the
// todos that its API Function returns. Chromium comes from `make tools`.
func TestExamplePagesReact(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing (install it with `make tools`): %v", chromium, err)
	}
	dir := filepath.Join(examplesDir(t), "pages-react")
	npmInstall(t, dir)
	build := exec.Command("npm", "run", "build")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("npm run build: %v\n%s", err, out)
	}
	d := startExample(t, "pages-react", nil)
	if r := fetch(t, "GET", d.URL()+"/api/todos", nil); r.status != 200 || !strings.Contains(r.body, "Build the React app with Vite") {
		t.Fatalf("/api/todos: %d %q", r.status, r.body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e/browser.mjs", d.URL()+"/todos/today", chromium)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, stderr.String())
	}
	var got struct {
		Status int      `json:"status"`
		Errors []string `json:"errors"`
		Title  string   `json:"title"`
		Route  string   `json:"route"`
		Error  *string  `json:"error"`
		Todos  []string `json:"todos"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("browser output %q: %v", out, err)
	}
	want := []string{"Build the React app with Vite", "Serve it with zerostack pages dev"}
	if got.Status != 200 || got.Title != "zerostack Pages + React" || got.Route != "route: /todos/today" ||
		got.Error != nil || len(got.Errors) != 0 || strings.Join(got.Todos, "|") != strings.Join(want, "|") {
		t.Fatalf("rendered page: %+v", got)
	}
}

// waitBody polls url until it answers want (a reload is asynchronous).
func waitBody(t *testing.T, url, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := fetch(t, "GET", url, nil)
		if r.body == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d %q, want %q", url, r.status, r.body, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPagesReloadsFunctions(t *testing.T) {
	d, dir := startProject(t, map[string]string{"public/index.html": "home"}, &PagesOptions{Dir: "public"}, true)
	waitBody(t, d.URL()+"/api/new", "home") // a static site: the SPA fallback
	writeTree(t, dir, map[string]string{"functions/api/new.ts": `export const onRequest = () => new Response("new function");`})
	waitBody(t, d.URL()+"/api/new", "new function")
	writeTree(t, dir, map[string]string{"functions/api/new.ts": `export const onRequest = () => new Response("edited");`})
	waitBody(t, d.URL()+"/api/new", "edited")
	if err := os.Remove(filepath.Join(dir, "functions", "api", "new.ts")); err != nil {
		t.Fatal(err)
	}
	waitBody(t, d.URL()+"/api/new", "home")
}

func TestWorkerAssetsNavigation(t *testing.T) {
	d, _ := startProject(t, map[string]string{
		"wrangler.toml":   "name = \"spa\"\nmain = \"worker.js\"\ncompatibility_date = \"2025-07-18\"\n[assets]\ndirectory = \"dist\"\nnot_found_handling = \"single-page-application\"\n",
		"worker.js":       `export default { fetch: () => new Response("worker") };`,
		"dist/index.html": "spa shell",
	}, nil, false)
	// From 2025-04-01 a browser navigation to an unknown path gets the SPA
	// shell (assets_navigation_prefers_asset_serving); fetch() calls from
	// the page still reach the worker.
	if r := fetch(t, "GET", d.URL()+"/app/settings", map[string]string{"Sec-Fetch-Mode": "navigate"}); r.body != "spa shell" {
		t.Errorf("navigation: %d %q", r.status, r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/app/settings", map[string]string{"Sec-Fetch-Mode": "cors"}); r.body != "worker" {
		t.Errorf("fetch: %d %q", r.status, r.body)
	}
}

func TestWorkerAssetsOnly(t *testing.T) {
	d, _ := startProject(t, map[string]string{
		"wrangler.toml":          "name = \"static\"\n[assets]\ndirectory = \"public\"\nnot_found_handling = \"404-page\"\nhtml_handling = \"drop-trailing-slash\"\n",
		"public/index.html":      "home",
		"public/docs/index.html": "docs",
		"public/404.html":        "not here",
	}, nil, false)
	if r := fetch(t, "GET", d.URL()+"/docs", nil); r.status != 200 || r.body != "docs" {
		t.Errorf("/docs: %d %q", r.status, r.body)
	}
	if r := fetch(t, "GET", d.URL()+"/docs/", nil); r.status != 307 || r.header.Get("Location") != "/docs" {
		t.Errorf("/docs/: %d %q", r.status, r.header.Get("Location"))
	}
	if r := fetch(t, "GET", d.URL()+"/nope", nil); r.status != 404 || r.body != "not here" {
		t.Errorf("/nope: %d %q", r.status, r.body)
	}
}

// TestPagesFunctionsSyncChain covers the router's synchronous path (no
// middleware, handlers that return a Response) and its cached chains:
// params are each request's own, throws fall back to the assets with
// passThroughOnException from sync and async handlers alike, and a
// middleware sees a nested response it may change.
func TestPagesFunctionsSyncChain(t *testing.T) {
	files := map[string]string{
		"public/index.html":          "<h1>home</h1>",
		"functions/sync.js":          `export const onRequest = () => new Response("sync");`,
		"functions/p/[id].js":        `export const onRequest = (c) => { const s = JSON.stringify(c.params); c.params.id = "changed"; c.params.extra = 1; return new Response(s); };`,
		"functions/r/[[rest]].js":    `export const onRequest = (c) => { const s = JSON.stringify(c.params.rest); c.params.rest.push("x"); return new Response(s); };`,
		"functions/pass-sync.js":     `export const onRequest = (c) => { c.passThroughOnException(); throw new Error("boom"); };`,
		"functions/pass-async.js":    `export const onRequest = async (c) => { c.passThroughOnException(); await null; throw new Error("boom"); };`,
		"functions/throw.js":         `export const onRequest = () => { throw new Error("plain failure"); };`,
		"functions/not-response.js":  `export const onRequest = () => "text";`,
		"functions/m/_middleware.js": `export const onRequest = (c) => c.next().then((r) => { r.headers.set("x-sync-mw", "1"); return r; });`,
		"functions/m/index.js":       `export const onRequest = (c) => new Response("m " + c.functionPath + " " + c.cf.colo);`,
		"functions/m/static.js":      `export const onRequest = ({ next }) => next("/");`,
	}
	d, _ := startProject(t, files, &PagesOptions{Dir: "public"}, false)
	cases := []struct {
		path   string
		status int
		body   string
		mw     bool
	}{
		{"/sync", 200, "sync", false},
		{"/p/1", 200, `{"id":"1"}`, false},
		{"/p/1", 200, `{"id":"1"}`, false}, // the cached chain kept no change
		{"/p/2", 200, `{"id":"2"}`, false},
		{"/r/a/b", 200, `["a","b"]`, false},
		{"/r/a/b", 200, `["a","b"]`, false},
		{"/pass-sync", 200, "<h1>home</h1>", false},
		{"/pass-async", 200, "<h1>home</h1>", false},
		{"/m", 200, "m /m DEV", true},
		{"/m/static", 200, "<h1>home</h1>", true},
	}
	for _, c := range cases {
		r := fetch(t, "GET", d.URL()+c.path, nil)
		if r.status != c.status || r.body != c.body {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, r.status, r.body, c.status, c.body)
		}
		if got := r.header.Get("x-sync-mw") == "1"; got != c.mw {
			t.Errorf("GET %s: middleware header present=%v, want %v", c.path, got, c.mw)
		}
	}
	for path, msg := range map[string]string{"/throw": "plain failure", "/not-response": "Your Pages function should return a Response"} {
		if r := fetch(t, "GET", d.URL()+path, nil); r.status != 500 || !strings.Contains(r.body, msg) {
			t.Errorf("GET %s: %d %q, want 500 with %q", path, r.status, r.body, msg)
		}
	}
}
