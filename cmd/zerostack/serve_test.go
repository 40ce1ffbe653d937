package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/s3api"
)

var testBin struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if testBin.dir != "" {
		os.RemoveAll(testBin.dir)
	}
	os.Exit(code)
}

// testBinary builds the real zerostack binary once for all the tests of
// this package that run it, and returns its path.
func testBinary(t *testing.T) string {
	t.Helper()
	b := &testBin
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "zerostack-serve-test"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "zerostack")
		b.out, b.err = exec.Command("go", "build", "-o", b.path, ".").CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("build: %v\n%s", b.err, b.out)
	}
	return b.path
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// serveLog collects the JSON log lines of a running `zerostack serve`.
type serveLog struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
	ready chan map[string]any
}

func (l *serveLog) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var m map[string]any
		l.mu.Lock()
		l.raw.WriteString(sc.Text() + "\n")
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			l.lines = append(l.lines, m)
			if m["msg"] == "zerostack serve ready" {
				l.ready <- m
			}
		}
		l.mu.Unlock()
	}
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// TestServeCommand runs the real binary's `zerostack serve` with two projects
// and a zerostack.toml: routing by host, the S3 listener (unsigned and with a
// key made by `zerostack r2 token create`), /__scheduled left to the worker,
// and SIGTERM draining a slow request.
func TestServeCommand(t *testing.T) {
	bin := testBinary(t)
	root := t.TempDir()
	httpAddr, s3Addr := freeAddr(t), freeAddr(t)
	writeFiles(t, root, map[string]string{
		"zerostack.toml": "[serve]\nprojects = [\"api\", \"web\"]\nhttp = \"" + httpAddr + "\"\ns3 = \"" + s3Addr + "\"\nlog_format = \"text\"\nshutdown_timeout = \"20s\"\n",
		"api/wrangler.toml": `name = "api"
main = "index.js"
routes = ["api.example.com/*"]
[[r2_buckets]]
binding = "FILES"
bucket_name = "files"
`,
		"api/index.js": `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/slow") { await new Promise((r) => setTimeout(r, 1500)); return new Response("slow done"); }
    if (url.pathname === "/put") { await env.FILES.put("hello.txt", "from the worker"); return new Response("stored"); }
    if (url.pathname === "/") return new Response("api here");
    return new Response("no such path", { status: 404 });
  },
  async scheduled(event, env) { await env.FILES.put("cron.txt", "ran"); },
};
`,
		"web/wrangler.toml": "name = \"web\"\nmain = \"index.js\"\nroute = \"www.example.com/*\"\n",
		"web/index.js":      "export default { fetch(req) { return new Response('web here'); } };\n",
	})
	// --log-format json overrides the file's text.
	cmd := exec.Command(bin, "serve", filepath.Join(root, "zerostack.toml"), "--log-format", "json")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	logs := &serveLog{ready: make(chan map[string]any, 1)}
	go logs.read(stderr)
	var ready map[string]any
	select {
	case ready = <-logs.ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("zerostack serve did not log ready:\n%s", logs)
	}
	if ready["http"] != "http://"+httpAddr || ready["s3"] != "http://"+s3Addr {
		t.Fatalf("ready line %v does not name the listeners %s and %s", ready, httpAddr, s3Addr)
	}
	if !strings.Contains(logs.String(), `"msg":"worker","name":"api"`) || !strings.Contains(logs.String(), `"FILES (R2 files)"`) {
		t.Fatalf("no startup line for the api worker and its bindings:\n%s", logs)
	}

	get := func(host, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+httpAddr+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := get("api.example.com", "/"); code != 200 || body != "api here" {
		t.Fatalf("api: %d %q", code, body)
	}
	if code, body := get("www.example.com", "/"); code != 200 || body != "web here" {
		t.Fatalf("web: %d %q", code, body)
	}
	if code, body := get("web.localhost", "/"); code != 200 || body != "web here" {
		t.Fatalf("web.localhost: %d %q", code, body)
	}
	if code, body := get("api.example.com", "/__scheduled"); code != 404 || body != "no such path" {
		t.Fatalf("/__scheduled in serve: %d %q (want the worker's own 404)", code, body)
	}
	if code, body := get("api.example.com", "/put"); code != 200 || body != "stored" {
		t.Fatalf("put: %d %q", code, body)
	}

	// S3: unsigned requests are refused with S3's XML error.
	resp, err := http.Get("http://" + s3Addr + "/files/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>AccessDenied</Code>") {
		t.Fatalf("unsigned S3 request: %d %s", resp.StatusCode, b)
	}
	// A key created by the CLI in the server's state directory works at once.
	state := filepath.Join(root, ".zerostack", "state")
	if ready["state"] != state {
		t.Fatalf("state dir %v, want %s", ready["state"], state)
	}
	out, err := exec.Command(bin, "r2", "token", "create", "--persist-to", state, "--json").Output()
	if err != nil {
		t.Fatalf("r2 token create: %v", err)
	}
	var key struct {
		ID     string `json:"access_key_id"`
		Secret string `json:"secret_access_key"`
	}
	if err := json.Unmarshal(out, &key); err != nil || key.ID == "" || key.Secret == "" {
		t.Fatalf("token JSON %s: %v", out, err)
	}
	req, _ := http.NewRequest("GET", "http://"+s3Addr+"/files/hello.txt", nil)
	s3api.Sign(req, key.ID, key.Secret, "auto", time.Now())
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "from the worker" {
		t.Fatalf("signed S3 GET: %d %s", resp.StatusCode, b)
	}

	// SIGTERM with a slow request in flight: it completes, then the
	// process exits 0.
	slow := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+httpAddr+"/slow", nil)
		req.Host = "api.example.com"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- strconv.Itoa(resp.StatusCode) + " " + string(b)
	}()
	time.Sleep(400 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case got := <-slow:
		if got != "200 slow done" {
			t.Fatalf("in-flight request across SIGTERM: %s\n%s", got, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the in-flight request did not finish")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("zerostack serve did not stop on SIGTERM")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no stopped line:\n%s", logs)
	}
}

// TestServeBadConfig: a mistake in zerostack.toml stops the start with the
// file, line and column.
func TestServeBadConfig(t *testing.T) {
	bin := testBinary(t)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"zerostack.toml":    "[serve]\nhttp = \"127.0.0.1:0\"\nlisten = \":80\"\n",
		"wrangler.toml":     "name = \"w\"\nmain = \"index.js\"\n",
		"index.js":          "export default { fetch() { return new Response('x') } };\n",
		"bad/wrangler.toml": "name = \"w\"\nmain = \"index.js\"\nroute = \"example.com/*.jpg\"\n",
		"bad/index.js":      "export default { fetch() { return new Response('x') } };\n",
	})
	var errOut strings.Builder
	cmd := exec.Command(bin, "serve", filepath.Join(root, "zerostack.toml"), root)
	cmd.Stderr = &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	if want := filepath.Join(root, "zerostack.toml") + `:3:1: serve: unknown key "listen"`; !strings.Contains(errOut.String(), want) {
		t.Fatalf("stderr %q does not contain %q", errOut.String(), want)
	}
	errOut.Reset()
	cmd = exec.Command(bin, "serve", filepath.Join(root, "bad"), "--http", "127.0.0.1:0")
	cmd.Stderr = &errOut
	if err := cmd.Run(); err == nil || !strings.Contains(errOut.String(), filepath.Join(root, "bad", "wrangler.toml")+`: routes: route "example.com/*.jpg": * may appear only`) {
		t.Fatalf("bad route: %v %q", err, errOut.String())
	}
}
