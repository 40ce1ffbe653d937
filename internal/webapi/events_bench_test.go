package webapi

import (
	"runtime"
	"testing"
)

// benchAreaJS runs body (a JavaScript function body) b.N times in one runtime
// and reports the time per call. setup runs once first.
func benchAreaJS(b *testing.B, setup, body string) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	s, err := r.Iso.Compile(setup+"\n;globalThis.__bench = function () {\n"+body+"\n};", "bench.js", nil)
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := fn.Call()
		if err != nil {
			b.Fatal(err)
		}
		v.Release()
	}
}

func BenchmarkConsoleLogString(b *testing.B) {
	benchAreaJS(b, "", `for (let i = 0; i < 100; i++) console.log("a plain log line");`)
}

func BenchmarkConsoleLogObject(b *testing.B) {
	benchAreaJS(b, `const o = { id: 42, name: "zerostack", tags: ["a", "b"], nested: { ok: true } };`,
		`for (let i = 0; i < 100; i++) console.log("req", o);`)
}

func BenchmarkDispatchEvent(b *testing.B) {
	benchAreaJS(b, `const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++); t.addEventListener("x", () => n++);`,
		`for (let i = 0; i < 100; i++) t.dispatchEvent(new Event("x"));`)
}

func BenchmarkAbortController(b *testing.B) {
	benchAreaJS(b, "", `for (let i = 0; i < 100; i++) { const c = new AbortController(); c.signal.addEventListener("abort", () => {}); c.abort(); }`)
}

func BenchmarkBlobText(b *testing.B) {
	benchAreaJS(b, `const parts = ["hello ", new Uint8Array(1024), " world"];`,
		`for (let i = 0; i < 100; i++) new Blob(parts).slice(3, 900).arrayBuffer();`)
}

func BenchmarkMultipartRoundTrip(b *testing.B) {
	benchAreaJS(b, `const fd = new FormData(); fd.append("a", "1"); fd.append("f", new File([new Uint8Array(4096)], "f.bin"));`,
		`for (let i = 0; i < 10; i++) new Response(fd).formData();`)
}

func BenchmarkStructuredClone(b *testing.B) {
	benchAreaJS(b, `const v = { id: 1, list: [1, 2, 3, "x"], when: new Date(0), m: new Map([["k", { a: 1 }]]), u8: new Uint8Array(64) };`,
		`for (let i = 0; i < 100; i++) structuredClone(v);`)
}

func BenchmarkAreaBaseline(b *testing.B) {
	benchAreaJS(b, `let sink;`, `for (let i = 0; i < 100; i++) sink = { i, a: [i] };`)
}

func BenchmarkDOMException(b *testing.B) {
	benchAreaJS(b, `let sink;`, `for (let i = 0; i < 100; i++) sink = new DOMException("The operation was aborted", "AbortError");`)
}

func BenchmarkPlainError(b *testing.B) {
	benchAreaJS(b, `let sink;`, `for (let i = 0; i < 100; i++) sink = new Error("The operation was aborted");`)
}
