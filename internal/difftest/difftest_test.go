// Package difftest runs the same workers on workerd (the Workers runtime,
// pinned in tools/workerd) and on zerostack and compares what they answer.
// Each testdata/*.js probe returns a JSON object of named results; every
// name must agree, except those listed in testdata/known_differences.txt.
// That list is a ratchet: an entry that starts to agree fails the test
// until it is removed.
package difftest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/worker"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func getJSON(t *testing.T, url string) map[string]json.RawMessage {
	t.Helper()
	var last error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: not JSON (%d): %.500s", url, resp.StatusCode, b)
		}
		return m
	}
	t.Fatalf("%s: %v", url, last)
	return nil
}

// runWorkerd serves the probe with workerd and returns its answer.
func runWorkerd(t *testing.T, probe string) map[string]json.RawMessage {
	bin, _ := filepath.Abs("../../tools/workerd/node_modules/.bin/workerd")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("workerd is not installed (%v): run `make deps`", err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(probe)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "probe.js"), src, 0o644)
	port := freePort(t)
	cfg := fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:%d", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "probe.js", esModule = embed "probe.js") ],
  compatibilityDate = "2025-07-18",%s
  globalOutbound = "internet",
);
`, port, nodeFlags(probe))
	os.WriteFile(filepath.Join(dir, "config.capnp"), []byte(cfg), 0o644)
	cmd := exec.Command(bin, "serve", "config.capnp")
	cmd.Dir = dir
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("workerd output:\n%s", logs.String())
		}
	}()
	return getJSON(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
}

// runZerostack serves the probe with zerostack's worker runtime.
func runZerostack(t *testing.T, probe string) map[string]json.RawMessage {
	b, err := worker.MakeBundle(worker.BundleOptions{Entry: probe, Dir: filepath.Dir(probe), NodeCompat: nodeProbe(probe)})
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{Name: "probe", Bundle: b, Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: w}
	go srv.Serve(ln)
	defer srv.Close()
	return getJSON(t, "http://"+ln.Addr().String()+"/")
}

// nodeProbe reports whether a probe runs with the nodejs_compat flag: the
// probes named node_*.js.
func nodeProbe(probe string) bool {
	return strings.HasPrefix(filepath.Base(probe), "node_")
}

// nodeFlags is the workerd configuration line for a probe's compatibility
// flags.
func nodeFlags(probe string) string {
	if nodeProbe(probe) {
		return "\n  compatibilityFlags = [\"nodejs_compat\"],"
	}
	return ""
}

func loadKnown(t *testing.T) map[string]bool {
	known := map[string]bool{}
	f, err := os.Open("testdata/known_differences.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		known[strings.Fields(line)[0]] = true
	}
	return known
}

func TestSameAsWorkerd(t *testing.T) {
	probes, _ := filepath.Glob("testdata/*.js")
	if len(probes) == 0 {
		t.Fatal("no probes")
	}
	known := loadKnown(t)
	seen := map[string]bool{}
	for _, p := range probes {
		p, _ := filepath.Abs(p)
		name := strings.TrimSuffix(filepath.Base(p), ".js")
		t.Run(name, func(t *testing.T) {
			want := runWorkerd(t, p)
			got := runZerostack(t, p)
			keys := make([]string, 0, len(want))
			for k := range want {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				id := name + ":" + k
				seen[id] = true
				same := string(want[k]) == string(got[k])
				switch {
				case !same && !known[id]:
					t.Errorf("%s differs:\n  workerd:   %s\n  zerostack: %s", id, want[k], got[k])
				case same && known[id]:
					t.Errorf("%s now agrees with workerd: remove it from testdata/known_differences.txt", id)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s:%s: only zerostack answered", name, k)
				}
			}
		})
	}
	for id := range known {
		if !seen[id] {
			t.Errorf("known difference %s names no probe result", id)
		}
	}
}
