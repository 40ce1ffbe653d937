package webapi

import (
	"fmt"
	"strings"
	"testing"
)

// consoleCase is one console call (js) and the log lines it must produce,
// each written as "level: text\n". With prefix set, want need only start
// the output (for stacks and timings).
type consoleCase struct {
	js, want string
	prefix   bool
}

var consoleCases = []consoleCase{
	{js: `console.log("plain")`, want: "log: plain\n"},
	{js: `console.log("a", 1, true, null, undefined)`, want: "log: a 1 true null undefined\n"},
	{js: `console.log({ a: 1, b: "x", c: [1, 2] })`, want: "log: { a: 1, b: 'x', c: [ 1, 2 ] }\n"},
	{js: `console.log([], {})`, want: "log: [] {}\n"},
	{js: `console.log({ a: { b: { c: { d: 1 } } } })`, want: "log: { a: { b: { c: [Object] } } }\n"},
	{js: `console.log([[[[1]]]])`, want: "log: [ [ [ [Array] ] ] ]\n"},
	{js: `console.log(new Map([["a", 1], [{}, [2]]]))`, want: "log: Map(2) { 'a' => 1, {} => [ 2 ] }\n"},
	{js: `console.log(new Set([1, "x"]), new Map(), new Set())`, want: "log: Set(2) { 1, 'x' } Map(0) {} Set(0) {}\n"},
	{js: `class Foo { constructor() { this.x = 1; } }; console.log(new Foo(), new (class Bar {})())`, want: "log: Foo { x: 1 } Bar {}\n"},
	{js: `const n = Object.create(null); console.log(n); n.a = 1; console.log(n)`, want: "log: [Object: null prototype] {}\nlog: [Object: null prototype] { a: 1 }\n"},
	{js: `console.log(new Date(0), { d: new Date(0) }, new Date(NaN))`, want: "log: 1970-01-01T00:00:00.000Z { d: 1970-01-01T00:00:00.000Z } Invalid Date\n"},
	{js: `console.log({ s: "it's" }, ["a\nb"], ["q'\"q"], ["\\"])`, want: "log: { s: \"it's\" } [ 'a\\nb' ] [ `q'\"q` ] [ '\\\\' ]\n"},
	{js: `console.log({ "a-b": 1, [Symbol("s")]: 2, valid_id$: 3 })`, want: "log: { 'a-b': 1, valid_id$: 3, [Symbol(s)]: 2 }\n"},
	{js: `const o = { name: "o" }; o.self = o; console.log(o)`, want: "log: <ref *1> { name: 'o', self: [Circular *1] }\n"},
	{js: `function foo() {}; console.log(foo, () => {}, class A {}, async function af() {}, function* g() {})`, want: "log: [Function: foo] [Function (anonymous)] [class A] [AsyncFunction: af] [GeneratorFunction: g]\n"},
	{js: `class A {}; class B extends A {}; console.log([B])`, want: "log: [ [class B extends A] ]\n"},
	{js: `const f = function named() {}; f.extra = 1; console.log(f)`, want: "log: [Function: named] { extra: 1 }\n"},
	{js: `console.log(new Uint8Array([1, 2, 3]), new Float64Array(0))`, want: "log: Uint8Array(3) [ 1, 2, 3 ] Float64Array(0) []\n"},
	{js: `console.log(new Uint8Array([1, 2]).buffer)`, want: "log: ArrayBuffer { [Uint8Contents]: <01 02>, byteLength: 2 }\n"},
	{js: `console.log(new Number(3), new String("ab"), new Boolean(false), Object(1n))`, want: "log: [Number: 3] [String: 'ab'] [Boolean: false] [BigInt: 1n]\n"},
	{js: `console.log(-0, [-0], 1n, Symbol("x"), [Symbol("y")], NaN)`, want: "log: -0 [ -0 ] 1n Symbol(x) [ Symbol(y) ] NaN\n"},
	{js: `console.log([1, , 3], [, , ], new Array(3))`, want: "log: [ 1, <1 empty item>, 3 ] [ <2 empty items> ] [ <3 empty items> ]\n"},
	{js: `const a = [1, 2]; a.extra = "x"; console.log(a)`, want: "log: [ 1, 2, extra: 'x' ]\n"},
	{js: `console.log(Array.from({ length: 7 }, (_, i) => i))`, want: "log: [\n  0, 1, 2, 3,\n  4, 5, 6\n]\n"},
	{js: `console.log(Array.from({ length: 26 }, (_, i) => i * 10))`, want: "log: [\n    0,  10,  20,  30,  40,  50,  60,\n   70,  80,  90, 100, 110, 120, 130,\n  140, 150, 160, 170, 180, 190, 200,\n  210, 220, 230, 240, 250\n]\n"},
	{js: `console.log({ alpha: "aaaaaaaaaaaaaaaaaaaa", beta: "bbbbbbbbbbbbbbbbbbbb", gamma: "cccccccccccccccccccc" })`, want: "log: { alpha: 'aaaaaaaaaaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbbbbbbbb', gamma: 'cccccccccccccccccccc' }\n"},
	{js: `console.log({ alpha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", beta: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", gamma: "cccccccccccccccccccccccccccccccccccccccc" })`, want: "log: {\n  alpha: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',\n  beta: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',\n  gamma: 'cccccccccccccccccccccccccccccccccccccccc'\n}\n"},
	{js: `console.log([{ alpha: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", beta: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", gamma: "cccccccccccccccccccccccccccccccccccccccc" }])`, want: "log: [\n  {\n    alpha: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',\n    beta: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',\n    gamma: 'cccccccccccccccccccccccccccccccccccccccc'\n  }\n]\n"},
	{js: `const big = []; big[200000] = 1; console.log(big)`, want: "log: [ <200000 empty items>, 1 ]\n"},
	{js: `console.log("%s is %d years", "Bob", 42)`, want: "log: Bob is 42 years\n"},
	{js: `console.log("%i|%f|%d|%d", 42.9, "1.5", "abc", 5n)`, want: "log: 42|1.5|NaN|5n\n"},
	{js: `console.log("%j %O %s", { a: [1] }, { b: 2 }, { c: 3 })`, want: "log: {\"a\":[1]} { b: 2 } { c: 3 }\n"},
	{js: `const c = {}; c.c = c; console.log("%j", c)`, want: "log: [Circular]\n"},
	{js: `console.log("%cred", "color: red")`, want: "log: red\n"},
	{js: `console.log("100%%", 1)`, want: "log: 100% 1\n"},
	{js: `console.log("%s", "a", "b", { c: 1 })`, want: "log: a b { c: 1 }\n"},
	{js: `console.log("%s %s", "a")`, want: "log: a %s\n"},
	{js: `console.log("%%")`, want: "log: %%\n"},
	{js: `console.log("%s", { toString() { return "custom" } }, 1)`, want: "log: custom 1\n"},
	{js: `console.log(5, "x")`, want: "log: 5 x\n"},
	{js: `console.log(new Error("boom"))`, want: "log: Error: boom\n    at ", prefix: true},
	{js: `console.log({ e: new RangeError("r") })`, want: "log: {\n  e: RangeError: r\n      at ", prefix: true},
	{js: `const e = new Error("m"); e.stack = undefined; console.log(e)`, want: "log: [Error: m]\n"},
	{js: `const e = new TypeError("t"); e.stack = "TypeError: t"; e.code = "E_X"; console.log(e)`, want: "log: TypeError: t { code: 'E_X' }\n"},
	{js: `const e = new Error("outer", { cause: "inner" }); e.stack = "Error: outer"; console.log(e)`, want: "log: Error: outer { [cause]: 'inner' }\n"},
	{js: `console.log(new DOMException("gone", "AbortError"))`, want: "log: AbortError: gone\n    at ", prefix: true},
	{js: `console.log({ get g() { return 1 }, set s(v) {}, get gs() { return 1 }, set gs(v) {} })`, want: "log: { g: [Getter], s: [Setter], gs: [Getter/Setter] }\n"},
	{js: `console.log({ [Symbol.for("nodejs.util.inspect.custom")]() { return "CUSTOM"; } })`, want: "log: CUSTOM\n"},
	{js: `console.log(new Blob(["ab"], { type: "text/plain" }))`, want: "log: Blob { size: 2, type: 'text/plain' }\n"},
	{js: `console.log(new File(["1"], "file.txt", { type: "text/plain", lastModified: 1000 }))`, want: "log: File { name: 'file.txt', lastModified: 1000, size: 1, type: 'text/plain' }\n"},
	{js: `const fd = new FormData(); fd.set("string", "hello"); fd.set("blob", new Blob(["<h1>BLOB</h1>"], { type: "text/html" })); fd.set("file", new File(["pw"], "p.txt")); console.dir(fd, { depth: 0 })`, want: "log: FormData(3) { 'string' => 'hello', 'blob' => [File], 'file' => [File] }\n"},
	{js: `console.log(new FormData())`, want: "log: FormData(0) {}\n"},
	{js: `console.log(new Event("x"))`, want: "log: Event {\n  type: 'x',\n  eventPhase: 0,\n  composed: false,\n  bubbles: false,\n  cancelable: false,\n  defaultPrevented: false,\n  returnValue: true,\n  currentTarget: undefined,\n  target: undefined,\n  srcElement: undefined,\n  timeStamp: 0,\n  isTrusted: false,\n  cancelBubble: false,\n  NONE: 0,\n  CAPTURING_PHASE: 1,\n  AT_TARGET: 2,\n  BUBBLING_PHASE: 3\n}\n"},
	{js: `class Stream { get locked() { return false; } [Symbol.for("zerostack.inspect.internals")]() { return { state: "readable", length: 7n }; } get [Symbol.toStringTag]() { return "Stream"; } }; console.log(new Stream())`, want: "log: Stream { locked: false, [state]: 'readable', [length]: 7n }\n"},
	{js: `console.log(new AbortController())`, want: "log: AbortController { signal: AbortSignal { aborted: false, reason: undefined, onabort: null } }\n"},
	{js: `console.log(new WeakMap(), Promise.resolve(1))`, want: "log: WeakMap { <items unknown> } Promise {}\n"},
	{js: `const r = Proxy.revocable({}, {}); r.revoke(); console.log({ p: r.proxy })`, want: "log: { p: [Uninspectable: TypeError: Cannot perform 'get' on a proxy that has been revoked] }\n"},
	{js: `console.log({ [Symbol.for("nodejs.util.inspect.custom")]() { throw new RangeError("no"); } }, "after")`, want: "log: [Uninspectable: RangeError: no] after\n"},
	{js: `console.table([{ a: 1, b: "x" }, { a: 2 }])`, want: "log: ┌─────────┬───┬─────┐\n│ (index) │ a │ b   │\n├─────────┼───┼─────┤\n│ 0       │ 1 │ 'x' │\n│ 1       │ 2 │     │\n└─────────┴───┴─────┘\n"},
	{js: `console.table([1, "two"])`, want: "log: ┌─────────┬────────┐\n│ (index) │ Values │\n├─────────┼────────┤\n│ 0       │ 1      │\n│ 1       │ 'two'  │\n└─────────┴────────┘\n"},
	{js: `console.table("not tabular")`, want: "log: not tabular\n"},
	{js: `console.assert(true, "no"); console.assert(false, "bad %s", "x"); console.assert(false); console.assert(0, { o: 1 })`, want: "error: Assertion failed: bad x\nerror: Assertion failed\nerror: Assertion failed { o: 1 }\n"},
	{js: `console.count(); console.count(); console.count("x"); console.countReset(); console.count(); console.countReset("nope")`, want: "log: default: 1\nlog: default: 2\nlog: x: 1\nlog: default: 1\nwarn: Count for 'nope' does not exist\n"},
	{js: `console.group("G"); console.log("in"); console.log("a\nb"); console.group(); console.warn({ w: 1 }); console.groupEnd(); console.groupEnd(); console.groupEnd(); console.log("out")`, want: "log: G\nlog:   in\nlog:   a\n  b\nwarn:     { w: 1 }\nlog: out\n"},
	{js: `console.time("t"); console.timeEnd("t")`, want: "log: t: ", prefix: true},
	{js: `console.timeEnd("nope"); console.timeLog("nope"); console.time("d"); console.time("d"); console.timeEnd("d")`, want: "warn: Warning: No such label 'nope' for console.timeEnd()\nwarn: Warning: No such label 'nope' for console.timeLog()\nwarn: Warning: Label 'd' already exists for console.time()\nlog: d: ", prefix: true},
	{js: `console.dir("s"); console.dir({ a: { b: { c: {} } } }, { depth: 0 })`, want: "log: 's'\nlog: { a: [Object] }\n"},
	{js: `console.dir({ [Symbol.for("nodejs.util.inspect.custom")]() { return "C"; } })`, want: "log: { [Symbol(nodejs.util.inspect.custom)]: [Function: [nodejs.util.inspect.custom]] }\n"},
	{js: `console.info("i"); console.warn("w"); console.error("e"); console.debug("d")`, want: "info: i\nwarn: w\nerror: e\ndebug: d\n"},
	{js: `console.trace("here %d", 1)`, want: "debug: Trace: here 1\n", prefix: true},
	{js: `console.log(Object.prototype.toString.call(console), typeof console.log)`, want: "log: [object console] function\n"},
}

// TestConsoleFormat checks console output against Node's util.inspect and
// format conventions (breakLength 128, compact 3), as workerd shows them.
func TestConsoleFormat(t *testing.T) {
	var src strings.Builder
	src.WriteString("test(\"console\", () => {\n")
	for i, c := range consoleCases {
		fmt.Fprintf(&src, "console.log(\"\\x01%d\");\n{ %s; }\n", i, c.js)
	}
	src.WriteString("});\n")
	res, logs := runJSFile(t, "console_format.js", src.String())
	for _, r := range res {
		if !r.ok {
			t.Fatalf("script failed: %s", r.err)
		}
	}
	chunks := strings.Split(logs, "log: \x01")
	got := map[int]string{}
	for _, ch := range chunks[1:] {
		nl := strings.IndexByte(ch, '\n')
		var i int
		fmt.Sscan(ch[:nl], &i)
		got[i] = ch[nl+1:]
	}
	for i, c := range consoleCases {
		g := got[i]
		ok := g == c.want
		if c.prefix {
			ok = strings.HasPrefix(g, c.want)
		}
		if !ok {
			t.Errorf("case %d: %s\n got: %q\nwant: %q", i, c.js, g, c.want)
		}
	}
}
