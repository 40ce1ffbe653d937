package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// startBenchProject serves files from a temporary directory with one
// isolate; pages selects `zerostack pages dev`.
func startBenchProject(b *testing.B, files map[string]string, pages bool) *Dev {
	b.Helper()
	dir := b.TempDir()
	writeTree(b, dir, files)
	var po *PagesOptions
	if pages {
		po = &PagesOptions{ProjectDir: dir, Dir: filepath.Join(dir, "public")}
	}
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: b.TempDir(), Pages: po,
		Console: func(level, msg string) {}})
	if err != nil {
		b.Fatalf("start: %v", err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
	})
	return d
}

// BenchmarkFunctionVsWorker serves the same handler as a Pages Function
// and as a Worker, in process (no network): the difference per request is
// what the Functions router and the Pages routing add (issue 7's goal: a
// Function route costs no more than the equivalent Worker route;
// bench/pages.sh measures it over HTTP).
func BenchmarkFunctionVsWorker(b *testing.B) {
	const handler = `() => new Response("Hello from the edge!")`
	cases := []struct {
		name  string
		files map[string]string
		pages bool
		path  string
	}{
		{"function", map[string]string{
			"public/index.html":      "<h1>bench</h1>",
			"functions/api/hello.js": "export const onRequest = " + handler + ";\n",
		}, true, "/api/hello"},
		{"worker", map[string]string{
			"wrangler.toml": "name = \"bench-worker\"\nmain = \"src/index.js\"\ncompatibility_date = \"2025-07-18\"\n",
			"src/index.js":  "export default { fetch: " + handler + " };\n",
		}, false, "/"},
		{"worker-async", map[string]string{
			"wrangler.toml": "name = \"bench-worker\"\nmain = \"src/index.js\"\ncompatibility_date = \"2025-07-18\"\n",
			"src/index.js":  "export default { async fetch() { return new Response(\"Hello from the edge!\"); } };\n",
		}, false, "/"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := startBenchProject(b, c.files, c.pages)
			h := d.srv.Handler
			req := httptest.NewRequest("GET", "http://localhost"+c.path, nil)
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || rec.Body.Len() != 20 {
					b.Fatalf("%s: %d %q", c.path, rec.Code, rec.Body.String())
				}
			}
			// CPU time (every thread, V8's included) is steadier than
			// wall time on a shared machine.
			b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the user and system time of the whole process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
