package webapi

import (
	"runtime"
	"testing"
	"time"
)

// TestCompressionFreesHandles checks that DecompressionStreams release their
// Go decompressor (and its goroutine) when they finish, fail, are cancelled
// or aborted, without waiting for the runtime to close.
func TestCompressionFreesHandles(t *testing.T) {
	before := runtime.NumGoroutine()
	src := `
const te = new TextEncoder();
async function gz(s) {
  const cs = new CompressionStream("gzip");
  const w = cs.writable.getWriter();
  w.write(te.encode(s)); w.close();
  const parts = [];
  for await (const c of cs.readable) parts.push(...c);
  return new Uint8Array(parts);
}
test("finish, fail, cancel and abort 40 streams each", async () => {
  const good = await gz("hello ".repeat(100000));
  for (let i = 0; i < 40; i++) {
    // finished
    const ds = new DecompressionStream("gzip");
    const w = ds.writable.getWriter();
    w.write(good); w.close();
    for await (const c of ds.readable) void c;
    // corrupt
    const bad = new DecompressionStream("gzip");
    const bw = bad.writable.getWriter();
    bad.readable.getReader().read().catch(() => {});
    await bw.write(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff])).catch(() => {});
    // cancelled mid-stream (output pending)
    const cd = new DecompressionStream("gzip");
    const cw = cd.writable.getWriter();
    cw.write(good).catch(() => {});
    const r = cd.readable.getReader();
    await r.read();
    await r.cancel();
    // aborted after a partial write
    const ad = new DecompressionStream("gzip");
    const aw = ad.writable.getWriter();
    const ar = ad.readable.getReader();
    const p = ar.read().catch(() => {});
    await aw.write(good.subarray(0, 20));
    await aw.abort("stop");
    await p;
  }
});
`
	res, logs := runJSFile(t, "compression_handles.js", src)
	for _, r := range res {
		if !r.ok {
			t.Fatalf("%s: %s\n%s", r.name, r.err, logs)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before+2 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
