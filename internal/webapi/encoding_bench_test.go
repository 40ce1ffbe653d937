package webapi

import (
	"runtime"
	"strconv"
	"testing"
)

// encodingBenchJS drives both UTF-8 codec paths of js/encoding.js (pure
// JavaScript, and Go through the scratch area) and the public API, reps
// times per call, on ASCII or mixed text of a given size in bytes.
const encodingBenchJS = `(function () {
const h = globalThis.__bench_host;
delete globalThis.__bench_host;
const P = h.encodingPaths;
const cache = new Map();
function input(kind, size) {
  const key = kind + ":" + size;
  let v = cache.get(key);
  if (v) return v;
  let s = "";
  const unit = kind === "ascii" ? "Hello, world! 0123456789 abcdefghijklmnopqrstuvwxyz\n" : "Grüße, мир! 你好 \u{1f600} caf\u00e9 ";
  while (new TextEncoder().encode(s).length < size) s += unit;
  let b = new TextEncoder().encode(s).subarray(0, size);
  // cut at a character boundary
  let end = b.length;
  while (end > 0 && (b[end - 1] & 0xc0) === 0x80) end--;
  if (end > 0 && b[end - 1] >= 0xc0) end--;
  b = b.slice(0, kind === "ascii" ? size : end);
  s = new TextDecoder().decode(b);
  v = { s, b };
  cache.set(key, v);
  return v;
}
const td = new TextDecoder(), te = new TextEncoder();
globalThis.__bench = function (op, kind, size, reps) {
  const { s, b } = input(kind, size);
  let x = 0;
  switch (op) {
    case "decJS": for (let i = 0; i < reps; i++) x += P.decodeJS(b).length; break;
    case "decGo": for (let i = 0; i < reps; i++) x += P.decodeGo(b).length; break;
    case "decAPI": for (let i = 0; i < reps; i++) x += td.decode(b).length; break;
    case "encJS": for (let i = 0; i < reps; i++) x += P.encodeJS(s).length; break;
    case "encGo": for (let i = 0; i < reps; i++) x += P.encodeGo(s).length; break;
    case "encAPI": for (let i = 0; i < reps; i++) x += te.encode(s).length; break;
  }
  return x;
};
})();`

// BenchmarkEncoding measures TextDecoder/TextEncoder's UTF-8 paths; ns/op is
// per codec call. It chose the thresholds in js/encoding.js (JavaScript below
// 1 KiB, Go from there).
func BenchmarkEncoding(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := New(Options{Setup: func(r *Runtime) {
		s, err := r.Iso.Compile("globalThis.__bench_host = globalThis.__zs_host;", "bench-setup", nil)
		if err != nil {
			b.Fatal(err)
		}
		v, err := s.Run()
		if err != nil {
			b.Fatal(err)
		}
		v.Release()
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	s, err := r.Iso.Compile(encodingBenchJS, "bench", nil)
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
	for _, size := range []int{100, 256, 512, 1024, 16 << 10, 1 << 20} {
		for _, kind := range []string{"ascii", "mixed"} {
			for _, op := range []string{"decJS", "decGo", "decAPI", "encJS", "encGo", "encAPI"} {
				b.Run(op+"/"+kind+"/"+sizeName(size), func(b *testing.B) {
					reps := max(1, (64<<10)/size)
					b.SetBytes(int64(size))
					for i := 0; i < b.N; i += reps {
						v, err := fn.Call(op, kind, size, min(reps, b.N-i))
						if err != nil {
							b.Fatal(err)
						}
						v.Release()
						r.Iso.EndTask()
					}
				})
			}
		}
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
