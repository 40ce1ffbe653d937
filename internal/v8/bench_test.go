package v8

import (
	"runtime"
	"testing"
)

// BenchmarkHostCall measures one JavaScript → Go call with n arguments,
// from a loop in JavaScript (so the Go → JS entry is amortised).
func BenchmarkHostCall(b *testing.B) {
	for _, tc := range []struct {
		name string
		js   string
	}{
		{"args0", "h.nop()"},
		{"args1int", "h.nop(1)"},
		{"args3", "h.nop(1, 'abc', 2)"},
		{"args1read", "h.readStr('hello world')"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			i, err := New(Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer i.Close()
			i.Func("nop", func(c *Call) (any, error) { return nil, nil })
			i.Func("readStr", func(c *Call) (any, error) { _ = c.String(0); return nil, nil })
			s, err := i.Compile("globalThis.loop = (n) => { const h = __zs_host; for (let k = 0; k < n; k++) "+tc.js+"; }", "b.js", nil)
			if err != nil {
				b.Fatal(err)
			}
			v, _ := s.Run()
			v.Release()
			f, _ := i.Global("loop")
			defer f.Release()
			b.ResetTimer()
			v, err = f.Call(b.N)
			if err != nil {
				b.Fatal(err)
			}
			v.Release()
		})
	}
}

// BenchmarkGoToJS measures a Go → JavaScript call with one string argument.
func BenchmarkGoToJS(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	i, _ := New(Options{})
	defer i.Close()
	s, _ := i.Compile("globalThis.f = (s) => s.length", "b.js", nil)
	v, _ := s.Run()
	v.Release()
	f, _ := i.Global("f")
	defer f.Release()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		v, _ := f.Call("GET\nhttp://localhost/\nUS\nHTTP/1.1\nhost\nlocalhost\n")
		v.Release()
	}
}
