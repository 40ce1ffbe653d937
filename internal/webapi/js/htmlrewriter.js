// htmlrewriter.js: HTMLRewriter, the Workers streaming HTML rewriter
// (workerd builds it on lol-html). It is written here in JavaScript: a
// streaming tokenizer, an open-element stack for the selectors, and the
// handler objects (Element, EndTag, Text, Comment, Doctype, DocumentEnd).
//
// Decision (JavaScript, not Go with x/net/html's tokenizer), measured
// 2026-11-28 on the 2-core development machine while others' tests ran
// (load 1.9-3.1). bench/htmlrewriter.sh serves a 1 MiB page (11,600 table
// rows, 64 KiB chunks) and reports server CPU per page, workerd / zerostack
// (00:21 run; bench/README.md has the others): passthrough anchor 8.6 / 17
// ms; a selector matching nothing 9.6 / 47 ms; one a[href] handler (11,600
// calls) 391 / 89 ms; that plus a text handler on td (58,000 calls) 1,975 /
// 149 ms. The cost here is the tokenizer; a handler call costs little
// because it stays in JavaScript. In Go the handlers would still be
// JavaScript: every matched element and text chunk would cross Go -> JS at
// 1.4 us a call before any attribute is marshalled (BenchmarkGoToJS in
// internal/v8), 80 ms for the 58,000 calls above, and an async handler would
// have to park the Go tokenizer on a JavaScript promise; x/net is only an
// indirect dependency. A Go tokenizer would win where handlers match rarely
// (the 47 ms case): that is the optimisation to try if profiles show it.
// BenchmarkHTMLRewriter1MiB / BenchmarkHTMLPassthrough1MiB measure the same
// in-process.
//
// Behaviour follows lol-html as workerd exposes it, checked against workerd
// by internal/difftest/testdata/htmlrewriter.js:
//   - the output is the input, byte for byte, except where a handler changed
//     something; a changed start tag is written again as
//     <name attr... > with untouched attributes as they were written and set
//     ones as name="value" ('"' written &quot;), " />" when self-closing;
//   - text is not entity-decoded (Text.text and attribute values are raw);
//   - text arrives in chunks: one per input chunk, split again at a "<" that
//     starts no tag, and an empty chunk with lastInTextNode closes each text
//     node;
//   - content is escaped (& < > only) unless { html: true };
//   - before() adds after earlier before()s, after() and prepend() go in
//     front of earlier ones;
//   - there are no implied end tags: an element closes at its own end tag,
//     which also closes what was opened inside it (see endTag), void
//     elements and self-closing foreign ones at once; an element never
//     closed gets no end-tag handlers, append() or after() content;
//   - element-scoped handlers run before document ones; a handler that
//     returns a promise is waited for; a throw errors the response body.
import { defineGlobal } from "./host.js";

const HTML_NS = "http://www.w3.org/1999/xhtml";
const SVG_NS = "http://www.w3.org/2000/svg";
const MATHML_NS = "http://www.w3.org/1998/Math/MathML";

const VOID = new Set(["area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input",
  "keygen", "link", "meta", "param", "source", "track", "wbr"]);
const RAWTEXT = new Set(["script", "style", "xmp", "iframe", "noembed", "noframes", "title", "textarea", "plaintext"]);
const BREAKOUT = new Set(["b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed",
  "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre",
  "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"]);
const SVG_HTML_POINTS = new Set(["foreignobject", "desc", "title"]);
const MATHML_HTML_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext"]);

function isThenable(v) {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";
}

function escapeText(s) {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function content(value, options) {
  const s = String(value);
  return options && options.html ? s : escapeText(s);
}

function isWS(c) {
  return c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
}

function isAlpha(c) {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

// ---------------------------------------------------------------------------
// Selectors

function selectorError(msg) {
  return new TypeError("Parser error: " + msg);
}

// parseSelector turns a selector list into an array of complex selectors,
// each an array of compounds from left to right; compounds after the first
// carry the combinator that joins them to the one before (" " or ">").
function parseSelector(src) {
  let i = 0;
  const n = src.length;
  const peek = () => src[i];
  const skipWS = () => {
    let any = false;
    while (i < n && isWS(src[i])) { i++; any = true; }
    return any;
  };
  const isIdentChar = (c) => c !== undefined && (isAlpha(c) || (c >= "0" && c <= "9") || c === "-" || c === "_" || c > "\x7f" || c === "\\");
  const ident = () => {
    let s = "";
    while (i < n) {
      const c = src[i];
      if (c === "\\" && i + 1 < n) { s += src[i + 1]; i += 2; continue; }
      if (!isIdentChar(c)) break;
      s += c;
      i++;
    }
    return s;
  };
  const identStart = (c) => c !== undefined && (isAlpha(c) || c === "_" || c === "-" || c > "\x7f" || c === "\\");
  const quoted = () => {
    const q = src[i++];
    let s = "";
    while (i < n && src[i] !== q) {
      if (src[i] === "\\" && i + 1 < n) { s += src[i + 1]; i += 2; continue; }
      s += src[i++];
    }
    i++; // an unterminated string runs to the end, as lol-html accepts it
    return s;
  };
  const nth = (arg) => {
    const s = arg.trim().toLowerCase().replace(/\s+/g, "");
    if (s === "odd") return [2, 1];
    if (s === "even") return [2, 0];
    const m = /^([+-]?\d*)n([+-]\d+)?$/.exec(s);
    if (m) {
      const a = m[1] === "" || m[1] === "+" ? 1 : m[1] === "-" ? -1 : parseInt(m[1], 10);
      return [a, m[2] ? parseInt(m[2], 10) : 0];
    }
    if (/^[+-]?\d+$/.test(s)) return [0, parseInt(s, 10)];
    throw selectorError("Unexpected token in selector.");
  };
  // compound parses one compound selector; it returns null when none starts here.
  const compound = () => {
    const c = { tag: null, tests: [] };
    let any = false;
    if (peek() === "*") {
      i++;
      any = true;
      if (peek() === "|") { i++; if (peek() === "*") i++; else c.tag = ident().toLowerCase(); }
    } else if (identStart(peek())) {
      const name = ident();
      if (peek() === "|") throw selectorError("Selectors with explicit namespaces are not supported.");
      c.tag = name.toLowerCase();
      any = true;
    } else if (peek() === "|") {
      throw selectorError("Selectors with explicit namespaces are not supported.");
    }
    for (;;) {
      const ch = peek();
      if (ch === "#") {
        i++;
        const id = ident();
        if (id === "") throw selectorError("The selector is empty.");
        c.tests.push({ kind: "attr", name: "id", op: "=", value: id, ci: false });
      } else if (ch === ".") {
        i++;
        if (!identStart(peek())) throw selectorError("The selector is empty.");
        c.tests.push({ kind: "attr", name: "class", op: "~=", value: ident(), ci: false });
      } else if (ch === "[") {
        i++;
        skipWS();
        if (i >= n) throw selectorError("Unexpected end of selector.");
        if (peek() === "*" && src[i + 1] === "|") i += 2;
        const name = ident().toLowerCase();
        if (peek() === "|" && src[i + 1] !== "=") throw selectorError("Selectors with explicit namespaces are not supported.");
        if (name === "") {
          if (i >= n) throw selectorError("Unexpected end of selector.");
          throw selectorError("Missing attribute name in attribute selector.");
        }
        skipWS();
        if (i >= n) throw selectorError("Unexpected end of selector.");
        let op = null;
        let value = "";
        let ci = false;
        if (peek() === "]") {
          i++;
        } else {
          if (peek() === "=") { op = "="; i++; } else if ("~^$*|".includes(peek()) && src[i + 1] === "=") { op = src[i] + "="; i += 2; } else {
            throw selectorError("Unexpected token in the attribute selector.");
          }
          skipWS();
          if (i >= n) throw selectorError("Unexpected end of selector.");
          if (peek() === '"' || peek() === "'") value = quoted();
          else {
            value = ident();
            if (value === "") throw selectorError("Unexpected token in selector.");
          }
          skipWS();
          if (peek() === "i" || peek() === "I") { ci = true; i++; skipWS(); } else if (peek() === "s" || peek() === "S") { i++; skipWS(); }
          if (i < n) {
            if (peek() !== "]") throw selectorError("Unexpected token in selector.");
            i++;
          }
        }
        c.tests.push({ kind: "attr", name, op, value: ci ? value.toLowerCase() : value, ci });
      } else if (ch === ":") {
        i++;
        if (peek() === ":") throw selectorError("Unsupported pseudo-class or pseudo-element in selector.");
        const name = ident().toLowerCase();
        if (peek() === "(") {
          i++;
          if (name === "not") {
            skipWS();
            const inner = [];
            for (;;) {
              const cc = compound();
              if (!cc) throw selectorError("The selector is empty.");
              inner.push(cc);
              skipWS();
              if (peek() === ",") { i++; skipWS(); continue; }
              break;
            }
            if (peek() !== ")") throw selectorError(i >= n ? "Unexpected end of selector." : "Unexpected token in selector.");
            i++;
            c.tests.push({ kind: "not", inner });
          } else if (name === "nth-child" || name === "nth-of-type") {
            const end = src.indexOf(")", i);
            if (end < 0) throw selectorError("Unexpected end of selector.");
            const [a, b] = nth(src.slice(i, end));
            i = end + 1;
            c.tests.push({ kind: name === "nth-child" ? "nth" : "nthType", a, b });
          } else {
            throw selectorError("Unsupported pseudo-class or pseudo-element in selector.");
          }
        } else if (name === "first-child") {
          c.tests.push({ kind: "nth", a: 0, b: 1 });
        } else if (name === "first-of-type") {
          c.tests.push({ kind: "nthType", a: 0, b: 1 });
        } else {
          throw selectorError("Unsupported pseudo-class or pseudo-element in selector.");
        }
      } else {
        break;
      }
      any = true;
    }
    return any ? c : null;
  };

  const list = [];
  skipWS();
  for (;;) {
    const complex = [];
    let comb = null;
    for (;;) {
      const c = compound();
      if (!c) {
        if (comb === ">") throw selectorError(i >= n ? "Dangling combinator in selector." : "Unexpected token in selector.");
        if (complex.length === 0) {
          if (i >= n || src[i] === "," || src[i] === ">") throw selectorError("The selector is empty.");
          if (src[i] === "+" || src[i] === "~") throw selectorError("Dangling combinator in selector.");
          throw selectorError("Unexpected token in selector.");
        }
        break;
      }
      c.comb = comb;
      complex.push(c);
      const ws = skipWS();
      const ch = peek();
      if (ch === ">") { i++; skipWS(); comb = ">"; continue; }
      if (ch === "+" || ch === "~") throw selectorError("Unsupported combinator `" + ch + "` in selector.");
      if (ch === "," || ch === undefined) break;
      if (ws) { comb = " "; continue; }
      throw selectorError("Unexpected token in selector.");
    }
    list.push(complex);
    if (peek() === ",") {
      i++;
      skipWS();
      if (i >= n) throw selectorError("The selector is empty.");
      continue;
    }
    if (i < n) throw selectorError("Unexpected token in selector.");
    break;
  }
  return list;
}

function attrMatches(t, el) {
  const v = el.attrValue(t.name);
  if (v === null) return false;
  if (t.op === null) return true;
  const have = t.ci ? v.toLowerCase() : v;
  const want = t.value;
  switch (t.op) {
    case "=": return have === want;
    case "~=": return want !== "" && !/\s/.test(want) && have.split(/[ \t\n\f\r]+/).includes(want);
    case "^=": return want !== "" && have.startsWith(want);
    case "$=": return want !== "" && have.endsWith(want);
    case "*=": return want !== "" && have.includes(want);
    case "|=": return have === want || have.startsWith(want + "-");
  }
  return false;
}

function nthMatches(a, b, idx) {
  if (a === 0) return idx === b;
  const d = idx - b;
  return d % a === 0 && d / a >= 0;
}

function compoundMatches(c, el) {
  if (c.tag !== null && c.tag !== el.name) return false;
  for (const t of c.tests) {
    switch (t.kind) {
      case "attr":
        if (!attrMatches(t, el)) return false;
        break;
      case "nth":
        if (!nthMatches(t.a, t.b, el.childIndex)) return false;
        break;
      case "nthType":
        if (!nthMatches(t.a, t.b, el.typeIndex)) return false;
        break;
      case "not":
        for (const inner of t.inner) if (compoundMatches(inner, el)) return false;
        break;
    }
  }
  return true;
}

// complexMatches matches compounds[0..k] with compounds[k] at stack[pos].
function complexMatches(compounds, k, stack, pos) {
  if (!compoundMatches(compounds[k], stack[pos])) return false;
  if (k === 0) return true;
  const comb = compounds[k].comb;
  if (comb === ">") return pos > 0 && complexMatches(compounds, k - 1, stack, pos - 1);
  for (let p = pos - 1; p >= 0; p--) {
    if (complexMatches(compounds, k - 1, stack, p)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Open elements

class OpenElement {
  constructor(name, ns, attrs, childIndex, typeIndex) {
    this.name = name; // lower case
    this.ns = ns;
    this.attrs = attrs; // [{name (lower case), value, raw (as written; null once set), orig (the name as written)}]
    this.childIndex = childIndex;
    this.typeIndex = typeIndex;
    this.children = 0;
    this.types = null;
    this.matched = null; // indexes of the .on() entries that matched
    this.endName = null; // a renamed tag's end tag
    this.endHandlers = null;
    this.append = null;
    this.after = null;
    this.removeContent = false; // remove, replace, setInnerContent
    this.removeEndTag = false; // remove, replace, removeAndKeepContent
    this.removeCounted = false;
    this.pos = 0; // index on the stack
    this.isVoid = false; // closed by its start tag
  }

  attrValue(name) {
    for (const a of this.attrs) if (a.name === name) return a.value;
    return null;
  }

  nextType(name) {
    if (!this.types) this.types = new Map();
    const n = (this.types.get(name) || 0) + 1;
    this.types.set(name, n);
    return n;
  }
}

// ---------------------------------------------------------------------------
// Handler objects. Each is live while the handlers for its token run.

const E = Symbol("state");
const LAST = Symbol("lastInTextNode");

// live returns a handler object's state while its handlers run; workerd
// refuses a token kept and used after that.
function live(o) {
  const st = o[E];
  if (st.dead) {
    throw new TypeError("This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.");
  }
  return st;
}

class Element {
  constructor(st) {
    this[E] = st;
  }

  get tagName() { return live(this).name; }
  set tagName(v) {
    const st = live(this);
    st.name = String(v).toLowerCase();
    st.modified = true;
    if (st.open) st.open.endName = st.name;
  }
  get namespaceURI() { return live(this).ns; }
  get selfClosing() { return live(this).selfClosing; }
  get canHaveContent() { return live(this).canHaveContent; }
  get removed() { return live(this).removed || live(this).inRemoved; }
  get attributes() {
    return live(this).attrs.map((a) => [a.name, a.value])[Symbol.iterator]();
  }

  getAttribute(name) {
    const n = String(name).toLowerCase();
    for (const a of live(this).attrs) if (a.name === n) return a.value;
    return null;
  }

  hasAttribute(name) {
    return this.getAttribute(name) !== null;
  }

  setAttribute(name, value) {
    const st = live(this);
    const n = String(name).toLowerCase();
    const v = String(value);
    st.modified = true;
    for (const a of st.attrs) {
      if (a.name === n) {
        a.value = v;
        a.raw = null;
        return this;
      }
    }
    st.attrs.push({ name: n, value: v, raw: null, orig: n });
    return this;
  }

  removeAttribute(name) {
    const st = live(this);
    const n = String(name).toLowerCase();
    const i = st.attrs.findIndex((a) => a.name === n);
    if (i >= 0) {
      st.attrs.splice(i, 1);
      st.modified = true;
    }
    return this;
  }

  before(c, o) { live(this).before.push(content(c, o)); return this; }
  after(c, o) { live(this).after.unshift(content(c, o)); return this; }
  prepend(c, o) {
    const st = live(this);
    if (st.canHaveContent) st.prepend.unshift(content(c, o));
    return this;
  }
  append(c, o) {
    const st = live(this);
    if (st.canHaveContent) st.append.push(content(c, o));
    return this;
  }
  setInnerContent(c, o) {
    const st = live(this);
    if (!st.canHaveContent) return this;
    st.inner = content(c, o);
    st.prepend.length = 0;
    st.append.length = 0;
    return this;
  }
  replace(c, o) {
    const st = live(this);
    st.replacement = content(c, o);
    st.removed = true;
    st.keepContent = false;
    return this;
  }
  remove() {
    const st = live(this);
    st.removed = true;
    st.keepContent = false;
    return this;
  }
  removeAndKeepContent() {
    const st = live(this);
    st.removed = true;
    st.keepContent = true;
    return this;
  }
  onEndTag(handler) {
    if (typeof handler !== "function") throw new TypeError("Failed to execute 'onEndTag' on 'Element': parameter 1 is not a function.");
    const st = live(this);
    if (!st.canHaveContent) throw new TypeError("Parser error: No end tag.");
    st.endHandlers.push(handler);
  }

  get [Symbol.toStringTag]() { return "Element"; }
}

const TOK = Symbol("token");

class EndTag {
  constructor(tok, st) { this[TOK] = tok; this[E] = st; }
  get name() { live(this); return this[TOK].name; }
  set name(v) { live(this); this[TOK].name = String(v).toLowerCase(); this[TOK].modified = true; }
  before(c, o) { live(this).before.push(content(c, o)); return this; }
  after(c, o) { live(this).after.unshift(content(c, o)); return this; }
  remove() { this[TOK].removed = true; return this; }
  get [Symbol.toStringTag]() { return "EndTag"; }
}

// Chunk is the state behind Text and Comment.
function chunkState(text) {
  return { text, before: [], after: [], replacement: null, removed: false, modified: false };
}

class Text {
  constructor(st, last) { this[E] = st; this[LAST] = last; }
  get lastInTextNode() { live(this); return this[LAST]; }
  get text() { return live(this).text; }
  get [Symbol.toStringTag]() { return "Text"; }
}

class Comment {
  constructor(st) { this[E] = st; }
  get text() { return live(this).text; }
  set text(v) {
    const s = String(v);
    if (s.includes("-->")) throw new TypeError("Parser error: Comment text shouldn't contain a comment-closing sequence.");
    live(this).text = s;
    live(this).modified = true;
  }
  get [Symbol.toStringTag]() { return "Comment"; }
}

// Text and Comment share their mutations (chunkState), written once and
// defined on both prototypes, each of which stays a class of its own as in
// workerd.
const chunkMethods = {
  get removed() { return live(this).removed; },
  before(c, o) { live(this).before.push(content(c, o)); return this; },
  after(c, o) { live(this).after.unshift(content(c, o)); return this; },
  replace(c, o) { live(this).replacement = content(c, o); live(this).removed = true; return this; },
  remove() { live(this).removed = true; return this; },
};
for (const cls of [Text, Comment]) {
  const ds = Object.getOwnPropertyDescriptors(chunkMethods);
  for (const d of Object.values(ds)) d.enumerable = false;
  Object.defineProperties(cls.prototype, ds);
}

class Doctype {
  constructor(st) { this[E] = st; }
  get name() { return live(this).name; }
  get publicId() { return live(this).publicId; }
  get systemId() { return live(this).systemId; }
  get removed() { return live(this).removed; }
  remove() { live(this).removed = true; return this; }
  get [Symbol.toStringTag]() { return "Doctype"; }
}

class DocumentEnd {
  constructor(st) { this[E] = st; }
  append(c, o) { live(this).tail.push(content(c, o)); return this; }
  get [Symbol.toStringTag]() { return "DocumentEnd"; }
}

// ---------------------------------------------------------------------------
// The rewriter proper. Its steps are generators that yield only the promise
// of an async handler: drive() runs them synchronously (no promise or
// microtask per token) and goes async only when a handler does.

function drive(gen) {
  const first = gen.next();
  if (first.done) return first.value;
  return (async () => {
    let r = first;
    while (!r.done) {
      await r.value;
      r = gen.next();
    }
    return r.value;
  })();
}

const DATA = 0;
const RAW = 1;
const PLAIN = 2;

// parseDoctype reads name, publicId and systemId from the text between
// "<!DOCTYPE" and ">".
function parseDoctype(body) {
  const m = /^\s*([^\s>]*)\s*(.*)$/s.exec(body);
  const name = m[1] ? m[1].toLowerCase() : null;
  let rest = m[2];
  let publicId = null;
  let systemId = null;
  const str = () => {
    rest = rest.replace(/^\s+/, "");
    const q = rest[0];
    if (q !== '"' && q !== "'") return null;
    const end = rest.indexOf(q, 1);
    const v = end < 0 ? rest.slice(1) : rest.slice(1, end);
    rest = end < 0 ? "" : rest.slice(end + 1);
    return v;
  };
  const kw = /^(public|system)/i.exec(rest);
  if (kw) {
    rest = rest.slice(kw[0].length);
    if (kw[1].toLowerCase() === "public") {
      publicId = str();
      if (publicId !== null) systemId = str();
    } else {
      systemId = str();
    }
  }
  return { name, publicId, systemId };
}

// scanAttrs reads attributes from s starting at i (just after a tag name).
// It returns { attrs, selfClosing, end } with end just past ">", or null when
// s ends first.
function scanAttrs(s, i) {
  const attrs = [];
  const n = s.length;
  let selfClosing = false;
  for (;;) {
    while (i < n && isWS(s[i])) i++;
    if (i >= n) return null;
    let c = s[i];
    if (c === ">") return { attrs, selfClosing, end: i + 1 };
    if (c === "/") {
      i++;
      if (i >= n) return null;
      if (s[i] === ">") { selfClosing = true; return { attrs, selfClosing, end: i + 1 }; }
      continue;
    }
    const start = i;
    i++; // the first character may be "="
    while (i < n && !isWS(c = s[i]) && c !== "/" && c !== ">" && c !== "=") i++;
    if (i >= n) return null;
    const name = s.slice(start, i).toLowerCase();
    let j = i;
    while (j < n && isWS(s[j])) j++;
    if (j >= n) return null;
    if (s[j] !== "=") {
      attrs.push({ name, value: "", raw: s.slice(start, i), orig: s.slice(start, i) });
      i = j;
      continue;
    }
    j++;
    while (j < n && isWS(s[j])) j++;
    if (j >= n) return null;
    const q = s[j];
    let value;
    if (q === '"' || q === "'") {
      const e = s.indexOf(q, j + 1);
      if (e < 0) return null;
      value = s.slice(j + 1, e);
      j = e + 1;
    } else {
      const vs = j;
      while (j < n && !isWS(c = s[j]) && c !== ">") j++;
      if (j >= n) return null;
      value = s.slice(vs, j);
    }
    attrs.push({ name, value, raw: s.slice(start, j), orig: s.slice(start, i) });
    i = j;
  }
}

class Rewriter {
  constructor(elementHandlers, documentHandlers) {
    this.eh = elementHandlers; // [{ sel, h }]
    this.dh = documentHandlers;
    this.active = new Int32Array(elementHandlers.length); // open elements matching each entry
    this.textEntries = [];
    this.commentEntries = [];
    elementHandlers.forEach((e, i) => {
      if (e.h && e.h.text) this.textEntries.push(i);
      if (e.h && e.h.comments) this.commentEntries.push(i);
    });
    this.docText = documentHandlers.filter((h) => h && h.text);
    this.docComments = documentHandlers.filter((h) => h && h.comments);
    this.docDoctype = documentHandlers.filter((h) => h && h.doctype);
    this.docEnd = documentHandlers.filter((h) => h && h.end);
    this.anyText = this.textEntries.length > 0 || this.docText.length > 0;
    this.noComments = this.commentEntries.length === 0 && this.docComments.length === 0;
    // :nth-of-type and :first-of-type need per-name sibling counts
    const hasType = (c) => c.tests.some((t) => t.kind === "nthType" || (t.kind === "not" && t.inner.some(hasType)));
    this.needTypes = elementHandlers.some((e) => e.sel.some((complex) => complex.some(hasType)));
    this.root = new OpenElement("", HTML_NS, [], 0, 0);
    this.stack = [];
    this.buf = "";
    this.out = [];
    this.mode = DATA;
    this.rawName = "";
    this.escaped = false;
    this.pending = "";
    this.inText = false;
    this.removedDepth = 0;
    this.later = null; // see markup
  }

  emit(s) {
    if (this.removedDepth === 0 && s !== "") this.out.push(s);
  }

  take() {
    const s = this.out.join("");
    this.out.length = 0;
    return s;
  }

  // textChunk runs the text handlers for one chunk and writes it.
  *textChunk(text, last) {
    if (text !== "") this.inText = true;
    if (!this.anyText) {
      this.emit(text);
      return;
    }
    let st = null;
    for (const i of this.textEntries) {
      if (this.active[i] === 0) continue;
      if (!st) st = chunkState(text);
      const h = this.eh[i].h;
      const r = h.text.call(h, new Text(st, last));
      if (isThenable(r)) yield r;
    }
    for (const h of this.docText) {
      if (!st) st = chunkState(text);
      const r = h.text.call(h, new Text(st, last));
      if (isThenable(r)) yield r;
    }
    if (!st) {
      this.emit(text);
      return;
    }
    st.dead = true;
    for (const s of st.before) this.emit(s);
    if (st.replacement !== null) this.emit(st.replacement);
    else if (!st.removed) this.emit(text);
    for (const s of st.after) this.emit(s);
  }

  *flushText() {
    if (!this.anyText) {
      if (this.pending !== "") {
        this.emit(this.pending);
        this.pending = "";
        this.inText = true;
      }
      return;
    }
    if (this.pending !== "") {
      const p = this.pending;
      this.pending = "";
      yield* this.textChunk(p, false);
    }
  }

  // endText closes the text node before a tag, comment or the end.
  *endText() {
    yield* this.flushText();
    if (this.inText) {
      this.inText = false;
      yield* this.textChunk("", true);
    }
  }

  *comment(raw, text, open, close) {
    if (this.pending !== "" || this.inText) yield* this.endText();
    let st = null;
    for (const i of this.commentEntries) {
      if (this.active[i] === 0) continue;
      if (!st) st = chunkState(text);
      const h = this.eh[i].h;
      const r = h.comments.call(h, new Comment(st));
      if (isThenable(r)) yield r;
    }
    for (const h of this.docComments) {
      if (!st) st = chunkState(text);
      const r = h.comments.call(h, new Comment(st));
      if (isThenable(r)) yield r;
    }
    if (!st) {
      this.emit(raw);
      return;
    }
    st.dead = true;
    for (const s of st.before) this.emit(s);
    if (st.replacement !== null) this.emit(st.replacement);
    else if (!st.removed) this.emit(st.modified ? open + st.text + close : raw);
    for (const s of st.after) this.emit(s);
  }

  *doctype(raw, body) {
    if (this.pending !== "" || this.inText) yield* this.endText();
    if (this.docDoctype.length === 0) {
      this.emit(raw);
      return;
    }
    const st = parseDoctype(body);
    st.removed = false;
    for (const h of this.docDoctype) {
      const r = h.doctype.call(h, new Doctype(st));
      if (isThenable(r)) yield r;
    }
    st.dead = true;
    if (!st.removed) this.emit(raw);
  }

  currentNS() {
    const top = this.stack.length ? this.stack[this.stack.length - 1] : null;
    return top ? top.ns : HTML_NS;
  }

  *startTag(raw, rawName, attrs, selfClosing) {
    if (this.pending !== "" || this.inText) yield* this.endText();
    const el = this.openElement(rawName, attrs, selfClosing);
    if (el.matched) yield* this.elementHandlers(raw, el, selfClosing);
    else this.plainStart(raw, el);
  }

  // endTextPlain closes the text node when no text handler is registered.
  endTextPlain() {
    this.emit(this.pending);
    this.pending = "";
    this.inText = false;
  }

  // openElement puts a started element on the stack and matches the
  // selectors against it.
  openElement(rawName, attrs, selfClosing) {
    const name = rawName.toLowerCase();
    // Foreign content: svg and math open it; a few HTML tags break out of
    // it; integration points hold HTML.
    let top = this.stack.length ? this.stack[this.stack.length - 1] : null;
    let ns;
    if (top && top.ns !== HTML_NS && !this.integration(top)) {
      if (BREAKOUT.has(name) || (name === "font" && attrs.some((a) => a.name === "color" || a.name === "face" || a.name === "size"))) {
        while (this.stack.length && this.stack[this.stack.length - 1].ns !== HTML_NS && !this.integration(this.stack[this.stack.length - 1])) {
          this.pop(this.stack.length - 1);
        }
        top = this.stack.length ? this.stack[this.stack.length - 1] : null;
        ns = HTML_NS;
      } else {
        ns = top.ns;
      }
    } else {
      ns = HTML_NS;
    }
    if (name === "svg") ns = SVG_NS;
    else if (name === "math") ns = MATHML_NS;
    const parent = top || this.root;
    parent.children++;
    const el = new OpenElement(name, ns, attrs, parent.children, this.needTypes ? parent.nextType(name) : 0);
    this.stack.push(el);
    el.pos = this.stack.length - 1;
    el.isVoid = ns === HTML_NS ? VOID.has(name) : selfClosing;
    let matched = null;
    for (let i = 0; i < this.eh.length; i++) {
      for (const complex of this.eh[i].sel) {
        if (complexMatches(complex, complex.length - 1, this.stack, el.pos)) {
          (matched || (matched = [])).push(i);
          break;
        }
      }
    }
    el.matched = matched;
    return el;
  }

  // plainStart writes a start tag that no handler saw.
  plainStart(raw, el) {
    this.emit(raw);
    this.afterStart(el);
  }

  // afterStart closes a void element at once, or enters raw text.
  afterStart(el) {
    if (el.isVoid) {
      this.pop(el.pos);
      return;
    }
    const name = el.name;
    if (el.ns === HTML_NS && RAWTEXT.has(name)) {
      this.mode = name === "plaintext" ? PLAIN : RAW;
      this.rawName = name;
      this.escaped = false;
    }
  }

  // elementHandlers runs the element handlers of a matched start tag and
  // writes what they made of it.
  *elementHandlers(raw, el, selfClosing) {
    const { name, ns, attrs, isVoid, matched } = el;
    for (const i of matched) this.active[i]++;
    const st = {
      name, ns, attrs, selfClosing, canHaveContent: !isVoid, open: isVoid ? null : el, modified: false,
      before: [], after: [], prepend: [], append: [], inner: null, replacement: null, removed: false,
      keepContent: false, inRemoved: this.removedDepth > 0, endHandlers: [],
    };
    for (const i of matched) {
      const h = this.eh[i].h;
      if (!h || !h.element) continue;
      const r = h.element.call(h, new Element(st));
      if (isThenable(r)) yield r;
    }
    st.dead = true;
    for (const s of st.before) this.emit(s);
    if (st.replacement !== null) this.emit(st.replacement);
    if (!st.removed) {
      if (st.modified) {
        let s = "<" + st.name;
        for (const a of st.attrs) s += " " + (a.raw !== null ? a.raw : a.orig + '="' + a.value.replace(/"/g, "&quot;") + '"');
        this.emit(s + (selfClosing ? " />" : ">"));
      } else {
        this.emit(raw);
      }
    }
    if (!isVoid) {
      if (!st.removed || !st.keepContent) {
        if (st.removed) {
          el.removeContent = true;
          el.removeEndTag = true;
        } else {
          for (const s of st.prepend) this.emit(s);
          if (st.inner !== null) {
            this.emit(st.inner);
            el.removeContent = true;
          }
        }
      } else {
        el.removeEndTag = true;
      }
      if (st.name !== name) el.endName = st.name;
      if (st.append.length) el.append = st.append;
      if (st.after.length) el.after = st.after;
      if (st.endHandlers.length) el.endHandlers = st.endHandlers;
      if (el.removeContent) {
        this.removedDepth++;
        el.removeCounted = true;
      }
    } else {
      for (const s of st.after) this.emit(s);
    }
    this.afterStart(el);
  }

  integration(el) {
    return (el.ns === SVG_NS && SVG_HTML_POINTS.has(el.name)) || (el.ns === MATHML_NS && MATHML_HTML_POINTS.has(el.name));
  }

  // pop removes stack[pos] without an end tag (void elements and elements
  // closed implicitly).
  pop(pos) {
    const el = this.stack[pos];
    this.stack.splice(pos, 1);
    if (el.matched) for (const i of el.matched) this.active[i]--;
    if (el.removeCounted) this.removedDepth--;
  }

  // endTagPlain handles an end tag no handler or content change touches and
  // reports whether it did; it changes nothing when it returns false.
  endTagPlain(raw, rawName) {
    if (this.anyText && (this.pending !== "" || this.inText)) return false;
    const name = rawName.toLowerCase();
    let pos = -1;
    for (let p = this.stack.length - 1; p >= 0; p--) {
      const el = this.stack[p];
      if (el.endName !== null || el.removeEndTag || el.append || el.after || el.endHandlers) return false;
      if (el.name === name) { pos = p; break; }
    }
    if (pos < 0) return false;
    if (this.pending !== "" || this.inText) this.endTextPlain();
    while (this.stack.length - 1 >= pos) this.pop(this.stack.length - 1);
    this.emit(raw);
    return true;
  }

  // endTag closes the innermost open element of that name and every element
  // opened inside it. As in lol-html, the one end tag stands for each of
  // them, innermost first: a rename or removal by any of them carries over
  // to the next, while each one's before/after content replaces the previous
  // one's, so only the outermost element's is written.
  *endTag(raw, rawName) {
    if (this.pending !== "" || this.inText) yield* this.endText();
    const name = rawName.toLowerCase();
    let pos = -1;
    for (let p = this.stack.length - 1; p >= 0; p--) {
      if (this.stack[p].name === name) { pos = p; break; }
    }
    if (pos < 0) {
      this.emit(raw);
      return;
    }
    const tok = { name, removed: false, modified: false };
    let st = null;
    while (this.stack.length - 1 >= pos) {
      const top = this.stack.length - 1;
      const el = this.stack[top];
      this.pop(top);
      if (el.endName !== null) {
        tok.name = el.endName;
        tok.modified = true;
      }
      if (el.removeEndTag) tok.removed = true;
      st = { before: el.append ? el.append.slice() : [], after: [] };
      if (el.endHandlers) {
        for (const h of el.endHandlers) {
          const r = h(new EndTag(tok, st));
          if (isThenable(r)) yield r;
        }
        st.dead = true;
      }
      if (el.after) st.after.push(...el.after);
    }
    for (const s of st.before) this.emit(s);
    if (!tok.removed) this.emit(tok.modified ? "</" + tok.name + ">" : raw);
    for (const s of st.after) this.emit(s);
  }

  // step tokenizes this.buf; it stops where more input is needed unless
  // final. Returns nothing; output is in this.out.
  *step(final) {
    let s = this.buf;
    let i = 0;
    const n = s.length;
    for (;;) {
      if (i >= n) break;
      if (this.mode === PLAIN) {
        this.pending += s.slice(i);
        i = n;
        break;
      }
      const lt = s.indexOf("<", i);
      if (this.mode === RAW && this.escaped) {
        const dd = s.indexOf("-->", i);
        if (dd >= 0 && (lt < 0 || dd < lt)) {
          this.pending += s.slice(i, dd + 2);
          yield* this.flushText();
          this.pending = ">";
          this.escaped = false;
          i = dd + 3;
          continue;
        }
      }
      if (lt < 0) {
        // hold back a possible "--" of "-->" in escaped script
        const keep = this.mode === RAW && this.escaped && !final ? Math.min(n - i, s.endsWith("--") ? 2 : s.endsWith("-") ? 1 : 0) : 0;
        this.pending += s.slice(i, n - keep);
        i = n - keep;
        break;
      }
      this.pending += s.slice(i, lt);
      i = lt;
      const r = this.mode === DATA ? this.markup(s, i, final) : yield* this.rawMarkup(s, i, final);
      if (this.later !== null) {
        const g = this.later;
        this.later = null;
        yield* g;
      }
      if (r < 0) break; // need more input
      i = r;
    }
    this.buf = s.slice(i);
    if (final && this.buf !== "") {
      this.pending += this.buf;
      this.buf = "";
    }
    // Inside "<!--" in a script, lol-html keeps the text until the escape
    // ends or a "<" comes, across input chunks.
    if (final || !(this.mode === RAW && this.escaped)) yield* this.flushText();
  }

  // markup handles "<" at s[i] in the data state and returns the index after
  // what it consumed, or -1 to wait for more input. It is a plain function:
  // work that may run handlers is left in this.later, a generator that step
  // runs at once; tags no handler sees are done here, with no generator.
  markup(s, i, final) {
    const n = s.length;
    const c = s[i + 1];
    if (c === undefined) return final ? this.lone(i) : -1;
    if (isAlpha(c)) {
      let j = i + 2;
      let ch;
      while (j < n && !isWS(ch = s[j]) && ch !== "/" && ch !== ">") j++;
      if (j >= n) return final ? this.lone(i) : -1;
      const r = scanAttrs(s, j);
      if (!r) return final ? this.lone(i) : -1;
      const raw = s.slice(i, r.end);
      if (this.anyText && (this.pending !== "" || this.inText)) {
        this.later = this.startTag(raw, s.slice(i + 1, j), r.attrs, r.selfClosing);
      } else {
        if (this.pending !== "" || this.inText) this.endTextPlain();
        const el = this.openElement(s.slice(i + 1, j), r.attrs, r.selfClosing);
        if (el.matched) this.later = this.elementHandlers(raw, el, r.selfClosing);
        else this.plainStart(raw, el);
      }
      return r.end;
    }
    if (c === "/") {
      const c2 = s[i + 2];
      if (c2 === undefined) return final ? this.lone(i) : -1;
      if (isAlpha(c2)) {
        let j = i + 3;
        let ch;
        while (j < n && !isWS(ch = s[j]) && ch !== "/" && ch !== ">") j++;
        if (j >= n) return final ? this.lone(i) : -1;
        const r = scanAttrs(s, j);
        if (!r) return final ? this.lone(i) : -1;
        const raw = s.slice(i, r.end);
        const name = s.slice(i + 2, j);
        if (!this.endTagPlain(raw, name)) this.later = this.endTag(raw, name);
        return r.end;
      }
      if (c2 === ">") {
        // "</>" makes no token
        this.later = this.textThen("</>");
        return i + 3;
      }
      return this.bogus(s, i, 2, final);
    }
    if (c === "!") {
      if (s.startsWith("<!--", i)) {
        if (s.startsWith("<!-->", i)) { this.later = this.comment("<!-->", "", "<!--", "-->"); return i + 5; }
        if (s.startsWith("<!--->", i)) { this.later = this.comment("<!--->", "", "<!--", "-->"); return i + 6; }
        const e = s.indexOf("-->", i + 4);
        if (e < 0) return final ? this.lone(i) : -1;
        if (this.noComments && !(this.anyText && (this.pending !== "" || this.inText))) {
          if (this.pending !== "" || this.inText) this.endTextPlain();
          this.emit(s.slice(i, e + 3));
        } else {
          this.later = this.comment(s.slice(i, e + 3), s.slice(i + 4, e), "<!--", "-->");
        }
        return e + 3;
      }
      const rest = s.slice(i, i + 9);
      if (!final && (rest.length < 9 && ("<!doctype".startsWith(rest.toLowerCase()) || "<![CDATA[".startsWith(rest) || "<!--".startsWith(rest)))) return -1;
      if (rest.toLowerCase() === "<!doctype") {
        const e = s.indexOf(">", i);
        if (e < 0) return final ? this.lone(i) : -1;
        this.later = this.doctype(s.slice(i, e + 1), s.slice(i + 9, e));
        return e + 1;
      }
      if (rest === "<![CDATA[" && this.currentNS() !== HTML_NS) {
        const e = s.indexOf("]]>", i + 9);
        if (e < 0) return final ? this.lone(i) : -1;
        this.later = this.cdata(s.slice(i + 9, e));
        return e + 3;
      }
      return this.bogus(s, i, 2, final);
    }
    if (c === "?") return this.bogus(s, i, 1, final);
    return this.lone(i);
  }

  // lone leaves a "<" that starts no tag to be written as a text chunk of
  // its own, and returns the index after it.
  lone(i) {
    this.later = this.loneText();
    return i + 1;
  }

  *loneText() {
    yield* this.flushText();
    yield* this.textChunk("<", false);
  }

  // textThen closes the text node, then writes s.
  *textThen(s) {
    if (this.pending !== "" || this.inText) yield* this.endText();
    this.emit(s);
  }

  // cdata writes a CDATA section (text in foreign content) with its
  // delimiters as they were.
  *cdata(text) {
    yield* this.flushText();
    this.emit("<![CDATA[");
    yield* this.textChunk(text, false);
    this.emit("]]>");
  }

  bogus(s, i, skip, final) {
    const e = s.indexOf(">", i);
    if (e < 0) return final ? this.lone(i) : -1;
    this.later = this.comment(s.slice(i, e + 1), s.slice(i + skip, e), s.slice(i, i + skip), ">");
    return e + 1;
  }

  // rawMarkup handles "<" at s[i] inside script, style, title and the like.
  *rawMarkup(s, i, final) {
    const n = s.length;
    yield* this.flushText();
    const c = s[i + 1];
    if (c === undefined) {
      if (!final) return -1;
      yield* this.textChunk("<", false);
      return i + 1;
    }
    if (c === "/") {
      let j = i + 2;
      while (j < n && isAlpha(s[j])) j++;
      if (j >= n && !final) return -1;
      const name = s.slice(i + 2, j);
      if (name.toLowerCase() === this.rawName && (j >= n || isWS(s[j]) || s[j] === "/" || s[j] === ">")) {
        const r = j < n ? scanAttrs(s, j) : null;
        if (!r) {
          if (!final) return -1;
        } else {
          this.mode = DATA;
          this.escaped = false;
          yield* this.endTag(s.slice(i, r.end), name);
          return r.end;
        }
      }
      yield* this.textChunk(s.slice(i, j), false);
      return j;
    }
    if (c === "!" && this.rawName === "script") {
      if (n - i < 4 && !final) return -1;
      if (s.startsWith("<!--", i)) {
        this.escaped = true;
        this.pending += "<!--";
        return i + 4;
      }
      this.pending += "<!";
      return i + 2;
    }
    yield* this.textChunk("<", false);
    return i + 1;
  }

  *write(str) {
    this.buf += str;
    yield* this.step(false);
    return this.take();
  }

  *end(str) {
    this.buf += str;
    yield* this.step(true);
    if (this.pending !== "" || this.inText) yield* this.endText();
    if (this.docEnd.length) {
      const st = { tail: [], dead: false };
      for (const h of this.docEnd) {
        const r = h.end.call(h, new DocumentEnd(st));
        if (isThenable(r)) yield r;
      }
      st.dead = true;
      this.removedDepth = 0;
      for (const s of st.tail) this.emit(s);
    }
    return this.take();
  }
}

// ---------------------------------------------------------------------------

// isLatin1 reports whether a Content-Type names a charset that the Encoding
// standard reads as windows-1252 (iso-8859-1, latin1, us-ascii, ...). Such a
// document is read and written in that charset, as workerd does; any other
// charset is read as UTF-8.
function isLatin1(contentType) {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType || "");
  if (!m) return false;
  try {
    return new TextDecoder(m[1]).encoding === "windows-1252";
  } catch {
    return false;
  }
}

let from1252 = null;

// encode1252 writes s in windows-1252; a character it lacks becomes a
// numeric character reference.
function encode1252(s) {
  if (from1252 === null) {
    from1252 = new Map();
    const d = new TextDecoder("windows-1252");
    for (let b = 0x80; b < 0xa0; b++) from1252.set(d.decode(new Uint8Array([b])).charCodeAt(0), b);
  }
  const out = new Uint8Array(s.length * 8);
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    let b = c < 0x80 || (c >= 0xa0 && c <= 0xff) ? c : from1252.get(c);
    if (b === undefined && c >= 0x80 && c < 0xa0) b = c;
    if (b !== undefined) {
      out[n++] = b;
    } else {
      for (const r of "&#" + c + ";") out[n++] = r.charCodeAt(0);
    }
  }
  return out.slice(0, n);
}

// checkHandlers checks a handlers object as workerd's bindings do.
function checkHandlers(h, what) {
  const type = what === "on" ? "ElementContentHandlers" : "DocumentContentHandlers";
  if (h === undefined || h === null) return {};
  if (typeof h !== "object" && typeof h !== "function") {
    throw new TypeError(`Failed to execute '${what}' on 'HTMLRewriter': parameter ${what === "on" ? 2 : 1} is not of type '${type}'.`);
  }
  const fields = what === "on" ? ["element", "comments", "text"] : ["doctype", "comments", "text", "end"];
  for (const f of fields) {
    const v = h[f];
    if (v !== undefined && typeof v !== "function") {
      throw new TypeError(`Incorrect type for the '${f}' field on '${type}': the provided value is not of type 'function'.`);
    }
  }
  return h;
}

// HTMLRewriter collects handlers with on() and onDocument() and rewrites
// Response bodies with transform().
class HTMLRewriter {
  #element = [];
  #document = [];

  on(selector, handlers) {
    const sel = parseSelector(String(selector));
    this.#element.push({ sel, h: checkHandlers(handlers, "on") });
    return this;
  }

  onDocument(handlers) {
    this.#document.push(checkHandlers(handlers, "onDocument"));
    return this;
  }

  transform(response) {
    if (!(response instanceof Response)) {
      throw new TypeError("Failed to execute 'transform' on 'HTMLRewriter': parameter 1 is not of type 'Response'.");
    }
    const input = response.body;
    if (input === null) {
      const out = new Response(null, response);
      out.headers.delete("content-length");
      return out;
    }
    if (response.bodyUsed || input.locked) throw new TypeError("The ReadableStream has been locked to a reader.");
    const rw = new Rewriter(this.#element.slice(), this.#document.slice());
    const reader = input.getReader();
    const latin1 = isLatin1(response.headers.get("content-type"));
    const decoder = new TextDecoder(latin1 ? "windows-1252" : "utf-8");
    const encoder = latin1 ? { encode: encode1252 } : new TextEncoder();
    const body = new ReadableStream({
      async pull(controller) {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            let s = drive(rw.end(decoder.decode()));
            if (typeof s !== "string") s = await s;
            if (s !== "") controller.enqueue(encoder.encode(s));
            controller.close();
            return;
          }
          let s = drive(rw.write(decoder.decode(value, { stream: true })));
          if (typeof s !== "string") s = await s;
          if (s !== "") {
            controller.enqueue(encoder.encode(s));
            return;
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    // workerd never sends the original Content-Length with a rewritten
    // body (it goes out chunked) although its Headers still list it; here
    // the header itself is dropped, since the host sends a Content-Length
    // it is given.
    const out = new Response(body, response);
    out.headers.delete("content-length");
    return out;
  }

  get [Symbol.toStringTag]() { return "HTMLRewriter"; }
}

defineGlobal("HTMLRewriter", HTMLRewriter);
