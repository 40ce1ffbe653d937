package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bigBundle writes a worker of about size bytes: many small functions, as
// a framework-heavy bundle has.
func bigBundle(tb testing.TB, size int) *Bundle {
	tb.Helper()
	dir := tb.TempDir()
	var sb strings.Builder
	for n := 0; sb.Len() < size; n++ {
		fmt.Fprintf(&sb, "export function f%d(a, b) { const x = a * %d + b; if (x > %d) { return String(x).padStart(8, '0'); } return [a, b, x].map((v) => v + 1).join(','); }\n", n, n, n*7)
	}
	os.WriteFile(filepath.Join(dir, "lib.js"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("import * as lib from './lib.js';\nexport default { fetch() { return new Response(lib.f1(1, 2)); } };\n"), 0o644)
	b, err := MakeBundle(BundleOptions{Entry: filepath.Join(dir, "index.js"), Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkIsolateStart1MB measures a new isolate for a 1 MB bundle once the
// worker's code cache exists (the goal: < 20 ms).
func BenchmarkIsolateStart1MB(b *testing.B) {
	bundle := bigBundle(b, 1<<20)
	w, err := New(Config{Name: "big", Bundle: bundle, Isolates: 1, CPULimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	b.ReportMetric(float64(len(bundle.Script))/1e6, "MB")
	b.ResetTimer()
	var total time.Duration
	for n := 0; n < b.N; n++ {
		start := time.Now()
		i, err := w.startIsolate()
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		i.stop()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/isolate")
}
