// HTMLRewriter: the same rewriter programs over the same inputs (fed as the
// listed chunks) must give the same output, handler calls and errors.
const enc = new TextEncoder();

async function run(out, name, parts, setup) {
  const log = [];
  try {
    const body = new ReadableStream({ start(c) { for (const p of parts) c.enqueue(enc.encode(p)); c.close(); } });
    const rw = setup(new HTMLRewriter(), log);
    const res = rw.transform(new Response(body, { status: 201, headers: { "content-type": "text/html; charset=utf-8", "x-a": "1" } }));
    out[name] = { out: await res.text(), log, status: res.status, ct: res.headers.get("content-type"), xa: res.headers.get("x-a") };
  } catch (e) {
    out[name] = { err: e.name + ": " + e.message, log };
  }
}

const textLog = (rw, log) => rw.on("*", { text(t) { log.push([t.text, t.lastInTextNode]); } }).onDocument({ text(t) { log.push(["D", t.text, t.lastInTextNode]); } });
const tags = (rw, log) => rw.on("*", { element(e) { log.push([e.tagName, [...e.attributes]]); } });

export default {
  async fetch() {
    const out = {};
    await run(out, "passthrough", ["<!doctype html><html><head><title>T</title></head><body class=x><p>Hi &amp; bye</p></body></html>"], (rw) => rw.on("nothing", { element() {} }));
    await run(out, "textChunks", ["<p>Hello &amp; world</p><div>a<b>c</b>d</div>tail"], textLog);
    await run(out, "textSplit", ["<p>ab", "c<", "/p><di", "v class='a", "b'>x", "yz</div>"], textLog);
    await run(out, "multibyte", ["<p>h\u00e9", "llo \ud83d\ude00 \u4e16\u754c</p>"], textLog);
    await run(out, "lessThan", ["a < b <3 c</p x> <!x> <?pi> </ > &lt; d"], textLog);
    await run(out, "attrsForms", ["<a href=x  title='y' data-q=\"a&amp;b\" checked>z</a><img src=a.png alt=\"\"/>"], (rw, log) => rw.on("a, img", { element(e) { log.push([...e.attributes], e.getAttribute("data-q"), e.hasAttribute("CHECKED"), e.getAttribute("nope")); e.setAttribute("n", "a\"b<&>"); } }));
    await run(out, "removeAttr", ["<a href=x  title='y'   checked/><a id=2>k</a>"], (rw, log) => rw.on("a", { element(e) { log.push(e.namespaceURI, e.tagName); e.removeAttribute("title"); e.removeAttribute("absent"); } }));
    await run(out, "escaping", ["<p>x</p>"], (rw) => rw.on("p", { element(e) { e.before("<b>&\"'</b>"); e.after("<i>", { html: true }); e.setInnerContent("a<>&\"'"); } }));
    await run(out, "order", ["<p>x</p><br>"], (rw) => rw.on("p,br", { element(e) { e.before("1"); e.before("2"); e.after("3"); e.after("4"); e.prepend("5"); e.prepend("6"); e.append("7"); e.append("8"); } }));
    await run(out, "removeNested", ["<div>a<p>x</p>b</div>c"], (rw, log) => rw.on("div", { element(e) { e.remove(); log.push(e.removed); } }).on("p", { element(e) { log.push("p", e.removed); }, text(t) { log.push(t.text, t.removed); } }));
    await run(out, "keepContent", ["<div class=a>a<p>x</p>b</div>c"], (rw) => rw.on("div", { element(e) { e.removeAndKeepContent(); } }));
    await run(out, "replace", ["<div class=a>a<p>x</p>b</div>c"], (rw, log) => rw.on("div", { element(e) { e.replace("<r>", { html: true }); } }).on("p", { element() { log.push("p"); } }));
    await run(out, "innerContent", ["<div class=a>a<p>x</p>b</div>c"], (rw, log) => rw.on("div", { element(e) { e.setInnerContent("<r>", { html: true }); } }).on("p", { element() { log.push("p"); } }));
    await run(out, "endTag", ["<div>a</div ><span/>"], (rw, log) => rw.on("div,span", { element(e) { log.push(e.tagName); e.onEndTag((t) => { log.push("end", t.name); t.before("B"); t.after("A"); t.name = "x"; }); } }));
    await run(out, "endTagRemove", ["<ul><li>a</li><li>b</LI></ul>"], (rw, log) => rw.on("li", { element(e) { e.onEndTag((t) => { log.push(t.name); t.remove(); }); } }));
    await run(out, "tagName", ["<div id=1>a</div><DIV>b</DIV>"], (rw) => rw.on("div", { element(e) { e.tagName = "section"; } }));
    await run(out, "noImpliedEnd", ["<ul><li>a<li>b</ul><p>q<div>r</div>"], (rw, log) => rw.on("li li", { element() { log.push("li li"); } }).on("p div", { element() { log.push("p div"); } }));
    await run(out, "rawText", ["<script>if (a<b) document.write('<p>x</p>')</script><style>p>a{}</style><title>a<b></title><textarea><p></textarea>"], (rw, log) => rw.on("p", { element() { log.push("p"); } }).on("*", { text(t) { log.push(t.text); } }));
    await run(out, "scriptSplit", ["<script>var s = '</scr", "ipt'; x</", "script><p>after</p>"], (rw, log) => rw.on("script", { text(t) { log.push(t.text); } }).on("p", { element(e) { e.setAttribute("ok", "1"); } }));
    await run(out, "scriptEscaped", ["<script><!-- if (a<b) --></script>x"], textLog);
    await run(out, "svg", ["<svg><style><p>x</p></style><path/><g></g></svg><p/>x"], (rw, log) => rw.on("*", { element(e) { log.push(e.tagName, e.namespaceURI); } }));
    await run(out, "svgSelfClosing", ["<svg viewBox='0 0 1 1'><circle r=1 /><g><rect/></g></svg><p>q</p>"], (rw, log) => rw.on("svg *", { element(e) { log.push(e.tagName); e.after("|"); } }));
    await run(out, "nth", ["<div><p>1</p><span>s</span><p>2</p><p>3</p></div>"], (rw) => rw.on("p:nth-child(3)", { element(e) { e.setAttribute("c3", ""); } }).on("p:nth-of-type(2)", { element(e) { e.setAttribute("t2", ""); } }).on("p:first-child", { element(e) { e.setAttribute("f", ""); } }).on("p:not(:first-child)", { element(e) { e.setAttribute("nf", ""); } }).on("p:nth-child(2n+1)", { element(e) { e.setAttribute("odd", ""); } }).on(":first-of-type", { element(e) { e.setAttribute("ft", ""); } }));
    await run(out, "attrSelectors", ["<a href='https://x.com/a' lang=en-US class='btn big' data-x=AbC id=main>1</a><a href='/rel' lang=en class=btnx>2</a>"], (rw, log) => {
      for (const s of ["a[href^='https']", "a[href$=\"/a\"]", "a[href*=x]", "[lang|=en]", "a[class~=big]", ".btn", "#main", "a.btn.big", "[data-x=abc i]", "[data-x=abc]", "a[lang]", "a:not([lang=en])", "*[href]"]) rw.on(s, { element(e) { log.push(s + " " + e.getAttribute("id")); } });
      return rw;
    });
    await run(out, "combinators", ["<main><section><div><p id=a>x</p></div><p id=b>y</p></section></main><p id=c>z</p>"], (rw, log) => {
      for (const s of ["main p", "section > p", "main > p", "main   section  >  div > p", "div p", "body p"]) rw.on(s, { element(e) { log.push(s + " " + e.getAttribute("id")); } });
      return rw;
    });
    await run(out, "selectorTable", ["<main><section><div><p id=a class='x y'>1</p></div><p id=b lang=en-US data-v=AbC>2</p><p id=c href='https://e.com/z'>3</p></section></main><p id=d>4</p>"], (rw, log) => {
      for (const s of ["*", "P", ".x.y", "[lang|=en]", "[class~=y]", "[href*='e.c']", "[data-v=abc i]", "[data-v=abc]", "section > p", "main > p",
        "main section div > p", "p:first-child", "p:nth-child(2)", "p:nth-child(odd)", "p:nth-child(even)", "p:nth-child(-n+2)", "p:nth-of-type(2)",
        "p:first-of-type", "p:not(#a)", "p:not([lang], #d)", "div, #d", "section p:not(:first-child)", "p:nth-child( 2n + 1 )", "[id]:not(p)"]) {
        rw.on(s, { element(e) { log.push(s + " " + e.tagName + e.getAttribute("id")); } });
      }
      return rw;
    });
    const closedBy = "<ul id=u><li id=1>a<li id=2>b</ul><div><p id=p>x</div>";
    await run(out, "implicitClose", [closedBy], (rw, log) => rw.on("*", { element(e) { const id = e.getAttribute("id"); e.append("[a" + id + "]"); e.after("[f" + id + "]"); e.onEndTag((t) => { log.push(id + t.name); t.before("(b" + id + ")"); t.after("(A" + id + ")"); }); } }));
    await run(out, "implicitRename", [closedBy], (rw, log) => rw.on("li, p", { element(e) { const id = e.getAttribute("id"); if (id === "p") e.tagName = "q"; e.onEndTag((t) => { log.push(id + t.name); if (id == 2) t.name = "x"; }); } }));
    await run(out, "implicitRemove", [closedBy], (rw) => rw.on("li", { element(e) { if (e.getAttribute("id") == 2) e.remove(); } }).on("p", { element(e) { e.onEndTag((t) => t.remove()); } }));
    await run(out, "implicitInner", [closedBy], (rw) => rw.on("li, p", { element(e) { e.setInnerContent("I"); } }));
    await run(out, "dupAttrs", ["<a HREF=1 href=2 Data-X=y>t</a>"], (rw, log) => rw.on("a", { element(e) { log.push([...e.attributes], e.getAttribute("href")); e.setAttribute("HREF", "3"); e.setAttribute("New", "n"); } }));
    await run(out, "crlf", ["<p>\r\na\r\n</p>\r\n<br\r\nclass=x\r\n>"], (rw, log) => rw.on("p", { text(t) { log.push(t.text); } }).on("br", { element(e) { log.push(e.getAttribute("class")); e.setAttribute("k", "v"); } }));
    await run(out, "removedComments", ["<div><!--a--><p>t</p></div><!--b-->"], (rw, log) => rw.on("div", { element(e) { e.remove(); } }).onDocument({ comments(c) { log.push(c.text, c.removed); } }));
    await run(out, "innerAndEnd", ["<div>x</div>"], (rw, log) => rw.on("div", { element(e) { e.setInnerContent("I"); e.append("A"); e.prepend("P"); e.onEndTag((t) => { t.before("B"); }); } }));
    await run(out, "replaceVoid", ["<img src=a><br/><p>k</p>"], (rw) => rw.on("img, br", { element(e) { e.replace("<hr>", { html: true }); } }));
    await run(out, "removeKeepRename", ["<b>x</b>"], (rw) => rw.on("b", { element(e) { e.tagName = "i"; e.removeAndKeepContent(); } }));
    await run(out, "nestedSame", ["<div id=1><div id=2>a</div>b</div>"], (rw, log) => rw.on("div", { element(e) { const id = e.getAttribute("id"); e.onEndTag((t) => log.push("end" + id)); e.append("[" + id + "]"); } }));
    await run(out, "selectorWs", ["<ul><li class=a>1</li></ul>"], (rw, log) => rw.on("  ul\n>\tli.a  ", { element(e) { log.push("hit"); } }).on("ul li , ol li", { element() { log.push("list"); } }));
    await run(out, "asyncText", ["<p>ab</p>"], (rw, log) => rw.on("p", { async text(t) { await null; log.push(t.text); if (t.text) t.replace("X"); } }));
    await run(out, "attrEntitySet", ["<a title=x>y</a>"], (rw, log) => rw.on("a", { element(e) { e.setAttribute("title", "a & b < c > d \"q\" 'r'"); log.push(e.getAttribute("title")); } }));
    await run(out, "comments", ["<!-- hi --><p><!--x--><!----></p>"], (rw, log) => rw.on("p", { comments(c) { log.push(c.text); if (c.text === "x") c.text = "new"; } }).onDocument({ comments(c) { log.push("doc", c.text); } }));
    await run(out, "commentOps", ["<!--a--><!--b--><!--c-->"], (rw, log) => rw.onDocument({ comments(c) { if (c.text == "a") c.remove(); if (c.text == "b") { c.before("<x>"); c.after("<y>", { html: true }); } if (c.text == "c") c.replace("Z"); log.push(c.removed); } }));
    await run(out, "commentBad", ["<!--a-->"], (rw) => rw.onDocument({ comments(c) { c.text = "a-->b"; } }));
    await run(out, "doctype", ["<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"><html></html>"], (rw, log) => rw.onDocument({ doctype(d) { log.push(d.name, d.publicId, d.systemId); }, end(e) { e.append("<!--end-->", { html: true }); e.append("<x>"); } }));
    await run(out, "doctypeSimple", ["<!doctype html>\n<p>x</p>"], (rw, log) => rw.onDocument({ doctype(d) { log.push(d.name, d.publicId, d.systemId); } }));
    await run(out, "textOps", ["<p>ab</p><i>cd</i>"], (rw, log) => rw.on("p", { text(t) { if (t.text) { t.before("<"); t.after(">", { html: true }); } } }).on("i", { text(t) { if (t.text) t.replace("R"); else t.remove(); log.push(t.removed); } }));
    await run(out, "unclosed", ["<div><p>a<b>c"], (rw, log) => rw.on("*", { element(e) { e.append("[" + e.tagName + "]"); e.after("{" + e.tagName + "}"); e.onEndTag((t) => log.push("end " + t.name)); } }));
    await run(out, "entities", ["<p title='&lt;x&gt;'>&lt;&#65;&nbsp;</p>"], (rw, log) => rw.on("p", { element(e) { log.push(e.getAttribute("title")); }, text(t) { log.push(t.text); } }));
    await run(out, "async", ["<p>a</p><p>b</p>"], (rw, log) => rw.on("p", { async element(e) { await new Promise((r) => setTimeout(r, 2)); e.setAttribute("x", String(log.length)); log.push(1); } }).onDocument({ async end(e) { await null; e.append("!"); } }));
    await run(out, "throws", ["<p>x</p>"], (rw) => rw.on("p", { element() { throw new RangeError("boom"); } }));
    await run(out, "rejects", ["<p>x</p>"], (rw) => rw.on("p", { async element() { throw new Error("async boom"); } }));
    await run(out, "plaintext", ["<plaintext><p>x</p>"], textLog);
    await run(out, "cdata", ["<svg><![CDATA[ a<b ]]></svg>"], textLog);
    await run(out, "inject", ["<html><head><meta charset=utf-8></head><body><a href=/x>l</a></body></html>"], (rw) => rw.on("head", { element(e) { e.append("<script src=/s.js></script>", { html: true }); } }).on("a[href]", { element(e) { e.setAttribute("href", "https://ex.com" + e.getAttribute("href")); } }));
    await run(out, "tagsChunked", ["<a hr", "ef=\"x", "\" b=c", ">t</", "a><br", "/><!-", "- c --", "><!DOC", "TYPE html>"], tags);
    await run(out, "emptyDoc", [""], (rw, log) => rw.onDocument({ end(e) { log.push("end"); e.append("E"); } }));
    const TRICKY = [
      "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>a < b & c</title>" +
        "<style>p > a { color: red }</style><script>if (a < b && c > d) document.write('<p>x</p>')</script></head>" +
        "<body class=main><!-- a comment --><p id=one title='single' data-x=\"double\" hidden>Hello &amp; <b>world</b></p>" +
        "<img src=a.png alt=\"\"/><br><input value=unquoted disabled><ul><li>one<li>two</ul>" +
        "<svg viewBox='0 0 1 1'><circle r=1 /><g><rect/></g></svg><textarea><p>raw</p></textarea>" +
        "<p>caf\u00e9 \ud83d\ude00 \u4e16\u754c</p><div>unclosed",
      "a < b <3 c</p x> <!x> <?pi> </ > &lt; d <!---> <!--> <p/>",
      "<script><!-- if (a<b) --></script><script>var s = '</scr' + 'ipt>'</script>x<a title=\"it's\" b='say \"hi\"'>q</a>",
    ];
    const all = (rw, log) => rw
      .on("*", { element(e) { log.push(e.tagName); e.setAttribute("z", "1"); try { e.onEndTag((t) => log.push("/" + t.name)); } catch (err) { log.push(err.name + ": " + err.message); } }, text(t) { log.push([t.text, t.lastInTextNode]); } })
      .on("p", { text(t) { if (t.text) t.after("|"); } })
      .onDocument({ comments(c) { log.push("c:" + c.text); }, doctype(d) { log.push(d.name); }, text(t) { log.push(["D", t.text, t.lastInTextNode]); } });
    const pieces = (str, n) => { const a = Array.from(str); const o = []; for (let i = 0; i < a.length; i += n) o.push(a.slice(i, i + n).join("")); return o; };
    for (let d = 0; d < TRICKY.length; d++) {
      await run(out, "tricky" + d, [TRICKY[d]], all);
      await run(out, "tricky" + d + "by7", pieces(TRICKY[d], 7), all);
      await run(out, "tricky" + d + "by1", pieces(TRICKY[d], 1), all);
    }
    {
      let saved, savedT, savedE;
      await new HTMLRewriter().on("p", { element(e) { saved = e; e.onEndTag((t) => { savedE = t; }); }, text(t) { savedT = t; } }).transform(new Response("<p>x</p>")).text();
      const probe = (f) => { try { return f(); } catch (e) { return e.name + ": " + e.message; } };
      out.staleElement = [probe(() => saved.setAttribute("a", "b")), probe(() => saved.tagName), probe(() => savedT.text), probe(() => savedT.lastInTextNode), probe(() => savedE.name)];
    }
    const throws = (f) => { try { f(); return "ok"; } catch (e) { return e.name + ": " + e.message; } };
    out.badHandlers = [throws(() => new HTMLRewriter().on("p", 5)), throws(() => new HTMLRewriter().on("p", { element: 5 })), throws(() => new HTMLRewriter().on("p", { text: "x" })),
      throws(() => new HTMLRewriter().onDocument(5)), throws(() => new HTMLRewriter().onDocument({ end: {} })), throws(() => new HTMLRewriter().transform("x"))];
    out.usedBody = await (async () => { try { const res = new Response("<p>"); await res.text(); new HTMLRewriter().transform(res); return "ok"; } catch (e) { return e.name + ": " + e.message; } })();
    out.noBody = await (async () => { const r = new HTMLRewriter().onDocument({ end(e) { e.append("E"); } }).transform(new Response(null, { status: 204 })); return [r.status, r.body === null, await r.text()]; })();
    for (const ct of ["text/html; charset=utf-8", "text/html; charset=iso-8859-1", "text/html;charset=\"Windows-1252\"", "text/html"]) {
      const bytes = new Uint8Array([60, 112, 62, 0xe9, 0xff, 0x80, 60, 47, 112, 62]); // <p>\xe9\xff\x80</p>
      const log = [];
      const r = new HTMLRewriter().on("p", { element(e) { e.setAttribute("a", "\u00e9\u20ac"); }, text(t) { log.push(t.text); } }).transform(new Response(bytes, { headers: { "content-type": ct } }));
      out["charset " + ct] = [[...new Uint8Array(await r.arrayBuffer())], log];
    }
    {
      // input chunks that split UTF-8 sequences
      const b = enc.encode("<p>caf\u00e9 \ud83d\ude00 \u4e16</p><a title='\u00e9\u00e9'>x</a>");
      const parts = [];
      for (let i = 0; i < b.length; i += 3) parts.push(b.slice(i, i + 3));
      const log = [];
      const body = new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } });
      const res = new HTMLRewriter().on("p", { text(t) { log.push(t.text); } }).on("a", { element(e) { log.push(e.getAttribute("title")); e.setAttribute("t", "\u00e9"); } }).transform(new Response(body));
      out.utf8Split = [await res.text(), log];
    }
    out.contentLength = new HTMLRewriter().transform(new Response("<p>x</p>", { headers: { "content-length": "8" } })).headers.get("content-length");
    for (const s of ["p + a", "p ~ a", "p:last-child", "", "a >", "[=x]", "svg|a", "p:not()", ".1a", "p::before", "a[href=x i]", "p:nth-child(odd)", "p:nth-child(-n+3)", ":first-child", "P", "#a.b", "*|a", "a:only-child", "p,", ",p", "p  >  a", "a[b='c'", "a[b=c d]", "p:nth-of-type(even)", "p[", "a:hover", "div,,p", "> p", "a[href]b"]) {
      try { new HTMLRewriter().on(s, {}); out["sel " + s] = "ok"; } catch (e) { out["sel " + s] = e.name + ": " + e.message; }
    }
    return Response.json(out);
  },
};
