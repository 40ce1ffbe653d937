package binding_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/d1/d1local"
	"github.com/zerostack/zerostack/internal/kv/kvlocal"
	"github.com/zerostack/zerostack/internal/r2/r2local"
	"github.com/zerostack/zerostack/internal/worker"
)

// env is a worker running testdata/bindings.js over fresh embedded stores.
type env struct {
	srv   *httptest.Server
	state string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	kvs, err := kvlocal.Open(filepath.Join(state, "kv.sqlite"), kvlocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d1m, err := d1local.Open(filepath.Join(state, "d1"), d1local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2s, err := r2local.Open(filepath.Join(state, "r2"), r2local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := d1m.Create(t.Context(), "test-db", "")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/bindings.js")
	if err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "index.js")
	if err := os.WriteFile(entry, src, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := worker.MakeBundle(worker.BundleOptions{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Name: "bindings-test", Bundle: b, Dev: true, Isolates: 1,
		Extensions: []worker.Extension{binding.Extension(binding.Services{KV: kvs, D1: d1m, R2: r2s, R2Multipart: r2s})},
		Bindings: []worker.Binding{
			binding.KV("KV", "ns1"), binding.KV("KV2", "ns2"),
			binding.D1("DB", info.UUID),
			binding.R2("BUCKET", "bucket-one"),
		},
		Console: func(level, msg string) { t.Log(level, msg) },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() {
		srv.Close()
		w.Close()
		kvs.Close()
		d1m.Close()
		r2s.Close()
	})
	return &env{srv: srv, state: state}
}

// run runs the named test of testdata/bindings.js and fails t with the
// JavaScript assertion that failed, if any.
func (e *env) run(t *testing.T, name string, body io.Reader) {
	t.Helper()
	method := "GET"
	if body != nil {
		method = "POST"
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/"+name, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil || !out.OK {
		t.Fatalf("%s: %d %s", name, resp.StatusCode, b)
	}
}

// TestBindings runs every test in testdata/bindings.js, each in its own
// request.
func TestBindings(t *testing.T) {
	src, err := os.ReadFile("testdata/bindings.js")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	names := regexp.MustCompile(`(?m)^  async (\w+)\(`).FindAllStringSubmatch(string(src), -1)
	if len(names) < 10 {
		t.Fatalf("found only %d tests", len(names))
	}
	t.Cleanup(func() { checkStateFiles(t, e.state) })
	for _, m := range names {
		if m[1] == "fetch" || m[1] == "streamPut" || m[1] == "r2Unread" {
			continue
		}
		t.Run(m[1], func(t *testing.T) { e.run(t, m[1], nil) })
	}
}

// TestR2StreamedPut sends a request body straight into R2 (a Go reader
// passed through) and reads it back ranged.
func TestR2StreamedPut(t *testing.T) {
	e := newEnv(t)
	e.run(t, "streamPut", strings.NewReader(strings.Repeat("0123456789", 100_000)))
}

// checkStateFiles fails t if a key (the tests' hostile keys contain
// "hostile") became a file name in the state directory, or if anything was
// written next to it.
func checkStateFiles(t *testing.T, state string) {
	filepath.Walk(state, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.Contains(fi.Name(), "hostile") {
			t.Errorf("key used as a file name: %s", p)
		}
		return nil
	})
	ents, _ := os.ReadDir(filepath.Dir(state))
	for _, e := range ents {
		if e.Name() != "state" && e.Name() != "index.js" {
			t.Errorf("unexpected file next to the state directory: %s", e.Name())
		}
	}
}

// TestR2UnreadBodiesHoldNoFiles gets objects 3000 times without reading
// their bodies: no file descriptor may stay open for them.
func TestR2UnreadBodiesHoldNoFiles(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	e := newEnv(t)
	before, _ := os.ReadDir("/proc/self/fd")
	for i := 0; i < 10; i++ {
		e.run(t, "r2Unread", nil)
	}
	after, _ := os.ReadDir("/proc/self/fd")
	if len(after)-len(before) > 20 {
		t.Fatalf("open files grew from %d to %d", len(before), len(after))
	}
}
