// HTMLRewriter cases. The byte-for-byte comparison with workerd lives in
// internal/difftest/testdata/htmlrewriter.js; these cover the API surface,
// streaming, chunk boundaries and errors on zerostack alone.

const enc = new TextEncoder();
const dec = new TextDecoder();

function streamOf(parts) {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(typeof p === "string" ? enc.encode(p) : p);
      c.close();
    },
  });
}

async function rewrite(html, setup, parts) {
  const log = [];
  const rw = setup(new HTMLRewriter(), log);
  const res = rw.transform(new Response(streamOf(parts || [html]), { headers: { "content-type": "text/html" } }));
  return { out: await res.text(), log };
}

// splits cuts s into pieces of the given sizes (in code points), cycling.
function splits(str, sizes) {
  const s = Array.from(str);
  const out = [];
  let i = 0;
  let k = 0;
  while (i < s.length) {
    const n = sizes[k++ % sizes.length];
    out.push(s.slice(i, i + n).join(""));
    i += n;
  }
  return out;
}

const TRICKY = [
  "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>a < b & c</title>" +
    "<style>p > a { color: red }</style><script>if (a < b && c > d) document.write('<p>x</p>')</script></head>" +
    "<body class=main><!-- a comment --><p id=one title='single' data-x=\"double\" hidden>Hello &amp; <b>world</b></p>" +
    "<img src=a.png alt=\"\"/><br><input value=unquoted disabled><ul><li>one<li>two</ul>" +
    "<svg viewBox='0 0 1 1'><circle r=1 /><g><rect/></g></svg><textarea><p>raw</p></textarea>" +
    "<p>caf\u00e9 \ud83d\ude00 \u4e16\u754c</p><div>unclosed",
  "a < b <3 c</p x> <!x> <?pi> </ > &lt; d",
  "<script><!-- if (a<b) --></script><script>var s = '</scr' + 'ipt>'</script>x",
];

test("smoke", async () => {
  const { out, log } = await rewrite("<p>x</p>", (rw, log) => rw.on("p", { element(e) { log.push(e.tagName); e.setAttribute("a", "b"); } }));
  assertEquals(out, '<p a="b">x</p>');
  assertEquals(log, ["p"]);
});

test("global shape", () => {
  assertEquals(typeof HTMLRewriter, "function");
  const rw = new HTMLRewriter();
  assert(rw.on("p", {}) === rw, "on() chains");
  assert(rw.onDocument({}) === rw, "onDocument() chains");
  assertEquals(Object.prototype.toString.call(rw), "[object HTMLRewriter]");
  assertThrows(() => structuredClone(rw), DOMException);
});

test("a rewriter with no handlers passes the document through", async () => {
  for (const doc of TRICKY) {
    assertEquals((await rewrite(doc, (rw) => rw)).out, doc);
    assertEquals((await rewrite(doc, (rw) => rw.on("*", { element() {}, text() {}, comments() {} }).onDocument({ text() {}, doctype() {}, comments() {} }))).out, doc);
  }
});

test("Element: tagName, attributes, namespaceURI", async () => {
  const { out, log } = await rewrite("<A HREF=x  Title='y' data-q=\"a&amp;b\" checked>z</A><svg><path d=M0 /></svg>", (rw, log) =>
    rw.on("a", {
      element(e) {
        log.push(e.tagName, [...e.attributes], e.getAttribute("href"), e.getAttribute("TITLE"), e.getAttribute("data-q"),
          e.hasAttribute("checked"), e.hasAttribute("nope"), e.getAttribute("nope"), e.namespaceURI, e.selfClosing, e.canHaveContent, e.removed);
        e.tagName = "span";
      },
    }).on("path", { element(e) { log.push(e.tagName, e.namespaceURI, e.selfClosing, e.canHaveContent); } }));
  assertEquals(log, ["a", [["href", "x"], ["title", "y"], ["data-q", "a&amp;b"], ["checked", ""]], "x", "y", "a&amp;b", true, false, null,
    "http://www.w3.org/1999/xhtml", false, true, false, "path", "http://www.w3.org/2000/svg", true, false]);
  assertEquals(out, "<span HREF=x Title='y' data-q=\"a&amp;b\" checked>z</span><svg><path d=M0 /></svg>");
});

test("Element: setAttribute and removeAttribute rewrite the start tag", async () => {
  const { out } = await rewrite("<a href=x  title='y'   checked/><a id=2>k</a><p>u</p>", (rw) =>
    rw.on("a", { element(e) { e.removeAttribute("title"); e.removeAttribute("absent"); e.setAttribute("q", 'a"b<&>'); } })
      .on("p", { element(e) { e.removeAttribute("absent"); } }));
  assertEquals(out, '<a href=x checked q="a&quot;b<&>" /><a id=2 q="a&quot;b<&>">k</a><p>u</p>');
});

test("Element: content insertion order and escaping", async () => {
  const { out } = await rewrite("<p>x</p><br>", (rw) => rw.on("p,br", {
    element(e) { e.before("1"); e.before("2"); e.after("3"); e.after("4"); e.prepend("5"); e.prepend("6"); e.append("7"); e.append("8"); },
  }));
  assertEquals(out, "12<p>65x78</p>4312<br>43");
  const esc = await rewrite("<p>x</p>", (rw) => rw.on("p", { element(e) { e.before("<b>&\"'</b>"); e.after("<i>", { html: true }); e.setInnerContent("a<>&\"'"); } }));
  assertEquals(esc.out, "&lt;b&gt;&amp;\"'&lt;/b&gt;<p>a&lt;&gt;&amp;\"'</p><i>");
});

test("Element: remove, removeAndKeepContent, replace, setInnerContent", async () => {
  const doc = "<div class=a>a<p>x</p>b</div>c";
  const removed = await rewrite(doc, (rw, log) => rw.on("div", { element(e) { e.remove(); log.push(e.removed); } })
    .on("p", { element(e) { log.push("p", e.removed); }, text(t) { log.push(t.text); } }));
  assertEquals(removed.out, "c");
  assertEquals(removed.log, [true, "p", true, "x", ""]);
  assertEquals((await rewrite(doc, (rw) => rw.on("div", { element(e) { e.removeAndKeepContent(); } }))).out, "a<p>x</p>bc");
  assertEquals((await rewrite(doc, (rw) => rw.on("div", { element(e) { e.replace("<r>", { html: true }); } }))).out, "<r>c");
  assertEquals((await rewrite(doc, (rw) => rw.on("div", { element(e) { e.replace("<r>"); } }))).out, "&lt;r&gt;c");
  assertEquals((await rewrite(doc, (rw) => rw.on("div", { element(e) { e.setInnerContent("<r>", { html: true }); } }))).out, "<div class=a><r></div>c");
  assertEquals((await rewrite("<p>a</p><p>b</p>", (rw) => rw.on("p", { element(e) { e.before("["); e.after("]"); e.remove(); } }))).out, "[][]");
});

test("Element: onEndTag", async () => {
  const { out, log } = await rewrite("<div>a</div ><span/><ul><li>x</LI></ul>", (rw, log) => rw.on("div,span,li", {
    element(e) {
      e.onEndTag((t) => {
        log.push(t.name);
        if (t.name === "div") { t.before("B"); t.after("A"); t.after("C"); t.name = "x"; } else t.remove();
      });
    },
  }));
  assertEquals(log, ["div", "li"]);
  assertEquals(out, "<div>aB</x>CA<span/><ul><li>x</ul>");
  await assertRejects(rewrite("<p></p>", (rw) => rw.on("p", { element(e) { e.onEndTag("nope"); } })), TypeError);
});

test("a renamed element's end tag follows", async () => {
  assertEquals((await rewrite("<div id=1>a<div>b</div></div>", (rw) => rw.on("div > div", { element(e) { e.tagName = "em"; } }))).out,
    "<div id=1>a<em>b</em></div>");
});

test("Text: chunks, lastInTextNode, raw entities", async () => {
  const { log } = await rewrite("<p>Hello &amp; world</p><div>a<b>c</b>d</div>tail", (rw, log) =>
    rw.on("*", { text(t) { log.push([t.text, t.lastInTextNode]); } }));
  assertEquals(log, [["Hello &amp; world", false], ["", true], ["a", false], ["", true], ["c", false], ["", true], ["d", false], ["", true]]);
  const split = await rewrite("", (rw, log) => rw.on("p", { text(t) { log.push([t.text, t.lastInTextNode]); } }), ["<p>Hel", "lo wo", "rld</p>"]);
  assertEquals(split.log, [["Hel", false], ["lo wo", false], ["rld", false], ["", true]]);
  const lt = await rewrite("a < b", (rw, log) => rw.onDocument({ text(t) { log.push(t.text); } }));
  assertEquals(lt.log, ["a ", "<", " b", ""]);
});

test("Text: before, after, replace, remove", async () => {
  const { out, log } = await rewrite("<p>ab</p><i>cd</i>", (rw, log) =>
    rw.on("p", { text(t) { if (t.text) { t.before("<"); t.after(">", { html: true }); } } })
      .on("i", { text(t) { if (t.text) t.replace("R"); else t.remove(); log.push(t.removed); } }));
  assertEquals(out, "<p>&lt;ab></p><i>R</i>");
  assertEquals(log, [true, true]);
});

test("raw text elements are not parsed for tags", async () => {
  const { out, log } = await rewrite("<script>if (a<b) x('<p>y</p>')</script><style>p>a{}</style><title>a<b></title><textarea><p></textarea><p>z</p>", (rw, log) =>
    rw.on("p", { element(e) { log.push("p"); e.setAttribute("k", ""); } }));
  assertEquals(log, ["p"]);
  assert(out.endsWith('<p k="">z</p>'), out);
  const plain = await rewrite("<plaintext><p>x</p>", (rw, log) => rw.on("p", { element() { log.push("p"); } }));
  assertEquals(plain.log, []);
});

test("Comment: text, before, after, replace, remove", async () => {
  const { out, log } = await rewrite("<!-- hi --><p><!--x--></p><!--a--><!--b--><!--c-->", (rw, log) =>
    rw.on("p", { comments(c) { log.push(c.text); c.text = "new"; } })
      .onDocument({
        comments(c) {
          log.push("doc:" + c.text);
          if (c.text === "a") c.remove();
          if (c.text === "b") { c.before("<x>"); c.after("<y>", { html: true }); }
          if (c.text === "c") c.replace("Z");
        },
      }));
  assertEquals(log, ["doc: hi ", "x", "doc:new", "doc:a", "doc:b", "doc:c"]);
  assertEquals(out, "<!-- hi --><p><!--new--></p>&lt;x&gt;<!--b--><y>Z");
  await assertRejects(rewrite("<!--a-->", (rw) => rw.onDocument({ comments(c) { c.text = "a-->b"; } })), TypeError);
});

test("Doctype and DocumentEnd", async () => {
  const { out, log } = await rewrite('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html></html>', (rw, log) =>
    rw.onDocument({ doctype(d) { log.push(d.name, d.publicId, d.systemId); }, end(e) { e.append("<!--end-->", { html: true }); e.append("<x>"); } }));
  assertEquals(log, ["html", "-//W3C//DTD XHTML 1.0 Strict//EN", "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"]);
  assert(out.endsWith("</html><!--end-->&lt;x&gt;"), out);
  const simple = await rewrite("<!doctype html><p>", (rw, log) => rw.onDocument({ doctype(d) { log.push(d.name, d.publicId, d.systemId); } }));
  assertEquals(simple.log, ["html", null, null]);
  const empty = await rewrite("", (rw, log) => rw.onDocument({ end(e) { log.push("end"); e.append("E"); } }));
  assertEquals(empty, { out: "E", log: ["end"] });
});

test("selectors", async () => {
  const doc = "<main><section><div><p id=a class='x y'>1</p></div><p id=b lang=en-US data-v=AbC>2</p><p id=c href='https://e.com/z'>3</p></section></main><p id=d>4</p>";
  const cases = {
    "*": "abcd", "p": "abcd", "P": "abcd", "#a": "a", ".x.y": "a", "p.y": "a", ".z": "", "[lang]": "b", "[lang=en-US]": "b",
    "[lang|=en]": "b", "[class~=y]": "a", "[href^=https]": "c", "[href$='/z']": "c", "[href*='e.c']": "c", "[data-v=abc i]": "b",
    "[data-v=abc]": "", "main p": "abc", "section > p": "bc", "main > p": "", "div p": "a", "main section div > p": "a",
    "p:first-child": "a", "p:nth-child(2)": "bd", "p:nth-child(2n+1)": "ac", "p:nth-child(odd)": "ac", "p:nth-child(even)": "bd",
    "p:nth-child(-n+2)": "abd", "p:nth-of-type(2)": "c", "p:first-of-type": "abd", "p:not(#a)": "bcd", "p:not([lang], #d)": "ac",
    "div, #d": "ad", "section p:not(:first-child)": "bc",
  };
  for (const [sel, want] of Object.entries(cases)) {
    const { log } = await rewrite(doc, (rw, log) => rw.on(sel, { element(e) { if (e.tagName === "p") log.push(e.getAttribute("id")); else if (sel === "div, #d") log.push("a"); } }));
    assertEquals(log.join(""), want, sel);
  }
});

test("bad selectors throw TypeErrors when on() is called", () => {
  const cases = {
    "p + a": "Unsupported combinator `+` in selector.", "p ~ a": "Unsupported combinator `~` in selector.",
    "p:last-child": "Unsupported pseudo-class or pseudo-element in selector.", "p::before": "Unsupported pseudo-class or pseudo-element in selector.",
    "": "The selector is empty.", "p,": "The selector is empty.", "> p": "The selector is empty.", "a >": "Dangling combinator in selector.",
    "[=x]": "Missing attribute name in attribute selector.", "svg|a": "Selectors with explicit namespaces are not supported.",
    "p[": "Unexpected end of selector.", "a[b=c d]": "Unexpected token in selector.",
  };
  for (const [sel, msg] of Object.entries(cases)) {
    const e = assertThrows(() => new HTMLRewriter().on(sel, {}), TypeError, sel);
    assertEquals(e.message, "Parser error: " + msg, sel);
  }
});

test("async handlers are waited for, in order", async () => {
  const order = [];
  const { out } = await rewrite("<p>a</p><p>b</p>", (rw) => rw.on("p", {
    async element(e) {
      order.push("start " + order.length);
      await new Promise((r) => setTimeout(r, 3));
      e.setAttribute("n", String(order.length));
      order.push("done");
    },
    text(t) { if (t.text) order.push(t.text); },
  }).onDocument({ async end(e) { await null; e.append("!"); } }));
  assertEquals(out, '<p n="1">a</p><p n="4">b</p>!');
  assertEquals(order, ["start 0", "done", "a", "start 3", "done", "b"]);
});

test("a throwing handler errors the body", async () => {
  const boom = new RangeError("boom");
  const res = new HTMLRewriter().on("p", { element() { throw boom; } }).transform(new Response("<p>x</p>"));
  const e = await assertRejects(res.text());
  assert(e === boom, "the handler's own error");
  const e2 = await assertRejects(new HTMLRewriter().onDocument({ async text() { throw new Error("async boom"); } }).transform(new Response("x")).text());
  assertEquals(e2.message, "async boom");
});

test("transform copies status and headers, drops Content-Length", async () => {
  const res = new HTMLRewriter().transform(new Response("<p>x</p>", { status: 201, statusText: "Made", headers: { "content-type": "text/html", "x-a": "1", "content-length": "8" } }));
  assertEquals([res.status, res.statusText, res.headers.get("x-a"), res.headers.get("content-type"), res.headers.get("content-length")], [201, "Made", "1", "text/html", null]);
  assertEquals(await res.text(), "<p>x</p>");
  assertThrows(() => new HTMLRewriter().transform("<p>"), TypeError);
});

test("output streams before the input ends", async () => {
  let ctrl;
  const input = new ReadableStream({ start(c) { ctrl = c; } });
  const res = new HTMLRewriter().on("p", { element(e) { e.setAttribute("a", "1"); } }).transform(new Response(input));
  const reader = res.body.getReader();
  ctrl.enqueue(enc.encode("<p>first</p><di"));
  const first = await reader.read();
  assertEquals(dec.decode(first.value), '<p a="1">first</p>');
  ctrl.enqueue(enc.encode("v class=x>second</div><p"));
  assertEquals(dec.decode((await reader.read()).value), "<div class=x>second</div>");
  ctrl.enqueue(enc.encode(">third"));
  ctrl.close();
  let rest = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += dec.decode(value);
  }
  assertEquals(rest, '<p a="1">third');
});

test("a large document is not buffered whole", async () => {
  const row = "<tr><td class=c>cell &amp; <a href='/x'>link</a></td></tr>\n";
  const chunk = enc.encode(row.repeat(256));
  let sent = 0;
  const input = new ReadableStream({
    pull(c) {
      if (sent++ === 64) c.close(); else c.enqueue(chunk);
    },
  });
  let links = 0;
  const res = new HTMLRewriter().on("a[href]", { element(e) { links++; e.setAttribute("href", "https://cdn" + e.getAttribute("href")); } }).transform(new Response(input));
  let chunks = 0;
  let biggest = 0;
  let total = 0;
  for await (const c of res.body) {
    chunks++;
    biggest = Math.max(biggest, c.length);
    total += c.length;
  }
  assertEquals(links, 64 * 256);
  assert(chunks >= 64, "one output chunk per input chunk, got " + chunks);
  assert(biggest < 2 * chunk.length, "output chunks stay small, biggest " + biggest);
  assertEquals(total, 64 * 256 * enc.encode(row.replace("href='/x'", 'href="https://cdn/x"')).length);
});

test("chunk boundaries anywhere give the same output", async () => {
  const setup = (rw, log) => rw
    .on("*", { element(e) { log.push(e.tagName); e.setAttribute("z", "1"); } })
    .on("p", { text(t) { if (t.text) t.after("|"); } })
    .onDocument({ comments(c) { log.push(c.text); }, doctype(d) { log.push(d.name); } });
  for (const doc of TRICKY) {
    const whole = await rewrite(doc, setup);
    for (const sizes of [[1], [2], [3], [7, 1], [13, 5, 2]]) {
      const parts = splits(doc, sizes);
      const got = await rewrite("", setup, parts);
      // text chunk boundaries move with the input's; compare without them
      assertEquals(got.out.replaceAll("|", ""), whole.out.replaceAll("|", ""), JSON.stringify(sizes));
      assertEquals(got.log, whole.log, JSON.stringify(sizes));
    }
    // bytes split inside UTF-8 sequences
    const bytes = enc.encode(doc);
    const byteParts = [];
    for (let i = 0; i < bytes.length; i += 3) byteParts.push(bytes.slice(i, i + 3));
    assertEquals((await rewrite("", (rw) => rw, byteParts)).out, doc);
  }
});

test("random documents pass through unchanged in random chunks", async () => {
  // a small deterministic generator (xorshift) over HTML-ish fragments
  let x = 2463534242;
  const rnd = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const bits = ["<", ">", "/", "!", "-", "--", "<!--", "-->", "=", '"', "'", " ", "a", "p", "div", "script", "</script>", "<script>", "style",
    "<svg>", "</svg>", "<![CDATA[", "]]>", "&amp;", "\u00e9", "<p class=x>", "</p>", "<br/>", "<!doctype html>", "?", "\n", "<title>", "</title>"];
  for (let round = 0; round < 150; round++) {
    let doc = "";
    const len = rnd(40);
    for (let i = 0; i < len; i++) doc += bits[rnd(bits.length)];
    const parts = splits(doc, [1 + rnd(6), 1 + rnd(3)]);
    const got = await rewrite("", (rw) => rw.on("*", { element() {}, text() {} }).onDocument({ comments() {}, text() {}, doctype() {} }), parts);
    assertEquals(got.out, doc, JSON.stringify(doc));
  }
});

test("tokens are only valid while their handlers run", async () => {
  let saved, savedText;
  await rewrite("<p>x</p>", (rw) => rw.on("p", { element(e) { saved = e; }, text(t) { savedText = t; } }));
  const msg = "This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.";
  assertEquals(assertThrows(() => saved.setAttribute("a", "b"), TypeError).message, msg);
  assertEquals(assertThrows(() => saved.tagName, TypeError).message, msg);
  assertEquals(assertThrows(() => savedText.text, TypeError).message, msg);
  // an async handler keeps its token until its promise settles
  const { out } = await rewrite("<p>x</p>", (rw) => rw.on("p", { async element(e) { await null; await null; e.setAttribute("late", "1"); } }));
  assertEquals(out, '<p late="1">x</p>');
});

test("handlers objects are checked", async () => {
  assertEquals(assertThrows(() => new HTMLRewriter().on("p", 5), TypeError).message, "Failed to execute 'on' on 'HTMLRewriter': parameter 2 is not of type 'ElementContentHandlers'.");
  assertEquals(assertThrows(() => new HTMLRewriter().on("p", { element: 5 }), TypeError).message, "Incorrect type for the 'element' field on 'ElementContentHandlers': the provided value is not of type 'function'.");
  assertEquals(assertThrows(() => new HTMLRewriter().onDocument({ end: {} }), TypeError).message, "Incorrect type for the 'end' field on 'DocumentContentHandlers': the provided value is not of type 'function'.");
  const used = new Response("<p>");
  await used.text();
  assertEquals(assertThrows(() => new HTMLRewriter().transform(used), TypeError).message, "The ReadableStream has been locked to a reader.");
  const none = new HTMLRewriter().onDocument({ end(e) { e.append("E"); } }).transform(new Response(null, { status: 204 }));
  assertEquals([none.status, none.body, await none.text()], [204, null, ""]);
});

test("a windows-1252 document is read and written in its charset", async () => {
  const bytes = new Uint8Array([60, 112, 62, 0xe9, 0x80, 60, 47, 112, 62]); // <p>é€</p> in windows-1252
  const log = [];
  const res = new HTMLRewriter().on("p", { element(e) { e.setAttribute("a", "\u00e9\u20ac\u4e16"); }, text(t) { log.push(t.text); } })
    .transform(new Response(bytes, { headers: { "content-type": "text/html; charset=ISO-8859-1" } }));
  const out = [...new Uint8Array(await res.arrayBuffer())];
  assertEquals(out, [...enc.encode('<p a="'), 0xe9, 0x80, ...enc.encode("&#19990;"), ...enc.encode('">'), 0xe9, 0x80, ...enc.encode("</p>")]);
  assertEquals(log, ["\u00e9\u20ac", ""]);
});
