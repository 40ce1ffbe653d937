package webapi

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
)

// benchJS runs body (JavaScript using the loop variable i) b.N times in a
// fresh Runtime, in tasks of up to 1000 iterations that end as a request's
// task ends (values handed to JavaScript are released), so the figure is the
// per-iteration cost inside V8, host calls included.
func benchJS(b *testing.B, setup, body string) {
	benchJSOpts(b, Options{}, setup, body)
}

func benchJSOpts(b *testing.B, opts Options, setup, body string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	src := "(function(){" + setup + "; globalThis.__bench = function(n) { let sink; for (let i = 0; i < n; i++) {" + body + "} return sink === undefined ? 0 : 1; }; })()"
	s, err := r.Iso.Compile(src, "bench.js", nil)
	if err != nil {
		b.Fatal(err)
	}
	v, err := s.Run()
	if err != nil {
		b.Fatal(err)
	}
	v.Release()
	fn, err := r.Iso.Global("__bench")
	if err != nil {
		b.Fatal(err)
	}
	defer fn.Release()
	run := func(n int) {
		for n > 0 {
			k := min(n, 1000)
			v, err := fn.Call(k)
			if err != nil {
				b.Fatal(err)
			}
			v.Release()
			r.Iso.EndTask()
			n -= k
		}
	}
	run(2000) // warm up the JIT
	b.ResetTimer()
	cpu0 := threadCPU()
	run(b.N)
	if os.Getenv("URL_BENCH_CPU") != "" {
		// On a loaded machine wall time is noisy; the isolate thread's CPU
		// time is the figure to compare.
		b.ReportMetric(float64(threadCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// threadCPU returns the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const benchURL = `"https://example.com/api/users/123?x=1"`

// BenchmarkURLParseFast: new URL(request.url) on an already canonical URL
// (the JS fast path) plus reading pathname and a search parameter.
func BenchmarkURLParseFast(b *testing.B) {
	benchJS(b, "const s = "+benchURL, `const u = new URL(s); sink = u.pathname + u.searchParams.get("x");`)
}

// BenchmarkURLParseGo: the same URL through the Go parser (an IPv4 base
// URL disables the fast path; the base is parsed too: two parses).
func BenchmarkURLParseGo(b *testing.B) {
	benchJS(b, "const s = "+benchURL, `const u = new URL(s, "http://1.1.1.1/"); sink = u.pathname + u.searchParams.get("x");`)
}

// BenchmarkURLParseGoIDNA: a host that needs UTS #46 always goes to Go.
func BenchmarkURLParseGoIDNA(b *testing.B) {
	benchJS(b, `const s = "https://bücher.example/api/users/123?x=1"`, `const u = new URL(s); sink = u.pathname + u.searchParams.get("x");`)
}

// BenchmarkURLResolveFast: new URL("/path", base), both on the fast path.
func BenchmarkURLResolveFast(b *testing.B) {
	benchJS(b, "const base = "+benchURL, `const u = new URL("/api/v2/items?id=7", base); sink = u.href;`)
}

// BenchmarkURLParseNonCanonical: a URL that needs normalizing (upper-case
// host), still on the fast path.
func BenchmarkURLParseNonCanonical(b *testing.B) {
	benchJS(b, `const s = "https://EXAMPLE.com/api/users/123?x=1"`, `const u = new URL(s); sink = u.pathname + u.searchParams.get("x");`)
}

// BenchmarkURLParseOnly: the constructor alone, fast path.
func BenchmarkURLParseOnly(b *testing.B) {
	benchJS(b, "const s = "+benchURL, `sink = new URL(s);`)
}

// BenchmarkURLSetSearchParam: a searchParams mutation that rewrites href.
func BenchmarkURLSetSearchParam(b *testing.B) {
	benchJS(b, "const s = "+benchURL, `const u = new URL(s); u.searchParams.set("y", "2"); sink = u.href;`)
}

// BenchmarkURLPatternExec: routing a request URL with a compiled pattern.
func BenchmarkURLPatternExec(b *testing.B) {
	benchJS(b, "const s = "+benchURL+`; const p = new URLPattern({ pathname: "/api/users/:id" })`, `sink = p.exec(s).pathname.groups.id;`)
}

// BenchmarkURLPatternCompile: constructing a pattern.
func BenchmarkURLPatternCompile(b *testing.B) {
	benchJS(b, "", `sink = new URLPattern({ pathname: "/api/users/:id" });`)
}

// BenchmarkURLParseGoNative: the Go parser and serializer alone.
func BenchmarkURLParseGoNative(b *testing.B) {
	for i := 0; i < b.N; i++ {
		u := parseURL("https://example.com/api/users/123?x=1", nil)
		u.serialize()
	}
}

// BenchmarkURLProxyRewrite: what a proxy Worker does per request: parse,
// point the URL at another origin and read href (JS fast setters).
func BenchmarkURLProxyRewrite(b *testing.B) {
	benchJS(b, "const s = "+benchURL, `const u = new URL(s); u.hostname = "backend.internal"; u.port = "8080"; u.pathname = "/v2" + u.pathname; sink = u.href;`)
}

// BenchmarkHostCallOverhead measures a host call that takes a string and
// returns one (what urlParse does), with no work in Go: the fixed cost that
// the JS fast paths avoid.
func BenchmarkHostCallOverhead(b *testing.B) {
	opts := Options{Setup: func(r *Runtime) {
		r.Func("benchEcho", func(c *v8.Call) (any, error) { return c.String(0), nil })
		// Keep a reference to the host object, which the prelude hides.
		s, err := r.Iso.Compile("globalThis.__benchHost = globalThis.__zs_host;", "setup.js", nil)
		if err != nil {
			b.Fatal(err)
		}
		v, err := s.Run()
		if err != nil {
			b.Fatal(err)
		}
		v.Release()
	}}
	benchJSOpts(b, opts, "const h = globalThis.__benchHost, s = "+benchURL, `sink = h.benchEcho(s);`)
}
