// HTMLRewriter cases. The byte-for-byte comparison with workerd lives in
// internal/difftest/testdata/htmlrewriter.js; these cover the API surface,
// streaming and errors on zerostack alone.

const enc = new TextEncoder();

function streamOf(parts) {
  return new ReadableStream({ start(c) { for (const p of parts) c.enqueue(typeof p === "string" ? enc.encode(p) : p); c.close(); } });
}

async function rewrite(html, setup, parts) {
  const log = [];
  const rw = setup(new HTMLRewriter(), log);
  const res = rw.transform(new Response(streamOf(parts || [html]), { headers: { "content-type": "text/html" } }));
  return { out: await res.text(), log };
}

test("smoke", async () => {
  const { out, log } = await rewrite("<p>x</p>", (rw, log) => rw.on("p", { element(e) { log.push(e.tagName); e.setAttribute("a", "b"); } }));
  assertEquals(out, '<p a="b">x</p>');
  assertEquals(log, ["p"]);
});
