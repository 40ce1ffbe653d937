package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/s3api"
)

func TestParseServeConfig(t *testing.T) {
	c, err := ParseServeConfig("/etc/zs/zerostack.toml", []byte(`
[ai]
default = "x"   # not serve's business

[serve]
projects = ["api", "/srv/site/wrangler.toml"]
env = "production"
http = "8080"
https = "127.0.0.1:8443"
cert = "tls/cert.pem"
key = "tls/key.pem"
s3 = ":9000"
api = "127.0.0.1:8788"
api_token_env = "ZS_TOKEN"
state_dir = "data"
domains = ["Example.com."]
s3_domains = ["s3.example.com"]
default = "api"
log_format = "json"
log_level = "debug"
shutdown_timeout = "5s"
isolates = 2
access_log = false
`))
	if err != nil {
		t.Fatal(err)
	}
	want := ServeConfig{
		File: "/etc/zs/zerostack.toml", Projects: []string{"/etc/zs/api", "/srv/site/wrangler.toml"}, Env: "production",
		HTTP: ":8080", HTTPS: "127.0.0.1:8443", Cert: "/etc/zs/tls/cert.pem", Key: "/etc/zs/tls/key.pem", S3: ":9000",
		API: "127.0.0.1:8788", APITokenEnv: "ZS_TOKEN", StateDir: "/etc/zs/data", Domains: []string{"example.com"}, S3Domains: []string{"s3.example.com"},
		Default: "api", LogFormat: "json", LogLevel: "debug", Shutdown: 5 * time.Second, Isolates: 2,
	}
	if c.AccessLog == nil || *c.AccessLog {
		t.Errorf("access_log = false read as %v", c.AccessLog)
	}
	if got := *c; !sameServeConfig(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// No [serve]: the zero config.
	if c, err := ParseServeConfig("z.toml", []byte("[ai]\ndefault = \"x\"\n")); err != nil || c.HTTP != "" || len(c.Projects) != 0 {
		t.Fatalf("no [serve]: %+v %v", c, err)
	}
}

func sameServeConfig(a, b ServeConfig) bool {
	return strings.Join(a.Projects, ",") == strings.Join(b.Projects, ",") && strings.Join(a.Domains, ",") == strings.Join(b.Domains, ",") && strings.Join(a.S3Domains, ",") == strings.Join(b.S3Domains, ",") &&
		a.File == b.File && a.Env == b.Env && a.HTTP == b.HTTP && a.HTTPS == b.HTTPS && a.Cert == b.Cert && a.Key == b.Key &&
		a.S3 == b.S3 && a.API == b.API && a.APITokenEnv == b.APITokenEnv && a.StateDir == b.StateDir && a.Default == b.Default &&
		a.LogFormat == b.LogFormat && a.LogLevel == b.LogLevel && a.Shutdown == b.Shutdown && a.Isolates == b.Isolates
}

// TestParseServeConfigErrors checks that each mistake is reported with the
// file, line and column, and what to write instead.
func TestParseServeConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"syntax", "[serve]\nhttp = \n", "z.toml:2:"},
		{"unknown key", "[serve]\nhtp = \":80\"\n", `z.toml:2:1: serve: unknown key "htp" (known: projects,`},
		{"not a table", "serve = 1\n", "z.toml:1:1: serve: expected a table, got number"},
		{"bad address", "[serve]\n\nhttp = \"localhost\"\n", `z.toml:3:1: serve.http: "localhost" is not a listen address (write host:port or :port, e.g. ":8080")`},
		{"bad port", "[serve]\ns3 = \":99999\"\n", `z.toml:2:1: serve.s3: ":99999": port must be a number from 0 to 65535`},
		{"wrong type", "[serve]\nhttp = 80\n", "z.toml:2:1: serve.http: expected a string, got number"},
		{"projects not strings", "[serve]\nprojects = [1]\n", "serve.projects[0]: expected a string, got number"},
		{"cert without key", "[serve]\ncert = \"c.pem\"\n", "z.toml:1:1: serve: cert and key go together"},
		{"log format", "[serve]\nlog_format = \"xml\"\n", `z.toml:2:1: serve.log_format: "xml" is not json or text`},
		{"duration", "[serve]\nshutdown_timeout = \"soon\"\n", `serve.shutdown_timeout: "soon" is not a positive duration`},
		{"domain", "[serve]\ndomains = [\"*.example.com\"]\n", `serve.domains: "*.example.com" is not a host name`},
		{"isolates", "[serve]\nisolates = 0\n", "z.toml:2:1: serve.isolates: expected an integer from 1 to 256"},
		{"access_log", "[serve]\naccess_log = \"no\"\n", "z.toml:2:1: serve.access_log: expected true or false, got string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseServeConfig("z.toml", []byte(tc.text))
			var ce *config.Error
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func FuzzParseServeConfig(f *testing.F) {
	f.Add("[serve]\nhttp = \":80\"\nprojects = [\"a\"]\n")
	f.Add("[serve]\ndomains = [\"x\", 1]\ncert = \"a\"\n")
	f.Add("serve = 3")
	f.Add("[serve.x]\ny = 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseServeConfig("z.toml", []byte(text))
		if err == nil && c == nil {
			t.Fatal("nil config without an error")
		}
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *config.Error", err)
			}
		}
	})
}

func TestRouteMatching(t *testing.T) {
	mk := func(pattern, target string, custom bool) routePattern {
		r, err := parseRoute(pattern, target, custom)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rt, err := newRouter([]routePattern{
		mk("*.example.com/*", "wild", false),
		mk("www.example.com/*", "www", false),
		mk("example.com/api/*", "api", false),
		mk("example.com/api/v2/*", "api2", false),
		mk("example.com/exact", "exact", false),
		mk("https://secure.example.com/*", "secure", false),
		mk("shop.example.org", "shop", true),
		mk("*example.net/*", "net", false),
	}, []string{"wild", "www", "api", "api2", "exact", "secure", "shop", "net", "named", "hidden"}, map[string]bool{"hidden": true}, []string{"zs.test"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ scheme, host, path, want string }{
		{"http", "www.example.com", "/", "www"},           // exact host beats *.example.com
		{"http", "WWW.Example.com:8080", "/x", "www"},     // case and port do not matter
		{"http", "a.example.com", "/", "wild"},            // wildcard host
		{"http", "a.b.example.com", "/", "wild"},          // any depth
		{"http", "example.com", "/", ""},                  // *.example.com needs a subdomain
		{"http", "example.com", "/api/x", "api"},          // path prefix
		{"http", "example.com", "/api/v2/x", "api2"},      // longer prefix wins
		{"http", "example.com", "/api", ""},               // /api/* does not match /api
		{"http", "example.com", "/exact", "exact"},        // exact path
		{"http", "example.com", "/exact?q=1", ""},         // the query is part of the URL
		{"http", "example.com", "/exactly", ""},           // no implicit wildcard
		{"https", "secure.example.com", "/", "secure"},    // scheme matches
		{"http", "secure.example.com", "/", "wild"},       // other scheme: the next route
		{"http", "shop.example.org", "/any/path", "shop"}, // custom domain takes every path
		{"http", "example.net", "/", "net"},               // *example.net matches the apex
		{"http", "x.example.net", "/", "net"},
		{"http", "named.localhost:8787", "/", "named"}, // <worker>.localhost
		{"http", "named.zs.test", "/", "named"},        // <worker>.<domain>
		{"http", "hidden.zs.test", "/", ""},            // workers_dev = false
		{"http", "nobody.zs.test", "/", ""},
	} {
		if got := rt.pick(tc.scheme, tc.host, tc.path); got != tc.want {
			t.Errorf("%s://%s%s: got %q, want %q", tc.scheme, tc.host, tc.path, got, tc.want)
		}
	}
	for _, bad := range []struct{ pattern, want string }{
		{"example.com/*.jpg", "* may appear only at the start of the host and at the end of the path"},
		{"ex*ample.com/*", "* may appear only"},
		{"example.com/?a=*", "may not contain a query string"},
		{"ftp://example.com/*", "scheme must be http or https"},
		{"/api/*", "no host name"},
	} {
		if _, err := parseRoute(bad.pattern, "w", false); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: got %v, want %q", bad.pattern, err, bad.want)
		}
	}
	if _, err := parseRoute("example.com/x", "w", true); err == nil || !strings.Contains(err.Error(), "custom domain is a host name without a path") {
		t.Errorf("custom domain with a path: %v", err)
	}
	if _, err := newRouter([]routePattern{mk("a.com/*", "one", false), mk("A.com/*", "two", false)}, nil, nil, nil, ""); err == nil || !strings.Contains(err.Error(), "claimed by both one and two") {
		t.Errorf("duplicate route: %v", err)
	}
}

func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{"example.com/*", "*.example.com/api/*", "https://a.b/c", "*/*", "a.com/x?y", "ftp://x/y", ""} {
		f.Add(s, "host.example.com", "/path?q")
	}
	f.Fuzz(func(t *testing.T, pattern, host, path string) {
		r, err := parseRoute(pattern, "w", false)
		if err != nil {
			return
		}
		if strings.Contains(r.host, "*") || strings.Contains(r.path, "*") || !strings.HasPrefix(r.path, "/") {
			t.Fatalf("%q parsed to %+v", pattern, r)
		}
		rt, err := newRouter([]routePattern{r}, []string{"w"}, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		rt.pick("http", host, path) // must not panic
	})
}

// serveAlpha is a Worker routed by host and path, producing to a queue that
// another served Worker consumes; it has a cron handler that /__scheduled
// must not reach in serve.
const serveAlphaTOML = `name = "alpha"
main = "index.js"
compatibility_date = "2025-01-01"
routes = ["alpha.example.com/*", { pattern = "example.com/alpha/*", zone_name = "example.com" }]
[[kv_namespaces]]
binding = "KV"
id = "shared"
[[queues.producers]]
binding = "Q"
queue = "jobs"
[triggers]
crons = ["0 3 * * *"]
`

const serveAlphaJS = `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname.endsWith("/throw")) throw new Error("secret detail");
    if (url.pathname.endsWith("/send")) { await env.Q.send({ v: url.searchParams.get("v") }); return new Response("sent"); }
    if (url.pathname.endsWith("/got")) return new Response((await env.KV.get("got")) ?? "none");
    if (url.pathname.endsWith("/cron")) return new Response((await env.KV.get("cron")) ?? "none");
    if (url.pathname === "/" || url.pathname.startsWith("/alpha")) return new Response("alpha " + url.host + url.pathname);
    return new Response("not found", { status: 404 });
  },
  async scheduled(event, env) { await env.KV.put("cron", "ran"); },
};
`

const serveBetaTOML = `name = "beta"
main = "index.js"
compatibility_date = "2025-01-01"
route = "example.com/beta/*"
[[kv_namespaces]]
binding = "KV"
id = "shared"
[[queues.consumers]]
queue = "jobs"
max_batch_timeout = 0
`

const serveBetaJS = `export default {
  fetch(req) { return new Response("beta " + new URL(req.url).pathname); },
  async queue(batch, env) { for (const m of batch.messages) await env.KV.put("got", m.body.v); },
};
`

// TestServeTwoProjects serves two Workers from one state: requests reach
// each by route and by <name>.localhost, a message one sends is consumed by
// the other, exceptions get Cloudflare's production page and /__scheduled is
// the worker's own path.
func TestServeTwoProjects(t *testing.T) {
	alpha := writeWorkerProject(t, serveAlphaTOML, serveAlphaJS)
	beta := writeWorkerProject(t, serveBetaTOML, serveBetaJS)
	s, err := StartServe(ServeOptions{Projects: []string{alpha, beta}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	base := s.URL("http")
	get := func(host, path string) response {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return response{resp.StatusCode, resp.Header, string(b)}
	}
	for _, tc := range []struct{ host, path, want string }{
		{"alpha.example.com", "/", "alpha alpha.example.com/"},
		{"example.com", "/alpha/x", "alpha example.com/alpha/x"},
		{"example.com", "/beta/y", "beta /beta/y"},
		{"beta.localhost", "/z", "beta /z"},
	} {
		if r := get(tc.host, tc.path); r.status != 200 || r.body != tc.want {
			t.Errorf("%s%s: %d %q, want %q", tc.host, tc.path, r.status, r.body, tc.want)
		}
	}
	if r := get("other.example.com", "/"); r.status != 404 || !strings.Contains(r.body, "No Worker is routed for other.example.com/") {
		t.Errorf("unrouted host: %d %q", r.status, r.body)
	}
	// Cloudflare's 128 KB limit on request headers.
	if r := do(t, "GET", base+"/", "", map[string]string{"X-Big": strings.Repeat("a", 200<<10)}); r.status != 431 {
		t.Errorf("200 KB of headers: %d", r.status)
	}
	// Production error page: no stack trace, no message.
	if r := get("alpha.example.com", "/throw"); r.status != 500 || !strings.Contains(r.body, "Error 1101") || strings.Contains(r.body, "secret detail") {
		t.Errorf("exception: %d %q", r.status, r.body)
	}
	// /__scheduled is a dev endpoint: here the worker answers it.
	if r := get("alpha.example.com", "/__scheduled"); r.status != 404 || r.body != "not found" {
		t.Errorf("/__scheduled: %d %q", r.status, r.body)
	}
	if r := get("alpha.example.com", "/cron"); r.body != "none" {
		t.Errorf("/__scheduled ran the cron handler: %q", r.body)
	}
	// The cron trigger's run (as its timer fires it) reaches the handler.
	if ok, msg := s.byName["alpha"].fireCron("0 3 * * *", time.Now()); !ok {
		t.Fatalf("cron run: %s", msg)
	}
	if r := get("alpha.example.com", "/cron"); r.body != "ran" {
		t.Errorf("after the cron run: %q", r.body)
	}
	// alpha produces, beta consumes (into the shared KV namespace).
	if r := get("alpha.example.com", "/send?v=hello"); r.status != 200 {
		t.Fatalf("send: %d %q", r.status, r.body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := get("alpha.example.com", "/got")
		if r.body == "hello" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("beta did not consume the message: KV got = %q", r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeDrains stops the server while a request is in flight: the request
// completes, and new connections are refused.
func TestServeDrains(t *testing.T) {
	dir := writeWorkerProject(t, "name = \"slow\"\nmain = \"index.js\"\n[[kv_namespaces]]\nbinding = \"KV\"\nid = \"bg\"\n", `export default {
  async fetch(req, env, ctx) {
    const path = new URL(req.url).pathname;
    if (path === "/slow") { await new Promise((r) => setTimeout(r, 1000)); return new Response("slow done"); }
    if (path === "/bg") {
      ctx.waitUntil((async () => { await new Promise((r) => setTimeout(r, 2500)); await env.KV.put("bg", "done"); })());
      return new Response("accepted");
    }
    return new Response("ok");
  },
};
`)
	state := t.TempDir()
	s, err := StartServe(ServeOptions{Projects: []string{dir}, HTTP: "127.0.0.1:0", StateDir: state, Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	base := s.URL("http")
	if r := do(t, "GET", base+"/", "", nil); r.body != "ok" {
		t.Fatalf("got %q", r.body)
	}
	// waitUntil work that outlives its response is waited for too.
	if r := do(t, "GET", base+"/bg", "", nil); r.body != "accepted" {
		t.Fatalf("got %q", r.body)
	}
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{string(b), err}
	}()
	// Wait until the request is in the worker (its connection is active).
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.body != "slow done" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Fatal("a stopped server accepted a request")
	}
	st, err := OpenState(state, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if e, err := st.KV().Get(context.Background(), "bg", "bg"); err != nil || string(e.Value) != "done" {
		t.Fatalf("waitUntil work after shutdown: %q %v", e.Value, err)
	}
}

// TestServeConfigErrors: what stops a start is reported with the file.
func TestServeConfigErrors(t *testing.T) {
	a := writeWorkerProject(t, "name = \"same\"\nmain = \"index.js\"\n", "export default { fetch() { return new Response('a') } }")
	b := writeWorkerProject(t, "name = \"same\"\nmain = \"index.js\"\n", "export default { fetch() { return new Response('b') } }")
	_, err := StartServe(ServeOptions{Projects: []string{a, b}, HTTP: "127.0.0.1:0", StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(b, "wrangler.toml")+`: name: "same" is also the name of`) {
		t.Fatalf("duplicate names: %v", err)
	}
	c := writeWorkerProject(t, "name = \"c\"\nmain = \"index.js\"\nroute = \"example.com/*.jpg\"\n", "export default { fetch() { return new Response('c') } }")
	_, err = StartServe(ServeOptions{Projects: []string{c}, HTTP: "127.0.0.1:0", StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "routes: route \"example.com/*.jpg\": * may appear only") {
		t.Fatalf("bad route: %v", err)
	}
	d := writeWorkerProject(t, "name = \"d\"\nmain = \"index.js\"\n[limits]\ncpu_ms = 400000\n", "export default { fetch() { return new Response('d') } }")
	_, err = StartServe(ServeOptions{Projects: []string{d}, HTTP: "127.0.0.1:0", StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "limits.cpu_ms: 400000 is over Cloudflare's maximum of 300000") {
		t.Fatalf("cpu_ms: %v", err)
	}
	if _, err := StartServe(ServeOptions{Projects: []string{a}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Default: "nope"}); err == nil || !strings.Contains(err.Error(), `default worker "nope" is not served (served: same)`) {
		t.Fatalf("default: %v", err)
	}
	if _, err := StartServe(ServeOptions{Projects: []string{a}, HTTP: AddrOff, StateDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "http is off and https is not configured") {
		t.Fatalf("no listener: %v", err)
	}
	// A start that failed after opening the state released it: the same
	// state directory serves again.
	state := t.TempDir()
	if _, err := StartServe(ServeOptions{Projects: []string{a}, HTTP: "256.0.0.1:0", StateDir: state}); err == nil {
		t.Fatal("listening on a bad address worked")
	}
	s, err := StartServe(ServeOptions{Projects: []string{a}, HTTP: "127.0.0.1:0", StateDir: state, Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown(context.Background())
}

// selfSignedCert writes a certificate for localhost and 127.0.0.1 and its
// key as PEM files, and returns their paths and a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost", "*.localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeFeatures serves a Pages project, a Durable Object class used from
// another Worker (script_name), a CPU limit, HTTPS and the REST API together.
func TestServeFeatures(t *testing.T) {
	pagesDir := filepath.Join(examplesDir(t), "pages-hello")
	counter := writeWorkerProject(t, `name = "counter"
main = "index.js"
compatibility_date = "2025-01-01"
workers_dev = false
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
`, `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async fetch() {
    const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
    await this.ctx.storage.put("n", n);
    return new Response(String(n));
  }
}
export default { fetch() { return new Response("counter"); } };
`)
	front := writeWorkerProject(t, `name = "front"
main = "index.js"
compatibility_date = "2025-01-01"
[limits]
cpu_ms = 50
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
script_name = "counter"
[[queues.producers]]
binding = "OUT"
queue = "outbox"
[[queues.consumers]]
queue = "outbox"
type = "http_pull"
`, `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/count") return env.COUNTER.get(env.COUNTER.idFromName("a")).fetch(req);
    if (url.pathname === "/spin") { const end = Date.now() + 5000; while (Date.now() < end) {} return new Response("spun"); }
    if (url.pathname === "/out") { await env.OUT.send("to be pulled", { contentType: "text" }); return new Response("queued"); }
    return new Response("front " + url.protocol);
  },
};
`)
	certFile, keyFile, pool := selfSignedCert(t)
	s, err := StartServe(ServeOptions{
		Projects: []string{pagesDir, counter, front}, StateDir: t.TempDir(), Isolates: 1,
		HTTP: "127.0.0.1:0", HTTPS: "127.0.0.1:0", Cert: certFile, Key: keyFile,
		API: "127.0.0.1:0", APIToken: "t0k", Default: "front",
		S3: "127.0.0.1:0", S3Domains: []string{"s3.test"}, Domains: []string{"apps.test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(base, host, path string) response {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return response{resp.StatusCode, resp.Header, string(b)}
	}
	h := s.URL("http")
	// The Pages project: static files and its Functions.
	if r := get(h, "pages-hello.localhost", "/api/hello"); r.status != 200 || !strings.Contains(r.body, "Hello from the edge!") {
		t.Errorf("pages function: %d %q", r.status, r.body)
	}
	if r := get(h, "pages-hello.localhost", "/"); r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("pages static: %d %v", r.status, r.header)
	}
	// front reaches counter's Durable Object class by script_name.
	for want := 1; want <= 2; want++ {
		if r := get(h, "front.localhost", "/count"); r.status != 200 || r.body != strconv.Itoa(want) {
			t.Fatalf("count: %d %q, want %d", r.status, r.body, want)
		}
	}
	// counter has workers_dev = false: its name is no host; the default
	// worker answers instead.
	if r := get(h, "counter.localhost", "/"); r.body != "front http:" {
		t.Errorf("workers_dev = false: %d %q", r.status, r.body)
	}
	// HTTPS on its own listener.
	if r := get(s.URL("https"), "front.localhost", "/"); r.status != 200 || r.body != "front https:" {
		t.Errorf("https: %d %q", r.status, r.body)
	}
	// cpu_ms = 50: a busy loop is stopped with Cloudflare's error, and the
	// worker serves on.
	if r := get(h, "front.localhost", "/spin"); r.status != 503 || !strings.Contains(r.body, "Error 1102") {
		t.Errorf("cpu limit: %d %q", r.status, r.body)
	}
	if r := get(h, "front.localhost", "/"); r.status != 200 {
		t.Errorf("after the cpu limit: %d %q", r.status, r.body)
	}
	// <worker>.<domain> for the Workers, <bucket>.<s3 domain> for S3: the
	// two do not mix.
	if r := get(h, "front.apps.test", "/"); r.status != 200 || r.body != "front http:" {
		t.Errorf("front.apps.test: %d %q", r.status, r.body)
	}
	if _, err := s.State().R2().CreateBucket(context.Background(), "pics"); err != nil {
		t.Fatal(err)
	}
	key, err := s.S3().Settings().CreateKey(context.Background(), "t", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"pics.s3.test", "pics.apps.test"} {
		req, _ := http.NewRequest("GET", s.S3().URL()+"/?list-type=2", nil)
		req.Host = host
		s3api.Sign(req, key.ID, key.Secret, "auto", time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		virtual := strings.Contains(string(b), "<ListBucketResult") && strings.Contains(string(b), "<Name>pics</Name>")
		if host == "pics.s3.test" && (resp.StatusCode != 200 || !virtual) || host == "pics.apps.test" && virtual {
			t.Errorf("S3 %s: %d %s", host, resp.StatusCode, b)
		}
	}
	// The REST API: a message the worker sends is pulled with the token.
	if r := get(h, "front.localhost", "/out"); r.body != "queued" {
		t.Fatalf("send: %d %q", r.status, r.body)
	}
	pull := func(token string) (int, string) {
		req, _ := http.NewRequest("POST", s.API().URL()+"/accounts/x/queues/outbox/messages/pull", strings.NewReader(`{"batch_size":5}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, _ := pull("wrong"); code != 401 {
		t.Errorf("pull with a wrong token: %d", code)
	}
	if code, body := pull("t0k"); code != 200 || !strings.Contains(body, "to be pulled") {
		t.Errorf("pull: %d %s", code, body)
	}
}

// TestServeServiceBindings: a [[services]] binding runs another served
// Worker's fetch(), with the request body, status, headers and a streamed
// response passing through; a binding to a Worker not served here fails
// with a clear error.
func TestServeServiceBindings(t *testing.T) {
	auth := writeWorkerProject(t, "name = \"auth\"\nmain = \"index.js\"\n", `export default {
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/stream") {
      const enc = new TextEncoder();
      let i = 0;
      return new Response(new ReadableStream({
        async pull(c) {
          if (i === 3) { c.close(); return; }
          await new Promise((r) => setTimeout(r, 20));
          c.enqueue(enc.encode("chunk" + i++ + ";"));
        },
      }), { headers: { "content-type": "text/event-stream" } });
    }
    return Response.json({ method: req.method, path: url.pathname, body: await req.text(), user: req.headers.get("x-user") },
      { status: 201, headers: { "x-auth": "yes" } });
  },
};
`)
	gateway := writeWorkerProject(t, `name = "gateway"
main = "index.js"
[[services]]
binding = "AUTH"
service = "auth"
[[services]]
binding = "GONE"
service = "nowhere"
`, `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/stream") return env.AUTH.fetch("http://auth/stream");
    if (url.pathname === "/pipe") return env.AUTH.fetch("http://auth/piped", { method: "PUT", body: req.body });
    if (url.pathname === "/tee") {
      const { readable, writable } = new TransformStream();
      const w = writable.getWriter();
      (async () => { for (const p of ["a", "b", "c"]) await w.write(new TextEncoder().encode(p)); await w.close(); })();
      return env.AUTH.fetch("http://auth/teed", { method: "POST", body: readable });
    }
    if (url.pathname === "/gone") {
      try { await env.GONE.fetch("http://x/"); return new Response("no error"); }
      catch (e) { return new Response(e.message, { status: 502 }); }
    }
    const r = await env.AUTH.fetch(new Request("http://auth.internal/check", { method: "POST", body: await req.text(), headers: { "x-user": "ann" } }));
    return new Response(r.status + " " + r.headers.get("x-auth") + " " + String(env.AUTH) + " " + (await r.text()));
  },
};
`)
	s, err := StartServe(ServeOptions{Projects: []string{gateway, auth}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 1, Default: "gateway"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	base := s.URL("http")
	r := do(t, "POST", base+"/", "payload", nil)
	if want := `201 yes [object Fetcher] {"method":"POST","path":"/check","body":"payload","user":"ann"}`; r.status != 200 || r.body != want {
		t.Fatalf("service call: %d %q, want %q", r.status, r.body, want)
	}
	if r := do(t, "PUT", base+"/pipe", strings.Repeat("x", 100000), nil); r.status != 201 || !strings.Contains(r.body, `"method":"PUT","path":"/piped","body":"xxxx`) || len(r.body) < 100000 {
		t.Fatalf("request body passed on: %d %.100q", r.status, r.body)
	}
	if r := do(t, "GET", base+"/tee", "", nil); r.status != 201 || !strings.Contains(r.body, `"body":"abc"`) {
		t.Fatalf("stream body: %d %q", r.status, r.body)
	}
	if r := do(t, "GET", base+"/stream", "", nil); r.status != 200 || r.body != "chunk0;chunk1;chunk2;" || r.header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("streamed: %d %q %v", r.status, r.body, r.header)
	}
	if r := do(t, "GET", base+"/gone", "", nil); r.status != 502 || !strings.Contains(r.body, `env.GONE: the Worker "nowhere" of this service binding is not running in this zerostack process`) {
		t.Fatalf("missing service: %d %q", r.status, r.body)
	}
}

// TestServeHTTPSOnly: http = "off" with a certificate serves HTTPS alone.
func TestServeHTTPSOnly(t *testing.T) {
	dir := writeWorkerProject(t, "name = \"tls\"\nmain = \"index.js\"\n", "export default { fetch(req) { return new Response(new URL(req.url).protocol) } };\n")
	certFile, keyFile, pool := selfSignedCert(t)
	s, err := StartServe(ServeOptions{Projects: []string{dir}, HTTP: AddrOff, HTTPS: "127.0.0.1:0", Cert: certFile, Key: keyFile, StateDir: t.TempDir(), Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if s.URL("http") != "" {
		t.Fatalf("http listener %s with http off", s.URL("http"))
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := client.Get(s.URL("https") + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "https:" || resp.ProtoMajor != 2 {
		t.Fatalf("got %q over %s", b, resp.Proto)
	}
}

// TestServeShutdownWithWebSocket: an open WebSocket does not hold a
// graceful stop until its timeout, and its client sees the connection end.
func TestServeShutdownWithWebSocket(t *testing.T) {
	dir := writeWorkerProject(t, "name = \"ws\"\nmain = \"index.js\"\n", `export default {
  fetch(req) {
    if (req.headers.get("upgrade") !== "websocket") return new Response("ws only", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (e) => server.send("echo " + e.data));
    return new Response(null, { status: 101, webSocket: client });
  },
};
`)
	s, err := StartServe(ServeOptions{Projects: []string{dir}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := dialPeer(t, s.URL("http")+"/")
	p.conn.SendText("hi")
	if m := p.next(t); m != "echo hi" {
		t.Fatalf("got %q", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with an open WebSocket: %v", err)
	}
	select {
	case <-p.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the WebSocket stayed open after shutdown")
	}
}

// TestDevServiceBindingToAWorkerNotRunning: in dev, a [[services]] binding
// to a Worker that is not part of the session (no --config for it) fails
// when called, saying so.
func TestDevServiceBindingToAWorkerNotRunning(t *testing.T) {
	dir := writeWorkerProject(t, "name = \"gw\"\nmain = \"index.js\"\n[[services]]\nbinding = \"AUTH\"\nservice = \"auth\"\n", `export default {
  async fetch(req, env) {
    try { await env.AUTH.fetch("http://auth/"); return new Response("called"); }
    catch (e) { return new Response(e.message); }
  },
};
`)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	if r := do(t, "GET", d.URL()+"/", "", nil); !strings.Contains(r.body, `env.AUTH: the Worker "auth" of this service binding is not running`) {
		t.Fatalf("got %q", r.body)
	}
}
