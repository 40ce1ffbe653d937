package binding_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/vectorizelocal"
	"github.com/zerostack/zerostack/internal/worker"
)

const vectorizeBenchWorker = `
let pool = null;
export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    const tag = u.searchParams.get("tag"), numbers = u.searchParams.has("numbers");
    if (!pool) {
      pool = [];
      for (let i = 0; i < 1000; i++) {
        const f = new Float32Array(768);
        for (let j = 0; j < 768; j++) f[j] = Math.random() * 2 - 1;
        pool.push(numbers ? Array.from(f) : f);
      }
    }
    await env.VEC.insert(pool.map((values, i) => ({ id: tag + "-" + i, values, metadata: { i } })));
    return new Response("ok");
  },
};`

// BenchmarkVectorizeInsert inserts 1,000 vectors of 768 dimensions per op
// through env.VEC.insert (Float32Array and number[] values) and reports
// vectors/s and the process's CPU time per vector (user+system, every
// thread: the worker's JavaScript, the binding and the store). The index
// never gets a graph here, so this is the insert path alone;
// bench/vectorize-binding.sh measures inserts through zerostack dev with
// the background graph build.
func BenchmarkVectorizeInsert(b *testing.B) {
	for _, kind := range []string{"float32", "numbers"} {
		b.Run(kind, func(b *testing.B) {
			dir := b.TempDir()
			store, err := vectorizelocal.Open(filepath.Join(dir, "v.sqlite"), vectorizelocal.Options{HNSWThreshold: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			if _, err := store.CreateIndex(context.Background(), "bench", "", vectorize.IndexConfig{Dimensions: 768, Metric: vectorize.Cosine}); err != nil {
				b.Fatal(err)
			}
			entry := filepath.Join(dir, "index.js")
			os.WriteFile(entry, []byte(vectorizeBenchWorker), 0o644)
			bundle, err := worker.MakeBundle(worker.BundleOptions{Entry: entry, Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			w, err := worker.New(worker.Config{Name: "bench", Bundle: bundle, Dev: true, Isolates: 1,
				Extensions: []worker.Extension{binding.VectorizeExtension(store, nil)},
				Bindings:   []worker.Binding{binding.Vectorize("VEC", "bench", "")}})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			srv := httptest.NewServer(w)
			defer srv.Close()
			q := ""
			if kind == "numbers" {
				q = "&numbers=1"
			}
			get := func(tag string) {
				resp, err := http.Get(srv.URL + "/?tag=" + tag + q)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%d %s", resp.StatusCode, body)
				}
			}
			get("warm")
			b.ResetTimer()
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				get(fmt.Sprint(i))
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "vectors/s")
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N*1000), "cpu-µs/vector")
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
