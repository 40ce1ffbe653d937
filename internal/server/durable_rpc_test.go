package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rpcStubsJS exercises functions and RpcTargets passed over Durable Object
// RPC. Every route reports whether the object lives in another isolate than
// the request (cross), so that the test can check that both cases ran.
const rpcStubsJS = `
import { DurableObject, RpcTarget } from "cloudflare:workers";
const ISO = crypto.randomUUID();

class Counter extends RpcTarget {
  constructor(n) { super(); this.n = n; }
  inc(by) { this.n += by; return this.n; }
  get value() { return this.n; }
  fail() { throw new RangeError("counter broke"); }
  child() { return new Counter(this.n * 10); }
  [Symbol.dispose]() { disposedCounters++; }
}
let disposedCounters = 0;

// Stored's methods use the storage of the object that returned it.
class Stored extends RpcTarget {
  constructor(ctx) { super(); this.ctx = ctx; }
  async add(n) {
    const v = (await this.ctx.storage.get("v")) ?? 0;
    await this.ctx.storage.put("v", v + n);
    return v + n;
  }
}

export class Room extends DurableObject {
  iso() { return ISO; }
  disposals() { return disposedCounters; }
  stored() { return new Stored(this.ctx); }
  async total() { return (await this.ctx.storage.get("v")) ?? 0; }
  async reset() { await this.ctx.storage.delete("v"); }
  async withCallback(cb) { return await cb(20); }
  makeCounter(n) { return new Counter(n); }
  adder(base) { return (x) => base + x; }
  async subscribe(cb) {
    (this.subs ??= []).push(cb.dup());
    return this.subs.length;
  }
  async publish(msg) {
    const out = [];
    for (const s of this.subs ?? []) {
      try { out.push(await s(msg)); } catch (e) { out.push(e.message); }
    }
    return out;
  }
  clearSubs() { for (const s of this.subs ?? []) s[Symbol.dispose](); this.subs = []; }
  keepBorrowed(cb) { this.borrowed = cb; return 1; }
  async useBorrowed() { try { return await this.borrowed(1); } catch (e) { return e.message; } }
  async callFailing(cb) { try { await cb(); return "no error"; } catch (e) { return { name: e.name, message: e.message }; } }
  async useTarget(t) { return { inc: await t.inc(5), value: await t.value }; }
  echo(v) { return v; }
}

const errOf = async (p) => { try { await p; return "no error"; } catch (e) { return e.name + ": " + e.message; } };

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const stub = env.ROOM.getByName(url.searchParams.get("name") ?? "r");
    const cross = (await stub.iso()) !== ISO;
    let out;
    switch (url.pathname) {
      case "/callback":
        out = await stub.withCallback(async (n) => n * 2 + 1);
        break;
      case "/target": {
        const c = await stub.makeCounter(5);
        const inc = await c.inc(2);
        const value = await c.value;
        const own = await errOf(c.n);
        const fail = await errOf(c.fail());
        const missing = await errOf(c.nope());
        const child = await c.child();
        const childValue = await child.value;
        const d0 = await stub.disposals();
        c[Symbol.dispose]();
        const disposed = await errOf(c.inc(1));
        const childAfter = await child.inc(1);
        // The object's target sees its last stub go (at the owner's next
        // turn).
        let targetDisposed = 0;
        for (let i = 0; i < 100 && targetDisposed === 0; i++) {
          await new Promise((r) => setTimeout(r, 1));
          targetDisposed = (await stub.disposals()) - d0;
        }
        out = { inc, value, own, fail, missing, childValue, disposed, childAfter, targetDisposed };
        break;
      }
      case "/pipeline": {
        // Methods and properties of a result used before it arrives.
        const c = stub.makeCounter(3);
        out = { inc: await c.inc(4), value: await stub.makeCounter(8).value, child: await c.child().value, isPromise: c instanceof Promise };
        break;
      }
      case "/stored": {
        await stub.reset();
        const s = await stub.stored();
        const rs = await Promise.all(Array.from({ length: 20 }, () => s.add(1)));
        out = { max: Math.max(...rs), total: await stub.total() };
        break;
      }
      case "/function": {
        const add = await stub.adder(10);
        const d = add.dup();
        out = { add: await add(5), dup: await d(1) };
        add[Symbol.dispose]();
        out.afterDispose = await errOf(add(1));
        out.dupStill = await d(2);
        break;
      }
      case "/subscribe": {
        await stub.clearSubs();
        await stub.subscribe((m) => "got " + m);
        out = await stub.publish("hi");
        break;
      }
      case "/publish":
        out = await stub.publish("late");
        break;
      case "/borrowed":
        await stub.keepBorrowed(() => 1);
        out = await stub.useBorrowed();
        break;
      case "/error":
        out = await stub.callFailing(() => { throw new TypeError("bad callback"); });
        break;
      case "/target-arg": {
        // A worker-side RpcTarget, used by the object while the worker awaits.
        out = await stub.useTarget(new Counter(1));
        break;
      }
      case "/echo": {
        const f = (x) => x + 1;
        const back = await stub.echo({ f, list: [f] });
        out = { same: back.f === back.list[0], v: await back.f(1) };
        break;
      }
      case "/loop": {
        const n = +url.searchParams.get("n");
        let sum = 0;
        for (let i = 0; i < n; i++) {
          sum += await stub.withCallback((x) => x + i);
          const c = await stub.makeCounter(i);
          sum += await c.inc(1);
          if (i % 2 === 0) c[Symbol.dispose]();
        }
        out = sum;
        break;
      }
      default:
        return new Response("not found", { status: 404 });
    }
    return Response.json({ cross, out });
  },
};
`

// TestDurableRPCCapabilities: functions and RpcTargets passed over RPC
// become stubs whether the object lives in the caller's isolate or in the
// other one (two isolates, requests alternating between them): callbacks
// the object calls, RpcTargets and functions it returns, disposal and
// dup(), borrowed parameters, errors, and no export left behind once the
// requests have ended.
func TestDurableRPCCapabilities(t *testing.T) {
	d := startTwoIsolateDO(t, "caps", "ROOM", "Room", rpcStubsJS)
	u := d.URL()
	// get runs path until it has run in both isolates (the object lives in
	// one of them) and checks that both gave want.
	get := func(path, want string) {
		t.Helper()
		seen := map[bool]bool{}
		for i := 0; i < 20 && len(seen) < 2; i++ {
			r := do(t, "GET", u+path, "", nil)
			var res struct {
				Cross bool            `json:"cross"`
				Out   json.RawMessage `json:"out"`
			}
			if r.status != 200 || json.Unmarshal([]byte(r.body), &res) != nil {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			if got := string(res.Out); got != want {
				t.Fatalf("GET %s (cross-isolate: %v) = %s\nwant %s", path, res.Cross, got, want)
			}
			seen[res.Cross] = true
		}
		if len(seen) < 2 {
			t.Fatalf("GET %s ran only with cross-isolate = %v", path, seen)
		}
	}
	get("/callback", `41`)
	get("/target", `{"inc":7,"value":7,"own":"TypeError: The RPC receiver does not implement the method \"n\".","fail":"RangeError: counter broke","missing":"TypeError: The RPC receiver does not implement the method \"nope\".","childValue":70,"disposed":"Error: RPC stub used after being disposed.","childAfter":71,"targetDisposed":1}`)
	get("/pipeline", `{"inc":7,"value":8,"child":70,"isPromise":true}`)
	get("/stored", `{"max":20,"total":20}`)
	get("/function", `{"add":15,"dup":11,"afterDispose":"Error: RPC stub used after being disposed.","dupStill":12}`)
	get("/borrowed", `"RPC stub used after being disposed."`)
	get("/error", `{"name":"TypeError","message":"bad callback"}`)
	get("/target-arg", `{"inc":6,"value":6}`)
	get("/echo", `{"same":true,"v":2}`)
	// The object calls back a function of the request that subscribed it
	// while that request waits; once the request has ended, the stub it
	// kept (a dup) is released with it.
	for i := 0; i < 4; i++ {
		r := do(t, "GET", u+"/subscribe", "", nil)
		if !strings.HasSuffix(r.body, `"out":["got hi"]}`) {
			t.Fatalf("subscribe: %d %s", r.status, r.body)
		}
		// The request ends just after its response is written: allow the
		// isolate that ran it a moment to get there.
		for k := 0; k < 100; k++ {
			if r = do(t, "GET", u+"/publish", "", nil); !strings.Contains(r.body, "got late") {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.HasSuffix(r.body, `"out":["RPC stub used after being disposed."]}`) {
			t.Fatalf("publish after the subscriber's request ended: %d %s", r.status, r.body)
		}
	}
	// No leak: after many calls (half the counters never disposed), the
	// requests' ends released every export.
	const n = 500
	want := 0
	for i := 0; i < n; i++ {
		want += 20 + i + i + 1
	}
	get(fmt.Sprintf("/loop?n=%d", n), fmt.Sprint(want))
	var live, held int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if live, held = d.State().DurableCapabilities(); live == 0 && held == 0 {
			break
		}
	}
	if live != 0 || held != 0 {
		t.Fatalf("after the requests ended: %d capabilities live, %d export-table entries (want 0, 0)", live, held)
	}
}

const streamJS = `
import { DurableObject } from "cloudflare:workers";
const ISO = crypto.randomUUID();

export class Pipe extends DurableObject {
  iso() { return ISO; }
  async fetch(req) {
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/upload": {
        this.got = 0;
        const r = req.body.getReader();
        for (;;) {
          const { done, value } = await r.read();
          if (done) break;
          this.got += value.byteLength;
        }
        const n = this.got;
        this.got = -1; // the next upload starts from scratch
        return new Response("received " + n);
      }
      case "/peek":
        return new Response(String(this.got ?? 0));
      case "/download": {
        const gate = new Promise((resolve) => { this.release = resolve; });
        const enc = new TextEncoder();
        return new Response(new ReadableStream({
          async start(c) {
            c.enqueue(enc.encode("first;"));
            await gate;
            c.enqueue(enc.encode("second"));
            c.close();
          },
        }));
      }
      case "/release":
        this.release?.();
        return new Response("released");
    }
    return new Response("not found", { status: 404 });
  }
}

export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const p = env.PIPE.getByName("p");
    const cross = (await p.iso()) !== ISO;
    let body = req.body;
    // ?js: the body is a JavaScript stream rather than the HTTP body itself.
    if (body !== null && url.searchParams.has("js")) body = body.pipeThrough(new TransformStream());
    const res = await p.fetch(new Request("http://do" + url.pathname, { method: req.method, body, duplex: "half" }));
    return new Response(res.body, { status: res.status, headers: { "x-cross": String(cross) } });
  },
};
`

// TestDurableStreamingBodies: request and response bodies reach an object
// in another isolate as streams: the object sees the first part of a
// request body before the client has sent the rest, and the client gets
// the first part of a response before the object has written the rest.
func TestDurableStreamingBodies(t *testing.T) {
	dir := writeWorkerProject(t, `name = "streams"
main = "index.js"
[[durable_objects.bindings]]
name = "PIPE"
class_name = "Pipe"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Pipe"]
`, streamJS)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 2, PersistTo: t.TempDir(), Console: func(level, msg string) {
		if level == "error" {
			t.Log(msg)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	for deadline := time.Now().Add(10 * time.Second); d.Worker().Stats().Isolates < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	u := d.URL()
	type answer struct {
		status int
		cross  string
		body   string
		err    error
	}
	upload := func(q string) string {
		t.Helper()
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", u+"/upload"+q, pr)
		done := make(chan answer, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- answer{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			done <- answer{status: res.StatusCode, cross: res.Header.Get("X-Cross"), body: string(b), err: err}
		}()
		// Bodies are read in chunks of up to 256 KiB (the scratch area).
		const part1, part2 = 300 << 10, 100 << 10
		go pw.Write(bytes.Repeat([]byte("a"), part1))
		seen := 0
		for k := 0; k < 500 && seen < 256<<10; k++ {
			seen, _ = strconv.Atoi(do(t, "GET", u+"/peek", "", nil).body)
			if seen < 256<<10 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if seen < 256<<10 || seen > part1 {
			pw.Close()
			t.Fatalf("upload%s: the object saw %d bytes before the request body ended, want 256 KiB to %d: the body was not streamed", q, seen, part1)
		}
		pw.Write(bytes.Repeat([]byte("b"), part2))
		pw.Close()
		a := <-done
		if a.err != nil || a.status != 200 || a.body != fmt.Sprint("received ", part1+part2) {
			t.Fatalf("upload%s: %d %q %v", q, a.status, a.body, a.err)
		}
		return a.cross
	}
	download := func() string {
		t.Helper()
		res, err := http.Get(u + "/download")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		first := make(chan string, 1)
		go func() {
			b := make([]byte, 6)
			n, _ := io.ReadFull(res.Body, b)
			first <- string(b[:n])
		}()
		select {
		case got := <-first:
			if got != "first;" {
				t.Fatalf("download: first part %q", got)
			}
		case <-time.After(20 * time.Second):
			do(t, "GET", u+"/release", "", nil)
			t.Fatal("download: no part of the response before the object finished it: the body was not streamed")
		}
		if r := do(t, "GET", u+"/release", "", nil); r.body != "released" {
			t.Fatalf("release: %d %s", r.status, r.body)
		}
		rest, err := io.ReadAll(res.Body)
		if err != nil || string(rest) != "second" {
			t.Fatalf("download: rest %q %v", rest, err)
		}
		return res.Header.Get("X-Cross")
	}
	for _, q := range []string{"", "?js"} {
		seen := map[string]bool{}
		for i := 0; i < 20 && len(seen) < 2; i++ {
			seen[upload(q)] = true
			if i%2 == 1 {
				do(t, "GET", u+"/peek", "", nil) // change which isolate the next upload gets
			}
		}
		if !seen["true"] || !seen["false"] {
			t.Fatalf("upload%s ran with x-cross %v, want both", q, seen)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 20 && len(seen) < 2; i++ {
		seen[download()] = true
		do(t, "GET", u+"/peek", "", nil) // the next download in the other isolate
	}
	if !seen["true"] || !seen["false"] {
		t.Fatalf("download ran with x-cross %v, want both", seen)
	}
}

const hibernationExtrasJS = `
import { DurableObject, RpcTarget } from "cloudflare:workers";

class One extends RpcTarget {
  inc() { return 1; }
}

export class Hib extends DurableObject {
  makeOne() { return new One(); }
  async fetch(req) {
    const url = new URL(req.url);
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    const t = url.searchParams.get("timeout");
    if (t !== null) this.ctx.setHibernatableWebSocketEventTimeout(+t);
    return new Response(null, { status: 101, webSocket: client });
  }
  async webSocketMessage(ws, msg) {
    switch (msg) {
      case "stamp": {
        const t = this.ctx.getWebSocketAutoResponseTimestamp(ws);
        ws.send(JSON.stringify({ t: t === null ? null : t.getTime(), timeout: this.ctx.getHibernatableWebSocketEventTimeout() }));
        break;
      }
      case "count":
        this.n = (this.n ?? 0) + 1;
        ws.send("n=" + this.n);
        break;
      case "hang":
        await new Promise(() => {});
        break;
      case "cap": {
        // A capability received in a WebSocket event, never disposed.
        const one = await this.env.HIB.getByName("other").makeOne();
        ws.send("cap " + (await one.inc()));
        break;
      }
      case "limits": {
        const errs = [];
        for (const f of [() => this.ctx.setHibernatableWebSocketEventTimeout(604800001), () => this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("x".repeat(2049), "y"))]) {
          try { f(); errs.push("no error"); } catch (e) { errs.push(e.name + ": " + e.message); }
        }
        ws.send(JSON.stringify(errs));
        break;
      }
    }
  }
}

export default {
  fetch(req, env) {
    return env.HIB.getByName("h").fetch(req);
  },
};
`

// TestDurableHibernationExtras: getWebSocketAutoResponseTimestamp reports
// the last auto-response, also one answered while the object hibernated;
// setHibernatableWebSocketEventTimeout survives hibernation and resets an
// object whose handler runs longer, with its sockets still connected.
func TestDurableHibernationExtras(t *testing.T) {
	old := durableIdleTimeout
	durableIdleTimeout = 200 * time.Millisecond
	t.Cleanup(func() { durableIdleTimeout = old })
	dir := writeWorkerProject(t, `name = "hib"
main = "index.js"
[[durable_objects.bindings]]
name = "HIB"
class_name = "Hib"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Hib"]
`, hibernationExtrasJS)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	ws := dialPeer(t, d.URL()+"/?timeout=300")
	stamp := func() (at float64, timeout any) {
		t.Helper()
		ws.conn.SendText("stamp")
		m := decodeJSON(t, ws.next(t))
		if m["t"] == nil {
			return 0, m["timeout"]
		}
		return m["t"].(float64), m["timeout"]
	}
	if at, timeout := stamp(); at != 0 || timeout != 300.0 {
		t.Fatalf("before any auto-response: t %v, timeout %v", at, timeout)
	}
	ping := func() (before, after float64) {
		t.Helper()
		before = float64(time.Now().UnixMilli())
		ws.conn.SendText("ping")
		if m := ws.next(t); m != "pong" {
			t.Fatalf("auto-response: %q", m)
		}
		return before, float64(time.Now().UnixMilli())
	}
	b, a := ping()
	if at, _ := stamp(); at < b || at > a {
		t.Fatalf("auto-response timestamp %v, want within [%v, %v]", at, b, a)
	}
	waitHibernated := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); d.State().DurableLive() != 0 || d.State().DurableParked() != 1; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the object did not hibernate (live %d, parked %d)", d.State().DurableLive(), d.State().DurableParked())
			}
		}
	}
	waitHibernated()
	b, a = ping() // answered by Go while hibernated
	if at, timeout := stamp(); at < b || at > a || timeout != 300.0 {
		t.Fatalf("after hibernation: timestamp %v (want within [%v, %v]), timeout %v (want 300)", at, b, a, timeout)
	}
	ws.conn.SendText("count")
	if m := ws.next(t); m != "n=1" {
		t.Fatalf("count: %q", m)
	}
	ws.conn.SendText("count")
	if m := ws.next(t); m != "n=2" {
		t.Fatalf("count: %q", m)
	}
	// A handler that never ends resets the object; the socket stays.
	ws.conn.SendText("hang")
	var m string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ws.conn.SendText("count")
		if m = ws.next(t); m == "n=1" {
			break
		}
	}
	if m != "n=1" {
		t.Fatalf("after the event timeout: %q, want n=1 from a new instance", m)
	}
	// What a WebSocket event received is released when the event ends.
	ws.conn.SendText("cap")
	if m := ws.next(t); m != "cap 1" {
		t.Fatalf("cap: %q", m)
	}
	var live, held int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if live, held = d.State().DurableCapabilities(); live == 0 && held == 0 {
			break
		}
	}
	if live != 0 || held != 0 {
		t.Fatalf("after the WebSocket event ended: %d capabilities live, %d export-table entries", live, held)
	}
	ws.conn.SendText("limits")
	if m := ws.next(t); m != `["Error: Event timeout should not exceed 604800000 ms.","RangeError: Request cannot be larger than 2048 bytes. A request of size 2049 was provided."]` {
		t.Fatalf("limits: %s", m)
	}
}

// BenchmarkDurableCapabilityCalls: one op is a request making 100
// iterations of withCallback (an RPC call whose object calls back a
// function of the request) and makeCounter + inc (an RpcTarget returned
// and called), with two isolates: 400 calls, half of them on stubs.
func BenchmarkDurableCapabilityCalls(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"capbench\"\nmain = \"index.js\"\n[[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Room\"]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte(rpcStubsJS), 0o644)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 2, PersistTo: b.TempDir(), Console: func(string, string) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	for deadline := time.Now().Add(10 * time.Second); d.Worker().Stats().Isolates < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	b.ResetTimer()
	for range b.N {
		r, err := http.Get(d.URL() + "/loop?n=100")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			b.Fatalf("status %d", r.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*400)/b.Elapsed().Seconds(), "calls/s")
}

// TestDurableRPCCapabilitiesAcrossWorkers: a Worker calling a Durable
// Object class of another Worker (script_name) passes it a callback and
// gets an RpcTarget back; both run in the Worker that holds them.
func TestDurableRPCCapabilitiesAcrossWorkers(t *testing.T) {
	owner := writeWorkerProject(t, `name = "owner"
main = "index.js"
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
`, rpcStubsJS)
	front := writeWorkerProject(t, `name = "front"
main = "index.js"
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
script_name = "owner"
`, `import { RpcTarget } from "cloudflare:workers";
const WORKER = "front";
class Greeter extends RpcTarget {
  hello(n) { return WORKER + " " + n; }
}
export default {
  async fetch(req, env) {
    const stub = env.ROOM.getByName("x");
    const viaCallback = await stub.withCallback((n) => WORKER + " " + n);
    const c = await stub.makeCounter(2);
    // The object calls inc on a Greeter, which has none: the error comes back.
    const viaTarget = await stub.useTarget(new Greeter()).catch((e) => e.message);
    return Response.json({ viaCallback, inc: await c.inc(3), viaTarget });
  },
};
`)
	s, err := StartServe(ServeOptions{Projects: []string{owner, front}, HTTP: "127.0.0.1:0", StateDir: t.TempDir(), Isolates: 2, Default: "front"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	for i := 0; i < 4; i++ {
		req, _ := http.NewRequest("GET", s.URL("http")+"/", nil)
		req.Host = "front.localhost"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := `{"viaCallback":"front 20","inc":5,"viaTarget":"The RPC receiver does not implement the method \"inc\"."}`; string(b) != want {
			t.Fatalf("%d %s\nwant %s", resp.StatusCode, b, want)
		}
	}
}

// startTwoIsolateDO serves a Worker named name whose Durable Object class
// (a SQLite one) is bound as binding, with two isolates, and returns once
// both run; the Worker's console errors go to the test log.
func startTwoIsolateDO(t *testing.T, name, binding, class, js string) *Dev {
	t.Helper()
	dir := writeWorkerProject(t, fmt.Sprintf(`name = %q
main = "index.js"
[[durable_objects.bindings]]
name = %q
class_name = %q
[[migrations]]
tag = "v1"
new_sqlite_classes = [%q]
`, name, binding, class, class), js)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 2, PersistTo: t.TempDir(), Console: func(level, msg string) {
		if level == "error" {
			t.Log(msg)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	for deadline := time.Now().Add(10 * time.Second); d.Worker().Stats().Isolates < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := d.Worker().Stats().Isolates; n < 2 {
		t.Fatalf("%d isolates, want 2", n)
	}
	return d
}
