package v8

import (
	"errors"
	"strings"
	"testing"
)

func newTestIsolate(t *testing.T) *Isolate {
	t.Helper()
	i, err := New(Options{ScratchBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(i.Close)
	return i
}

func run(t *testing.T, i *Isolate, src string) Value {
	t.Helper()
	s, err := i.Compile(src, "test.js", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestHostFuncRoundTrip(t *testing.T) {
	i := newTestIsolate(t)
	i.Func("add", func(c *Call) (any, error) { return c.Int(0) + c.Int(1), nil })
	i.Func("upper", func(c *Call) (any, error) { return strings.ToUpper(c.String(0)), nil })
	i.Func("fail", func(c *Call) (any, error) { return nil, &TypeError{Msg: "bad thing"} })
	i.Func("sum", func(c *Call) (any, error) {
		b, err := c.Bytes(0, int(c.Int(1)))
		if err != nil {
			return nil, err
		}
		n := 0
		for _, x := range b {
			n += int(x)
		}
		return n, nil
	})
	v := run(t, i, `
		const h = globalThis.__zs_host;
		const u = new Uint8Array(h.scratch); u.set([1,2,3,250]);
		let e; try { h.fail() } catch (x) { e = x }
		[h.add(2, 40), h.upper("abc"), e instanceof TypeError, e.message, h.sum(h.scratch, 4)].join(",")`)
	defer v.Release()
	if got, want := v.String(), "42,ABC,true,bad thing,256"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestCallAndRetainedValues(t *testing.T) {
	i := newTestIsolate(t)
	i.Func("echo", func(c *Call) (any, error) { return c.String(0), nil })
	run(t, i, `globalThis.f = (a, b, c) => __zs_host.echo(a + ":" + b + ":" + c)`).Release()
	f, err := i.Global("f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	base := i.RetainedValues()
	for n := 0; n < 1000; n++ {
		v, err := f.Call(n, "x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 999 && v.String() != "999:x:undefined" {
			t.Fatalf("got %q", v.String())
		}
		v.Release()
		i.EndTask()
	}
	if got := i.RetainedValues(); got > base {
		t.Fatalf("retained values grew from %d to %d", base, got)
	}
}

func TestScratchSharedWithGo(t *testing.T) {
	i := newTestIsolate(t)
	copy(i.Scratch(), "hello")
	v := run(t, i, `String.fromCharCode(...new Uint8Array(__zs_host.scratch, 0, 5))`)
	defer v.Release()
	if v.String() != "hello" {
		t.Fatalf("got %q", v.String())
	}
}

func TestSyntaxAndThrow(t *testing.T) {
	i := newTestIsolate(t)
	if _, err := i.Compile("let = ;", "bad.js", nil); err == nil {
		t.Fatal("want syntax error")
	}
	s, _ := i.Compile("function boom() { throw new RangeError('nope') }\nboom()", "throw.js", nil)
	_, err := s.Run()
	var je *JSError
	if !errors.As(err, &je) || !strings.Contains(je.Message, "RangeError: nope") || !strings.Contains(je.Stack, "throw.js:1") {
		t.Fatalf("got %#v", err)
	}
}

func TestCodeCache(t *testing.T) {
	i := newTestIsolate(t)
	src := "function f(x) { return x * 2 }; f(21)"
	s, err := i.Compile(src, "c.js", nil)
	if err != nil {
		t.Fatal(err)
	}
	cache := s.CodeCache()
	if len(cache) == 0 {
		t.Fatal("empty code cache")
	}
	j := newTestIsolate(t)
	s2, err := j.Compile(src, "c.js", cache)
	if err != nil {
		t.Fatal(err)
	}
	if s2.CacheRejected() {
		t.Fatal("cache rejected")
	}
	v, _ := s2.Run()
	defer v.Release()
	if v.Int() != 42 {
		t.Fatalf("got %v", v.String())
	}
}

func TestTerminate(t *testing.T) {
	i := newTestIsolate(t)
	i.Func("stop", func(c *Call) (any, error) { go i.Terminate(); return nil, nil })
	run(t, i, `globalThis.spin = () => { __zs_host.stop(); for (;;) {} }`).Release()
	f, _ := i.Global("spin")
	defer f.Release()
	if _, err := f.Call(); !errors.Is(err, ErrTerminated) {
		t.Fatalf("got %v, want ErrTerminated", err)
	}
}
