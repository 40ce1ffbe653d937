package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// svcAuthJS is the callee of TestServiceRPC: a WorkerEntrypoint default
// export and a named entrypoint (Admin).
const svcAuthJS = `
import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";

// A Counter made with a tag records its disposal in KV (the callee has
// two isolates: a module variable would count one of them).
class Counter extends RpcTarget {
  constructor(n, tag, env) { super(); this.n = n; this.tag = tag; this.env = env; }
  inc(by) { this.n += by; return this.n; }
  get value() { return this.n; }
  [Symbol.dispose]() { if (this.tag) this.env.KV.put(this.tag, "disposed"); }
}

let instances = 0;
export default class Auth extends WorkerEntrypoint {
  constructor(ctx, env) {
    super(ctx, env);
    this.id = ++instances;
    this.own = () => "own properties are not RPC methods";
  }
  add(a, b) { return a + b; }
  instance() { return this.id; }
  async slow(x) {
    await new Promise((r) => setTimeout(r, 5));
    return { x, doubled: x * 2, list: [1, "two", null, true], nested: { ok: true }, when: new Date(0), big: 12n, map: new Map([["k", 1]]) };
  }
  bytes(u8) { return { isU8: u8 instanceof Uint8Array, out: u8.map((b) => b + 1) }; }
  async isAuthorized(req) {
    return req instanceof Request && req.method === "POST" && req.url === "http://auth.internal/check" &&
      req.headers.get("authorization") === "Bearer ok" && (await req.text()) === "body!";
  }
  async countBody(req) {
    let n = 0;
    const r = req.body.getReader();
    for (;;) { const { done, value } = await r.read(); if (done) break; n += value.byteLength; }
    return { method: req.method, n };
  }
  respond(name) { return new Response("hello " + name, { status: 202, statusText: "Accepted", headers: { "x-from": "auth" } }); }
  streamBack() {
    const enc = new TextEncoder();
    let i = 0;
    return new ReadableStream({
      async pull(c) {
        if (i === 3) { c.close(); return; }
        await new Promise((r) => setTimeout(r, 2));
        c.enqueue(enc.encode("part" + i++ + ";"));
      },
    });
  }
  async readStream(s) { return { isStream: s instanceof ReadableStream, text: await new Response(s).text() }; }
  headersBack() { const h = new Headers(); h.append("x-a", "1"); h.append("set-cookie", "c=1"); return h; }
  fail() { throw new RangeError("no access"); }
  async failAsync() { await null; throw new TypeError("async no"); }
  async withCallback(cb) { return await cb(20); }
  makeCounter(n, tag) { return new Counter(n, tag, this.env); }
  makeAdder(base) { return (x) => base + x; }
  envWord() { return this.env.WORD; }
  props() { return this.ctx.props; }
  get answer() { return 42; }
  get subtract() { return (a, b) => a - b; }
  get objectProperty() { return { func: (a, b) => a * b, counter5: new Counter(5), text: "hello" }; }
  later(key) {
    this.ctx.waitUntil((async () => {
      await new Promise((r) => setTimeout(r, 20));
      await this.env.KV.put(key, "done");
    })());
    return "queued";
  }
  kvGet(key) { return this.env.KV.get(key); }
  async fetch(req) {
    return new Response("auth fetch " + new URL(req.url).pathname + " " + JSON.stringify(this.ctx.props));
  }
}

export class Admin extends WorkerEntrypoint {
  whoami() { return { props: this.ctx.props, entrypoint: this instanceof WorkerEntrypoint, word: this.env.WORD }; }
  async fetch(req) {
    if (req.headers.get("upgrade") === "websocket") {
      const [client, server] = Object.values(new WebSocketPair());
      server.accept();
      server.addEventListener("message", (e) => server.send("admin echo " + e.data + " " + this.ctx.props.role));
      return new Response(null, { status: 101, webSocket: client });
    }
    return new Response("admin fetch " + req.method + " " + (await req.text()) + " " + this.ctx.props.role);
  }
}
`

// svcPlainJS is a callee whose default export is a plain handler object.
const svcPlainJS = `
export default {
  async fetch(req) { return new Response("plain fetch " + new URL(req.url).pathname); },
  async greet(name, env, ctx) { return "hi " + name + " " + typeof ctx.waitUntil + " " + env.WORD; },
  twoArgs(a, b, env, ctx) { return a + b; },
};
`

// svcGatewayJS calls them over its service bindings.
const svcGatewayJS = `
const errOf = async (p) => { try { await p; return "no error"; } catch (e) { return e.name + ": " + e.message; } };

// waitFor polls the callee's KV until key is set (by a waitUntil task or a
// disposer), and returns its value (null if it never came).
async function waitFor(env, key) {
  let v = null;
  for (let k = 0; k < 500 && v === null; k++) {
    await new Promise((r) => setTimeout(r, 5));
    v = await env.AUTH.kvGet(key);
  }
  return v;
}

export default {
  async fetch(req, env) {
    try {
      return await route(req, env);
    } catch (e) {
      return new Response(e.stack, { status: 500 });
    }
  },
};

async function route(req, env) {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/rpc": {
        const out = {};
        out.add = await env.AUTH.add(2, 3);
        out.fresh = (await env.AUTH.instance()) !== (await env.AUTH.instance());
        const slow = await env.AUTH.slow(21);
        out.slow = { ...slow, when: slow.when instanceof Date && slow.when.getTime(), big: String(slow.big), map: slow.map instanceof Map && slow.map.get("k") };
        out.resultDisposer = typeof slow[Symbol.dispose];
        const b = await env.AUTH.bytes(new Uint8Array([1, 2, 3]));
        out.bytes = { isU8: b.isU8, outU8: b.out instanceof Uint8Array, out: [...b.out] };
        out.authorized = await env.AUTH.isAuthorized(new Request("http://auth.internal/check", { method: "POST", headers: { authorization: "Bearer ok" }, body: "body!" }));
        const r = await env.AUTH.respond("ann");
        out.response = { isResponse: r instanceof Response, status: r.status, statusText: r.statusText, from: r.headers.get("x-from"), text: await r.text() };
        out.streamBack = await new Response(await env.AUTH.streamBack()).text();
        const enc = new TextEncoder();
        let i = 0;
        out.readStream = await env.AUTH.readStream(new ReadableStream({
          pull(c) { if (i === 3) { c.close(); return; } c.enqueue(enc.encode("s" + i++)); },
        }));
        const h = await env.AUTH.headersBack();
        out.headers = { isHeaders: h instanceof Headers, a: h.get("x-a"), cookie: h.get("set-cookie") };
        out.fail = await errOf(env.AUTH.fail());
        out.failAsync = await errOf(env.AUTH.failAsync());
        try { await env.AUTH.fail(); } catch (e) { out.failIsRangeError = e instanceof RangeError; }
        out.callback = await env.AUTH.withCallback(async (n) => n * 2 + 1);
        out.pipelined = await env.AUTH.makeCounter(3).inc(4);
        const tag = "c" + Math.random();
        const c = await env.AUTH.makeCounter(5, tag);
        out.counter = { inc: await c.inc(2), value: await c.value, own: await errOf(c.n) };
        c[Symbol.dispose]();
        out.counter.afterDispose = await errOf(c.inc(1));
        out.counter.targetDisposed = await waitFor(env, tag);
        const add = await env.AUTH.makeAdder(10);
        out.adder = await add(5);
        out.functionProperty = await env.AUTH.subtract(19, 6);
        out.property = await env.AUTH.answer;
        out.path = { func: await env.AUTH.objectProperty.func(6, 4), counter: await env.AUTH.objectProperty.counter5.inc(3), text: await env.AUTH.objectProperty.text };
        const utag = "u" + Math.random();
        {
          using u = await env.AUTH.makeCounter(1, utag);
          out.using = await u.inc(1);
        }
        out.usingDisposed = await waitFor(env, utag);
        out.word = await env.AUTH.envWord();
        out.defaultProps = await env.AUTH.props();
        out.admin = await env.ADMIN.whoami();
        out.missing = await errOf(env.AUTH.nope());
        out.ownProperty = await errOf(env.AUTH.own());
        out.envProperty = await errOf(env.AUTH.env);
        out.notAFunction = await errOf(env.AUTH.answer());
        out.missingEntrypoint = await errOf(env.NOPE.anything());
        out.plain = await env.PLAIN.greet("bob");
        out.plainTwoArgs = await errOf(env.PLAIN.twoArgs(1, 2));
        out.plainArgCount = await errOf(env.PLAIN.greet("a", "b"));
        out.plainMissing = await errOf(env.PLAIN.nope(1));
        out.gone = await errOf(env.GONE.hello());
        out.isThenable = typeof env.AUTH.then;
        out.tag = String(env.AUTH);
        return Response.json(out);
      }
      case "/fetch": {
        const a = await (await env.AUTH.fetch("http://auth/one")).text();
        const p = await (await env.PLAIN.fetch("http://plain/two")).text();
        const m = await (await env.ADMIN.fetch("http://admin/x", { method: "POST", body: "hey" })).text();
        return Response.json({ a, p, m });
      }
      case "/ws":
        // A WebSocket upgrade answered by a named entrypoint (through RPC).
        return env.ADMIN.fetch(req);
      case "/upload":
        // The incoming body streams on to the callee.
        return Response.json(await env.AUTH.countBody(req));
      case "/later": {
        const key = "k" + Math.random();
        const queued = await env.AUTH.later(key);
        return Response.json({ queued, v: await waitFor(env, key) });
      }
      case "/loop": {
        const n = +url.searchParams.get("n");
        let sum = 0;
        for (let k = 0; k < n; k++) {
          sum += await env.AUTH.withCallback((x) => x + k);
          const c = await env.AUTH.makeCounter(k);
          sum += await c.inc(1);
          if (k % 2 === 0) c[Symbol.dispose]();
          sum += await (await env.AUTH.makeAdder(k))(1);
        }
        return Response.json(sum);
      }
    }
    return new Response("not found", { status: 404 });
}
`

// TestServiceRPC: RPC over service bindings between Workers of one
// zerostack serve: a WorkerEntrypoint's methods (fresh instance each call,
// this.env, this.ctx with props and waitUntil), values copied both ways
// (objects, Uint8Array, Request, Response, ReadableStream, Headers),
// errors rethrown with their name, callbacks, RpcTargets and functions as
// stubs, a named entrypoint, a plain handler object under workerd's rules,
// workerd's errors for what is not there, fetch() still working, and no
// capability left behind once the requests have ended.
func TestServiceRPC(t *testing.T) {
	auth := writeWorkerProject(t, `name = "auth"
main = "index.js"
[vars]
WORD = "swordfish"
[[kv_namespaces]]
binding = "KV"
id = "authkv"
`, svcAuthJS)
	plain := writeWorkerProject(t, "name = \"plain\"\nmain = \"index.js\"\n[vars]\nWORD = \"plainword\"\n", svcPlainJS)
	gateway := writeWorkerProject(t, `name = "gateway"
main = "index.js"
[[services]]
binding = "AUTH"
service = "auth"
[[services]]
binding = "ADMIN"
service = "auth"
entrypoint = "Admin"
props = { role = "admin", level = 3 }
[[services]]
binding = "NOPE"
service = "auth"
entrypoint = "Nope"
[[services]]
binding = "PLAIN"
service = "plain"
[[services]]
binding = "GONE"
service = "nowhere"
`, svcGatewayJS)
	s, err := StartServe(ServeOptions{Projects: []string{gateway, auth, plain}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 2, Default: "gateway"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	base := s.URL("http")

	r := do(t, "GET", base+"/rpc", "", nil)
	if r.status != 200 {
		t.Fatalf("/rpc: %d %s", r.status, r.body)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("/rpc: %v: %s", err, r.body)
	}
	want := map[string]string{
		"add":               `5`,
		"fresh":             `true`,
		"slow":              `{"x":21,"doubled":42,"list":[1,"two",null,true],"nested":{"ok":true},"when":0,"big":"12","map":1}`,
		"resultDisposer":    `"function"`,
		"bytes":             `{"isU8":true,"outU8":true,"out":[2,3,4]}`,
		"authorized":        `true`,
		"response":          `{"isResponse":true,"status":202,"statusText":"Accepted","from":"auth","text":"hello ann"}`,
		"streamBack":        `"part0;part1;part2;"`,
		"readStream":        `{"isStream":true,"text":"s0s1s2"}`,
		"headers":           `{"isHeaders":true,"a":"1","cookie":"c=1"}`,
		"fail":              `"RangeError: no access"`,
		"failAsync":         `"TypeError: async no"`,
		"failIsRangeError":  `true`,
		"callback":          `41`,
		"pipelined":         `7`,
		"counter":           `{"inc":7,"value":7,"own":"TypeError: The RPC receiver does not implement the method \"n\".","afterDispose":"Error: RPC stub used after being disposed.","targetDisposed":"disposed"}`,
		"adder":             `15`,
		"functionProperty":  `13`,
		"property":          `42`,
		"path":              `{"func":24,"counter":8,"text":"hello"}`,
		"using":             `2`,
		"usingDisposed":     `"disposed"`,
		"word":              `"swordfish"`,
		"defaultProps":      `{}`,
		"admin":             `{"props":{"level":3,"role":"admin"},"entrypoint":true,"word":"swordfish"}`,
		"missing":           `"TypeError: The RPC receiver does not implement the method \"nope\"."`,
		"ownProperty":       `"TypeError: The RPC receiver does not implement the method \"own\"."`,
		"envProperty":       `"TypeError: The RPC receiver does not implement the method \"env\"."`,
		"notAFunction":      `"TypeError: \"answer\" is not a function."`,
		"missingEntrypoint": `"Error: Worker \"auth\" has no entrypoint named \"Nope\"; export a class extending WorkerEntrypoint under that name, or fix entrypoint in the [[services]] entry."`,
		"plain":             `"hi bob function plainword"`,
		"plainTwoArgs":      `"TypeError: Cannot call handler function \"twoArgs\" over RPC because it has the wrong number of arguments. A simple function handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), where only the first argument comes from the client. To support multi-argument RPC functions, use class-based syntax (extending WorkerEntrypoint) instead."`,
		"plainArgCount":     `"TypeError: Attempted to call RPC function \"greet\" with the wrong number of arguments. When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead."`,
		"plainMissing":      `"TypeError: The RPC receiver does not implement the method \"nope\"."`,
		"gone":              `"Error: env.GONE: the Worker \"nowhere\" of this service binding is not running in this zerostack process; run it in the same process (zerostack dev -c this/wrangler.toml -c that/wrangler.toml, or zerostack serve with both projects)"`,
		"isThenable":        `"undefined"`,
		"tag":               `"[object Fetcher]"`,
	}
	for k, w := range want {
		if g := string(got[k]); g != w {
			t.Errorf("%s = %s\nwant %s", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unchecked result %s = %s", k, got[k])
		}
	}

	if r := do(t, "GET", base+"/fetch", "", nil); r.status != 200 || r.body != `{"a":"auth fetch /one {}","p":"plain fetch /two","m":"admin fetch POST hey admin"}` {
		t.Fatalf("/fetch: %d %s", r.status, r.body)
	}
	p := dialPeer(t, base+"/ws")
	p.conn.SendText("hi")
	if m := p.next(t); m != "admin echo hi admin" {
		t.Fatalf("WebSocket through a named entrypoint: got %q", m)
	}
	if r := do(t, "PUT", base+"/upload", strings.Repeat("x", 300000), nil); r.status != 200 || r.body != `{"method":"PUT","n":300000}` {
		t.Fatalf("/upload: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", base+"/later", "", nil); r.status != 200 || r.body != `{"queued":"queued","v":"done"}` {
		t.Fatalf("/later (ctx.waitUntil): %d %s", r.status, r.body)
	}

	// No leak: after many calls (callbacks, RpcTargets half of which are
	// never disposed, functions), the requests' ends released every export.
	const n = 300
	sum := 0
	for k := 0; k < n; k++ {
		sum += 20 + k + k + 1 + k + 1
	}
	if r := do(t, "GET", fmt.Sprintf("%s/loop?n=%d", base, n), "", nil); r.status != 200 || r.body != fmt.Sprint(sum) {
		t.Fatalf("/loop: %d %s, want %d", r.status, r.body, sum)
	}
	var live, held int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if live, held = s.State().DurableCapabilities(); live == 0 && held == 0 {
			break
		}
	}
	if live != 0 || held != 0 {
		t.Fatalf("after the requests ended: %d capabilities live, %d export-table entries (want 0, 0)", live, held)
	}
}

// TestServiceRPCLoopback: a Worker bound to itself, with one isolate,
// calls its own entrypoint's methods, fetch and a callback into the
// waiting request without deadlock (the isolate serves the call while
// its request awaits it).
func TestServiceRPCLoopback(t *testing.T) {
	dir := writeWorkerProject(t, "name = \"selfy\"\nmain = \"index.js\"\n[[services]]\nbinding = \"SELF\"\nservice = \"selfy\"\n", `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async fetch(req) {
    if (new URL(req.url).pathname === "/inner") return new Response("inner");
    const a = await this.env.SELF.add(1, 2);
    const f = await (await this.env.SELF.fetch("http://x/inner")).text();
    const cb = await this.env.SELF.call((x) => x * 3);
    return new Response(a + " " + f + " " + cb);
  }
  add(a, b) { return a + b; }
  async call(cb) { return await cb(7); }
}
`)
	s, err := StartServe(ServeOptions{Projects: []string{dir}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	if r := do(t, "GET", s.URL("http")+"/", "", nil); r.status != 200 || r.body != "3 inner 21" {
		t.Fatalf("loopback: %d %q", r.status, r.body)
	}
}
