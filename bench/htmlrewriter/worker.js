// The HTMLRewriter benchmark worker: a 1 MiB page (built once per isolate)
// streamed in 64 KiB chunks, answered as ?mode=rewrite (two handlers: every
// a[href] rewritten, a text handler on td: 58,000 calls), ?mode=links (the
// a[href] handler alone), ?mode=idle (a selector matching nothing) or
// ?mode=pass (the same stream through an identity TransformStream: the
// anchor).
const enc = new TextEncoder();
const row = (i) => '<tr class="r' + (i % 7) + '"><td>' + i + ' &amp; more</td><td><a href="/item/' + i + '">item</a></td><!-- r --></tr>\n';
let page = "<!DOCTYPE html><html><head><title>bench</title></head><body><table>";
for (let i = 0; page.length < (1 << 20) - 200; i++) page += row(i);
page += "</table></body></html>";
const bytes = enc.encode(page);
const CH = 64 << 10;
const input = () => new ReadableStream({
  start(c) { for (let i = 0; i < bytes.length; i += CH) c.enqueue(bytes.slice(i, i + CH)); c.close(); },
});

export default {
  fetch(request) {
    const mode = new URL(request.url).searchParams.get("mode");
    const res = new Response(input(), { headers: { "content-type": "text/html; charset=utf-8" } });
    if (mode === "pass") return new Response(res.body.pipeThrough(new TransformStream()), res);
    if (mode === "links") {
      // one handler, 11,600 calls
      return new HTMLRewriter().on("a[href]", { element(e) { e.setAttribute("href", "https://cdn.example" + e.getAttribute("href")); } }).transform(res);
    }
    if (mode === "idle") {
      // a selector that matches nothing: tokenizing and matching only
      return new HTMLRewriter().on("video[src]", { element() {} }).transform(res);
    }
    if (mode !== "rewrite") return new Response("?mode=rewrite, links, idle or pass");
    let cells = 0;
    return new HTMLRewriter()
      .on("a[href]", { element(e) { e.setAttribute("href", "https://cdn.example" + e.getAttribute("href")); } })
      .on("td", { text(t) { if (t.lastInTextNode) cells++; } })
      .transform(res);
  },
};
