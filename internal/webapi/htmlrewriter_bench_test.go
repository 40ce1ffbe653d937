package webapi

import (
	"runtime"
	"testing"
)

// htmlBenchSetup builds a 1 MiB page (a table of rows with links, classes,
// entities and comments) and the two ways to stream it: through an
// HTMLRewriter with an element handler that rewrites every link and a text
// handler on the cells, or through the same stream plumbing with no
// rewriter (the anchor). Each delivers the page in 64 KiB chunks.
const htmlBenchSetup = `
const enc = new TextEncoder();
const row = (i) => '<tr class="r' + (i % 7) + '"><td>' + i + ' &amp; more</td><td><a href="/item/' + i + '">item</a></td><!-- r --></tr>\n';
let page = "<!DOCTYPE html><html><head><title>bench</title></head><body><table>";
for (let i = 0; page.length < (1 << 20) - 200; i++) page += row(i);
page += "</table></body></html>";
const bytes = enc.encode(page);
const CH = 64 << 10;
const input = () => new ReadableStream({
  start(c) { for (let i = 0; i < bytes.length; i += CH) c.enqueue(bytes.subarray(i, i + CH)); c.close(); },
});
let links = 0;
const done = (n) => console.log("\x00bench\x00" + n);
`

// benchAsyncJS runs body (which must call done(n) when finished) b.N times,
// driving the event loop between, and reports bytes/s for size bytes.
func benchAsyncJS(b *testing.B, setup, body string) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	finished := false
	r, err := New(Options{Log: func(level, msg string) {
		if len(msg) > 7 && msg[:7] == "\x00bench\x00" {
			finished = true
		}
	}})
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
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		finished = false
		v, err := fn.Call()
		if err != nil {
			b.Fatal(err)
		}
		v.Release()
		for !finished {
			if r.RunTasks() == 0 && !finished {
				<-r.Loop.Wake()
			}
		}
	}
}

// BenchmarkHTMLRewriter1MiB streams a 1 MiB page through HTMLRewriter with
// a link-rewriting element handler and a text handler.
func BenchmarkHTMLRewriter1MiB(b *testing.B) {
	benchAsyncJS(b, htmlBenchSetup, `
const rw = new HTMLRewriter()
  .on("a[href]", { element(e) { links++; e.setAttribute("href", "https://cdn.example" + e.getAttribute("href")); } })
  .on("td", { text(t) { if (t.lastInTextNode) links++; } });
rw.transform(new Response(input())).arrayBuffer().then((b) => done(b.byteLength), (e) => console.error(String(e)));`)
}

// BenchmarkHTMLPassthrough1MiB is the anchor: the same page through the
// same stream, decoded and encoded again, with no rewriter.
func BenchmarkHTMLPassthrough1MiB(b *testing.B) {
	benchAsyncJS(b, htmlBenchSetup, `
const dec = new TextDecoder();
const r = input().pipeThrough(new TransformStream({ transform(c, ctl) { ctl.enqueue(enc.encode(dec.decode(c, { stream: true }))); } }));
new Response(r).arrayBuffer().then((b) => done(b.byteLength), (e) => console.error(String(e)));`)
}
