package webapi

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// jsResult is one test() of a JavaScript test file.
type jsResult struct {
	name, err string
	ok        bool
}

// runJSFile runs src, a test file written against the small test API below,
// in a fresh Runtime on a locked thread and returns each test's result and
// the console output.
//
// The API: test(name, async fn); assert(cond, msg); assertEquals(actual,
// expected, msg) (compares with JSON.stringify, after Object.is for
// primitives); assertThrows(fn, ErrorClass?, msg) and
// assertRejects(promise, ErrorClass?, msg).
func runJSFile(t *testing.T, name, src string) ([]jsResult, string) {
	t.Helper()
	type outcome struct {
		res  []jsResult
		logs string
		err  string
	}
	ch := make(chan outcome, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var out outcome
		var logs strings.Builder
		done := false
		r, err := New(Options{Log: func(level, msg string) {
			if rest, ok := strings.CutPrefix(msg, "\x00zs-test\x00"); ok {
				if rest == "done" {
					done = true
					return
				}
				parts := strings.SplitN(rest, "\x00", 3)
				out.res = append(out.res, jsResult{name: parts[0], ok: parts[1] == "ok", err: parts[2]})
				return
			}
			logs.WriteString(level + ": " + msg + "\n")
		}})
		if err != nil {
			out.err = err.Error()
			ch <- out
			return
		}
		defer r.Close()
		s, err := r.Iso.Compile(jsTestPrologue+src+jsTestEpilogue, name, nil)
		if err == nil {
			var v interface{ Release() }
			v, err = s.Run()
			if err == nil {
				v.Release()
			}
		}
		if err != nil {
			out.err = err.Error()
			ch <- out
			return
		}
		deadline := time.After(20 * time.Second)
		for !done {
			select {
			case <-r.Loop.Wake():
				r.RunTasks()
			case <-deadline:
				out.err = "timed out waiting for tests (a promise never settled?)"
				out.logs = logs.String()
				ch <- out
				return
			}
		}
		out.logs = logs.String()
		ch <- out
	}()
	o := <-ch
	if o.err != "" {
		t.Fatalf("%s: %s\n%s", name, o.err, o.logs)
	}
	return o.res, o.logs
}

const jsTestPrologue = `(function(){
const __tests = [];
const __say = (...a) => console.log("\x00zs-test\x00" + a.join("\x00"));
globalThis.test = (name, fn) => __tests.push([name, fn]);
const __str = (v) => { try { return typeof v === "string" ? JSON.stringify(v) : (typeof v === "bigint" ? v + "n" : JSON.stringify(v) ?? String(v)); } catch { return String(v); } };
globalThis.assert = (c, msg) => { if (!c) throw new Error("assertion failed" + (msg ? ": " + msg : "")); };
globalThis.assertEquals = (a, b, msg) => {
  if (Object.is(a, b)) return;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && __str(a) === __str(b)) return;
  throw new Error("expected " + __str(b) + ", got " + __str(a) + (msg ? " (" + msg + ")" : ""));
};
globalThis.assertThrows = (fn, E, msg) => {
  try { fn(); } catch (e) { if (E && !(e instanceof E) && e?.name !== E.name) throw new Error("threw " + e + ", want " + E.name + (msg ? " (" + msg + ")" : "")); return e; }
  throw new Error("did not throw" + (msg ? ": " + msg : ""));
};
globalThis.assertRejects = async (p, E, msg) => {
  try { await (typeof p === "function" ? p() : p); } catch (e) { if (E && !(e instanceof E) && e?.name !== E.name) throw new Error("rejected with " + e + ", want " + E.name + (msg ? " (" + msg + ")" : "")); return e; }
  throw new Error("did not reject" + (msg ? ": " + msg : ""));
};
globalThis.__runTests = async () => {
  for (const [name, fn] of __tests) {
    try { await fn(); __say(name, "ok", ""); }
    catch (e) { __say(name, "fail", (e && e.stack) || String(e)); }
  }
  __say("done");
};
})();
`

const jsTestEpilogue = "\n;__runTests();\n"

// TestJS runs every testdata/*.js file; each test() is a subtest.
func TestJS(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".js"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, logs := runJSFile(t, f, string(src))
			if len(res) == 0 {
				t.Fatalf("no tests ran\n%s", logs)
			}
			for _, r := range res {
				t.Run(r.name, func(t *testing.T) {
					if !r.ok {
						t.Errorf("%s\nconsole:\n%s", r.err, logs)
					}
				})
			}
		})
	}
}
