package worker

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestWorker bundles src (written as src/index.ts in a temp project) and
// serves it.
func newTestWorker(t *testing.T, src string, mod func(*Config)) (*Worker, *httptest.Server) {
	t.Helper()
	return serveBundle(t, "index.ts", src, BundleOptions{}, mod)
}

// serveBundle writes src as src/name in a temp project and serves it with
// serveProject.
func serveBundle(t testing.TB, name, src string, opts BundleOptions, mod func(*Config)) (*Worker, *httptest.Server) {
	t.Helper()
	dir := writeFiles(t, map[string]string{"src/" + name: src})
	return serveProject(t, dir, "src/"+name, opts, mod)
}

// writeFiles writes files (path relative to the directory → contents)
// into a new temp directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// serveProject bundles entry (relative to dir) with opts (Entry and Dir
// filled in), starts a one-isolate Worker (mod may change its Config) and
// serves it; both stop when the test ends.
func serveProject(t testing.TB, dir, entry string, opts BundleOptions, mod func(*Config)) (*Worker, *httptest.Server) {
	t.Helper()
	opts.Entry, opts.Dir = filepath.Join(dir, entry), dir
	b, err := MakeBundle(opts)
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
	return w, srv
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func TestHelloModuleWorker(t *testing.T) {
	_, srv := newTestWorker(t, `
export default {
  async fetch(request: Request, env: any, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    return new Response("Hello " + url.pathname + " " + env.GREETING, { headers: { "x-test": "1" } });
  },
};`, func(c *Config) { c.Vars = map[string]any{"GREETING": "hi"} })
	code, body, h := get(t, srv.URL+"/abc?x=1")
	if code != 200 || body != "Hello /abc hi" || h.Get("X-Test") != "1" || h.Get("Content-Type") != "text/plain;charset=UTF-8" {
		t.Fatalf("got %d %q %v", code, body, h)
	}
}

func TestServiceWorker(t *testing.T) {
	_, srv := newTestWorker(t, `
addEventListener("fetch", (event) => {
  event.respondWith(new Response(event.request.method + " " + event.request.headers.get("cf-connecting-ip")));
});`, nil)
	code, body, _ := get(t, srv.URL)
	if code != 200 || body != "GET 127.0.0.1" {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestModuleStatePersists(t *testing.T) {
	_, srv := newTestWorker(t, `
let n = 0;
export default { fetch() { n++; return new Response(String(n)); } };`, nil)
	for want := 1; want <= 3; want++ {
		_, body, _ := get(t, srv.URL)
		if body != string(rune('0'+want)) {
			t.Fatalf("request %d: got %q", want, body)
		}
	}
}

func TestExceptionGives500WithMappedStack(t *testing.T) {
	_, srv := newTestWorker(t, `
function boom(): never {
  throw new Error("kaboom");
}
export default { fetch() { boom(); } };`, nil)
	code, body, _ := get(t, srv.URL)
	if code != 500 || !strings.Contains(body, "kaboom") || !strings.Contains(body, "index.ts:3") {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestNeverResolves(t *testing.T) {
	_, srv := newTestWorker(t, `
export default { fetch() { return new Promise(() => {}); } };`, nil)
	code, body, _ := get(t, srv.URL)
	if code != 500 || !strings.Contains(body, "never generate a response") {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestCPULimitStopsInfiniteLoop(t *testing.T) {
	w, srv := newTestWorker(t, `
export default { fetch(req) {
  if (new URL(req.url).pathname === "/spin") { while (true) {} }
  return new Response("ok");
} };`, func(c *Config) { c.CPULimit = 50 * time.Millisecond })
	code, body, _ := get(t, srv.URL+"/spin")
	if code != 503 || !strings.Contains(body, "1102") {
		t.Fatalf("got %d %q", code, body)
	}
	waitRecovered(t, w, srv.URL+"/", "ok")
}

// waitRecovered waits until a discarded isolate has been replaced: url
// answers 200 with want, and the pool is back to one isolate.
func waitRecovered(t *testing.T, w *Worker, url, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body, _ := get(t, url)
		if code == 200 && body == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker did not recover: %d %q", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := w.Stats(); s.Isolates != 1 {
		t.Fatalf("isolates = %d, want 1", s.Isolates)
	}
}

func TestEchoBodyAndRetainedValues(t *testing.T) {
	w, srv := newTestWorker(t, `
export default { async fetch(req) {
  if (req.method === "POST") return new Response(req.body);
  const t = await req.text();
  return new Response("empty:" + t.length);
} };`, nil)
	payload := strings.Repeat("zerostack", 200000)
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != payload {
		t.Fatalf("echo mismatch: %d bytes: %.300s", len(b), b)
	}
	for i := 0; i < 50; i++ {
		get(t, srv.URL)
	}
	base := w.Stats().RetainedValues
	for i := 0; i < 300; i++ {
		get(t, srv.URL)
	}
	if got := w.Stats().RetainedValues; got > base {
		t.Fatalf("retained values grew from %d to %d", base, got)
	}
}

// serveOnce sends one GET through w without a network listener.
func serveOnce(t *testing.T, w *Worker, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost"+path, nil))
	return rec.Code, rec.Body.String()
}

func TestLargeBodiesThroughJavaScript(t *testing.T) {
	_, srv := newTestWorker(t, `
export default { async fetch(req) {
  const buf = new Uint8Array(await req.arrayBuffer());
  let sum = 0;
  for (let i = 0; i < buf.length; i += 4096) sum = (sum + buf[i]) % 1000003;
  const out = new Uint8Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = buf[buf.length - 1 - i];
  return new Response(out, { headers: { "x-sum": String(sum) } });
} };`, nil)
	payload := make([]byte, 3<<20+12345)
	for i := range payload {
		payload[i] = byte(i*7 + i>>11)
	}
	resp, err := http.Post(srv.URL, "application/octet-stream", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(got) != len(payload) {
		t.Fatalf("got %d bytes, want %d", len(got), len(payload))
	}
	for i := range got {
		if got[i] != payload[len(payload)-1-i] {
			t.Fatalf("byte %d differs", i)
		}
	}
}

func TestCPULimitAcrossAwaits(t *testing.T) {
	// Each burst is short, but together they exceed the limit: the request
	// is answered with 1102 once its accumulated CPU time is over.
	_, srv := newTestWorker(t, `
export default { async fetch(req) {
  for (let k = 0; k < 400; k++) {
    const end = Date.now() + 2;
    while (Date.now() < end) {}
    await new Promise((r) => setTimeout(r, 0));
  }
  return new Response("finished");
} };`, func(c *Config) { c.CPULimit = 100 * time.Millisecond })
	code, body, _ := get(t, srv.URL)
	if code != 503 || !strings.Contains(body, "1102") {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestResponseHeadersAsGiven(t *testing.T) {
	_, srv := newTestWorker(t, `
export default { fetch(req) {
  const p = new URL(req.url).pathname;
  if (p === "/bytes") return new Response(new Uint8Array([60, 104, 116, 109, 108, 62]));
  if (p === "/empty") return new Response(null, { status: 204 });
  if (p === "/multi") { const h = new Headers(); h.append("x-m", "1"); h.append("x-m", "2"); h.append("set-cookie", "a=1"); h.append("set-cookie", "b=2"); return new Response("m", { headers: h }); }
  return new Response("text");
} };`, nil)
	_, _, h := get(t, srv.URL+"/bytes")
	if ct, ok := h["Content-Type"]; ok {
		t.Fatalf("bytes body got a sniffed Content-Type %q", ct)
	}
	code, body, h := get(t, srv.URL+"/empty")
	if code != 204 || body != "" {
		t.Fatalf("got %d %q %v", code, body, h)
	}
	_, _, h = get(t, srv.URL+"/multi")
	if got := h.Values("Set-Cookie"); len(got) != 2 || h.Get("X-M") != "1, 2" {
		t.Fatalf("headers %v", h)
	}
	resp, err := http.Head(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != 4 || resp.Header.Get("Content-Type") != "text/plain;charset=UTF-8" {
		t.Fatalf("HEAD: length %d, headers %v", resp.ContentLength, resp.Header)
	}
}

func TestPoolGrowsUnderCPUBoundLoad(t *testing.T) {
	w, srv := newTestWorker(t, `
export default { fetch() {
  const end = Date.now() + 20;
  while (Date.now() < end) {}
  return new Response("done");
} };`, func(c *Config) { c.MaxIsolates = 2 })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k := 0; k < 4; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Get(srv.URL)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.Stats().Isolates < 2 {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatal("pool did not grow under CPU-bound load")
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if n := w.Stats().Isolates; n != 2 {
		t.Fatalf("isolates = %d, want the cap of 2", n)
	}
}
