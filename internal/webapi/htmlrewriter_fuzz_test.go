package webapi

import (
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// htmlFuzzJS defines __check(doc, cut), which rewrites doc three ways and
// logs "\x00fz\x00" followed by "ok" or what went wrong:
//   - handlers that change nothing must give doc back byte for byte, whole
//     and cut in two at cut (a tag, comment or entity split anywhere);
//   - a rewriter that changes every element must give the same output
//     whole and cut in two, and must not throw.
const htmlFuzzJS = `
const enc = new TextEncoder();
const say = (m) => console.log("\x00fz\x00" + m);
const streamOf = (parts) => new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } });
const run = (parts, setup) => setup(new HTMLRewriter()).transform(new Response(streamOf(parts))).text();
const noop = (rw) => rw.on("*", { element() {}, text() {}, comments() {} }).onDocument({ doctype() {}, comments() {}, text() {}, end() {} });
const change = (rw) => rw.on("*", { element(e) { e.setAttribute("z", "1"); e.before("<"); e.prepend("[", { html: true }); e.after(">"); } })
  .on("p, a[href], div > span, :first-child", { element(e) { e.removeAttribute("class"); } })
  .onDocument({ comments(c) { c.text = "c"; }, end(e) { e.append("$"); } });
const SAMPLE = enc.encode("<main id=m class='a b'><p lang=en-US>x</p><svg><g/></svg><ul><li>1<li>2</ul><div><span data-x=y>z</span></div></main>");
globalThis.__check = async (doc, cut) => {
  if (cut < 0) {
    // doc is a selector: it is refused with a parser TypeError or it works
    let rw;
    try {
      rw = new HTMLRewriter().on(doc, { element(e) { e.setAttribute("hit", "1"); } });
    } catch (e) {
      return say(e instanceof TypeError && e.message.startsWith("Parser error: ") ? "ok" : "threw " + (e && e.stack || e));
    }
    try {
      await rw.transform(new Response(SAMPLE)).text();
      return say("ok");
    } catch (e) {
      return say("matching threw " + (e && e.stack || e));
    }
  }
  try {
    const b = enc.encode(doc);
    const parts = [b.subarray(0, cut), b.subarray(cut)];
    for (const [what, p] of [["whole", [b]], ["cut", parts]]) {
      const out = await run(p, noop);
      if (out !== doc) return say("no-op handlers changed the document (" + what + "): " + JSON.stringify(out));
    }
    const whole = await run([b], change);
    const split = await run(parts, change);
    if (whole !== split) return say("output depends on the chunking:\n whole: " + JSON.stringify(whole) + "\n cut:   " + JSON.stringify(split));
    say("ok");
  } catch (e) {
    say("threw " + (e && e.stack || e));
  }
};
`

// htmlFuzzer owns a Runtime on a locked thread and runs __check for each
// document sent to it.
type htmlFuzzer struct {
	in  chan [2]any
	out chan string
}

func newHTMLFuzzer(tb testing.TB) *htmlFuzzer {
	h := &htmlFuzzer{in: make(chan [2]any), out: make(chan string)}
	ready := make(chan error)
	go func() {
		runtime.LockOSThread()
		var got string
		done := false
		r, err := New(Options{Log: func(level, msg string) {
			if rest, ok := strings.CutPrefix(msg, "\x00fz\x00"); ok {
				got, done = rest, true
			}
		}})
		if err != nil {
			ready <- err
			return
		}
		s, err := r.Iso.Compile(htmlFuzzJS, "fuzz.js", nil)
		if err == nil {
			var v interface{ Release() }
			if v, err = s.Run(); err == nil {
				v.Release()
			}
		}
		ready <- err
		if err != nil {
			return
		}
		fn, err := r.Iso.Global("__check")
		if err != nil {
			panic(err)
		}
		for req := range h.in {
			done = false
			v, err := fn.Call(req[0], req[1])
			if err != nil {
				h.out <- "call: " + err.Error()
				continue
			}
			v.Release()
			for !done {
				if r.RunTasks() == 0 && !done {
					<-r.Loop.Wake()
				}
			}
			h.out <- got
		}
		fn.Release()
		r.Close()
	}()
	if err := <-ready; err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { close(h.in) })
	return h
}

// check runs __check; a document that keeps the rewriter busy for 10 s is
// reported as a hang (the runtime is stuck then, so the fuzzer stops).
func (h *htmlFuzzer) check(doc string, cut int) string {
	select {
	case h.in <- [2]any{doc, int32(cut)}:
	case <-time.After(10 * time.Second):
		return "the runtime is still busy with an earlier document"
	}
	select {
	case s := <-h.out:
		return s
	case <-time.After(10 * time.Second):
		return "no answer in 10 s (an endless loop or a promise never settled)"
	}
}

// FuzzHTMLRewriter feeds documents through HTMLRewriter, cut in two at every
// possible byte, and checks what htmlFuzzJS describes.
func FuzzHTMLRewriter(f *testing.F) {
	seeds := []string{
		"",
		"<p>x</p>",
		"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>a < b & c</title></head><body class=main>",
		"<a href=x  title='y' data-q=\"a&amp;b\" checked>z</a><img src=a.png alt=\"\"/><br>",
		"<script>if (a<b) document.write('<p>x</p>')</script><style>p>a{}</style><textarea><p></textarea>",
		"<script><!-- if (a<b) --></script><script>var s = '</scr' + 'ipt>'</script>x",
		"a < b <3 c</p x> <!x> <?pi> </ > &lt; d <!---> <!--> <p/>",
		"<svg viewBox='0 0 1 1'><circle r=1 /><g><rect/></g><![CDATA[ a<b ]]></svg><p>q",
		"<ul><li>a<li>b</ul><div><p>x</div><plaintext><p>",
		"caf\u00e9 \U0001F600 \u4e16\u754c<p title=\u00e9>\u00e9</p>",
	}
	for _, s := range seeds {
		f.Add(s, uint16(len(s)/2))
	}
	h := newHTMLFuzzer(f)
	f.Fuzz(func(t *testing.T, doc string, cut uint16) {
		if !utf8.ValidString(doc) || len(doc) > 1024 {
			t.Skip("the rewriter reads UTF-8; invalid bytes are replaced on decoding")
		}
		c := int(cut) % (len(doc) + 1)
		if got := h.check(doc, c); got != "ok" {
			t.Fatalf("%q cut at %d: %s", doc, c, got)
		}
	})
}

// FuzzHTMLRewriterSelector checks that any selector is either refused by
// on() with a "Parser error: …" TypeError or accepted and matched without
// throwing.
func FuzzHTMLRewriterSelector(f *testing.F) {
	for _, s := range []string{"*", "p", "a[href^='https']", "div > p:nth-child(2n+1)", "ul li:not(.x, #y)", "p + a", "a >", "[=x]",
		"p:nth-of-type(-n+3)", ":first-child", "svg|a", "a[b='c'", "main  section  >  div", "p,", ".1a", "[lang|=en i]"} {
		f.Add(s)
	}
	h := newHTMLFuzzer(f)
	f.Fuzz(func(t *testing.T, sel string) {
		if !utf8.ValidString(sel) || len(sel) > 256 {
			t.Skip("selectors are strings of at most 256 bytes here")
		}
		if got := h.check(sel, -1); got != "ok" {
			t.Fatalf("selector %q: %s", sel, got)
		}
	})
}
