package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDurableCounter(t *testing.T) {
	d := startExample(t, "durable-counter", nil)
	u := d.URL()
	// With both isolates up, consecutive requests alternate between them,
	// so calls reach the objects both directly and through Go.
	for deadline := time.Now().Add(10 * time.Second); d.Worker().Stats().Isolates < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	get := func(path string) string {
		t.Helper()
		r := do(t, "GET", u+path, "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		return strings.TrimSpace(r.body)
	}
	if got := get("/rpc/increment?by=5"); got != "5" {
		t.Fatalf("increment = %s", got)
	}
	if got := get("/rpc/increment?by=2"); got != "7" {
		t.Fatalf("increment = %s", got)
	}
	if r := do(t, "POST", u+"/fetch?by=3", "", nil); r.body != "10" {
		t.Fatalf("fetch POST = %d %s", r.status, r.body)
	}
	if got := get("/fetch"); got != `{"count":10,"name":"default","path":"/fetch"}` {
		t.Fatalf("fetch GET = %s", got)
	}
	if got := get("/rpc/get?name=other"); got != "0" {
		t.Fatalf("another id shares state: %s", got)
	}
	checks := map[string]string{
		"/burst?n=20": `20`,
		"/gate":       `20`,
		"/roundtrip":  `{"n":true,"big":true,"nan":true,"inf":true,"t":true,"u":true,"nul":true,"str":true,"date":true,"re":true,"map":true,"set":true,"bytes":true,"f64":true,"ab":true,"err":true,"sparse":true,"refs":true,"cyclic":true,"fn":"DataCloneError"}`,
		"/echo":       `{"d":5,"m":"x","b":"10","u":[7]}`,
		"/fail":       `{"name":"RangeError","message":"too far"}`,
		"/missing":    `{"name":"TypeError","message":"The RPC receiver does not implement the method \"nope\"."}`,
		"/txn":        `{"afterThrow":1,"afterRollback":1}`,
		"/kv":         `{"many":[["a",1],["d",4]],"deleted":1,"listed":["b","c"],"rev":["d","c"],"after":["c","d"],"big":"RangeError","tooMany":"RangeError","id":64}`,
		"/sql":        `{"written":2,"rows":[{"id":1,"kind":"a","data":[1,2]},{"id":2,"kind":"b","data":null}],"one":{"n":2},"raw":[["a"],["b"]],"columns":["kind"],"size":true,"refused":"To execute a transaction, please use the","reserved":true}`,
	}
	for path, want := range checks {
		if got := get(path); got != want {
			t.Errorf("%s = %s\nwant %s", path, got, want)
		}
	}
	ids := decodeJSON(t, get("/ids"))
	if ids["same"] != true || ids["name"] != "x" || len(ids["hex"].(string)) != 64 || ids["uniqueName"] != nil || ids["parsed"] != true || ids["differ"] != true {
		t.Errorf("ids: %v", ids)
	}
	if ids["bad"] != "TypeError: Invalid Durable Object ID: must be 64 hex digits" || ids["foreign"] != "TypeError: Durable Object ID is not valid for this namespace." {
		t.Errorf("id errors: %v", ids)
	}
	for i := 1; i <= 3; i++ {
		if got := get("/plain?name=p"); got != fmt.Sprint(i) {
			t.Fatalf("plain class call %d = %s", i, got)
		}
	}
	if d.State().DurableCrossCalls() == 0 {
		t.Error("no call crossed isolates: the cross-isolate path went untested")
	}
}

// TestDurableRPCStubs: a function argument and an RpcTarget result reach
// the other side as stubs (for an object in the caller's isolate: one
// isolate here).
func TestDurableRPCStubs(t *testing.T) {
	d, err := StartDev(DevOptions{Path: filepath.Join(examplesDir(t), "durable-counter"), IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	if r := do(t, "GET", d.URL()+"/stubs", "", nil); r.body != `{"viaCallback":41,"greeting":"hello, ann"}` {
		t.Fatalf("stubs: %d %s", r.status, r.body)
	}
}

// TestDurableConcurrency: 50 clients increment one counter through fetch
// and RPC at once; the total is exact.
func TestDurableConcurrency(t *testing.T) {
	d := startExample(t, "durable-counter", nil)
	u := d.URL()
	const clients, each = 50, 10
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var r response
				if c%2 == 0 {
					r = do(t, "GET", u+"/rpc/increment?name=shared", "", nil)
				} else {
					r = do(t, "POST", u+"/fetch?name=shared", "", nil)
				}
				if r.status != 200 {
					errs <- fmt.Sprintf("%d %s", r.status, r.body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	r := do(t, "GET", u+"/rpc/get?name=shared", "", nil)
	if strings.TrimSpace(r.body) != fmt.Sprint(clients*each) {
		t.Fatalf("total = %s, want %d", r.body, clients*each)
	}
}

// TestDurableChat runs the guide's chat room with several real WebSocket
// clients that see each other's messages, and the hibernation-API room.
func TestDurableChat(t *testing.T) {
	d := startExample(t, "durable-chat", nil)
	u := d.URL()
	a := dialPeer(t, u+"/ws/lobby")
	b := dialPeer(t, u+"/ws/lobby")
	other := dialPeer(t, u+"/ws/elsewhere")
	a.conn.SendText(`{"user":"a","text":"hi"}`)
	for _, p := range []*wsPeer{a, b} {
		if m := p.next(t); m != `{"user":"a","text":"hi"}` {
			t.Fatalf("broadcast: %q", m)
		}
	}
	b.conn.SendText(`{"user":"b","text":"yo"}`)
	for _, p := range []*wsPeer{a, b} {
		if m := p.next(t); m != `{"user":"b","text":"yo"}` {
			t.Fatalf("broadcast: %q", m)
		}
	}
	select {
	case m := <-other.msgs:
		t.Fatalf("another room got %q", m)
	default:
	}
	h := decodeJSON(t, do(t, "GET", u+"/history/lobby", "", nil).body)
	if msgs := h["messages"].([]any); len(msgs) != 2 || msgs[1].(map[string]any)["text"] != "yo" {
		t.Fatalf("history: %v", h)
	}

	ann := dialPeer(t, u+"/hws/r1?user=ann")
	bob := dialPeer(t, u+"/hws/r1?user=bob")
	ann.conn.SendText("ping")
	if m := ann.next(t); m != "pong" {
		t.Fatalf("auto-response: %q", m)
	}
	bob.conn.SendText("hello")
	for _, p := range []*wsPeer{ann, bob} {
		if m := p.next(t); m != "1 bob: hello" {
			t.Fatalf("hibernation room: %q", m)
		}
	}
	if c := decodeJSON(t, do(t, "GET", u+"/hws/r1/count", "", nil).body); c["sockets"] != 2.0 || c["tagged"] != 1.0 {
		t.Fatalf("getWebSockets: %v", c)
	}
	bob.conn.Close(1000, "bye")
	if m := ann.next(t); m != "left: bob" {
		t.Fatalf("webSocketClose: %q", m)
	}
}

// TestDurableEditor runs the guide's document editor: state loaded under
// blockConcurrencyWhile survives eviction and a restart.
func TestDurableEditor(t *testing.T) {
	d := startExample(t, "durable-editor", nil)
	u := d.URL()
	ops := []string{
		`{"type":"insert","position":0,"text":"hello world","userId":"u1"}`,
		`{"type":"delete","position":5,"length":6,"userId":"u2"}`,
		`{"type":"insert","position":5,"text":", DO","userId":"u1"}`,
	}
	var last map[string]any
	for _, op := range ops {
		r := do(t, "POST", u, op, nil)
		if r.status != 200 {
			t.Fatalf("op: %d %s", r.status, r.body)
		}
		last = decodeJSON(t, r.body)
	}
	if last["content"] != "hello, DO" || last["version"] != 3.0 || last["broadcasts"] != 3.0 {
		t.Fatalf("document: %v", last)
	}
	if r := decodeJSON(t, do(t, "GET", u+"?doc=other", "", nil).body); r["content"] != "" {
		t.Fatalf("other document: %v", r)
	}
}

// TestDurableAlarm: an alarm that reschedules itself fires the asked number
// of times; a failing one is retried with isRetry set.
func TestDurableAlarm(t *testing.T) {
	d := startExample(t, "durable-alarm", nil)
	u := d.URL()
	if r := do(t, "GET", u+"/start?every=20&times=3", "", nil); r.body != `{"armed":true}` {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", u+"/start?name=f&every=10&times=1&fail", "", nil); r.body != `{"armed":true}` {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	wait := func(name string, ticks float64) map[string]any {
		deadline := time.Now().Add(20 * time.Second)
		for {
			s := decodeJSON(t, do(t, "GET", u+"/status?name="+name, "", nil).body)
			if s["ticks"] == ticks || time.Now().After(deadline) {
				return s
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	s := wait("t", 3)
	if s["ticks"] != 3.0 || s["alarm"] != nil || len(s["runs"].([]any)) != 3 {
		t.Fatalf("self-rescheduling alarm: %v", s)
	}
	s = wait("f", 1)
	runs := s["runs"].([]any)
	if s["ticks"] != 1.0 || len(runs) != 2 || runs[0].(map[string]any)["isRetry"] != false ||
		runs[1].(map[string]any)["isRetry"] != true || runs[1].(map[string]any)["retryCount"] != 1.0 {
		t.Fatalf("retried alarm: %v", s)
	}
}

// writeWorkerProject writes a one-file Worker with Durable Object classes.
func writeWorkerProject(t *testing.T, toml, js string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte(toml), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte(js), 0o644)
	return dir
}

const lifecycleJS = `
import { DurableObject } from "cloudflare:workers";
let constructed = 0;
export class Obj extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    constructed++;
    this.memory = 0;
    if (ctx.id.name === "broken") throw new Error("constructor failed");
  }
  async hit() { this.memory++; await this.ctx.storage.put("n", ((await this.ctx.storage.get("n")) ?? 0) + 1); return { memory: this.memory, stored: await this.ctx.storage.get("n"), constructed }; }
  spin() { for (;;) {} }
  sqlCheck() { try { this.ctx.storage.sql; return "enabled"; } catch (e) { return e.message; } }
}
export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const name = url.searchParams.get("name") ?? "a";
    try {
      if (url.pathname === "/spin") return Response.json(await env.OBJ.getByName(name).spin());
      if (url.pathname === "/remote") return Response.json(await env.REMOTE.getByName(name).hit());
      if (url.pathname === "/sqlcheck") return Response.json(await env.OBJ.getByName(name).sqlCheck());
      return Response.json(await env.OBJ.getByName(name).hit());
    } catch (e) {
      return Response.json({ error: String(e) }, { status: 500 });
    }
  },
};
`

// TestDurableLifecycle: idle objects are evicted and reconstructed from
// storage; a constructor's exception reaches the caller; an object whose
// isolate was terminated for exceeding the CPU limit is reset; a class of a
// Worker this process does not run fails with a clear error.
func TestDurableLifecycle(t *testing.T) {
	old := durableIdleTimeout
	durableIdleTimeout = 200 * time.Millisecond
	t.Cleanup(func() { durableIdleTimeout = old })
	dir := writeWorkerProject(t, `name = "life"
main = "index.js"
[limits]
cpu_ms = 200
[[durable_objects.bindings]]
name = "OBJ"
class_name = "Obj"
[[durable_objects.bindings]]
name = "REMOTE"
class_name = "Obj"
script_name = "elsewhere"
[[migrations]]
tag = "v1"
new_classes = ["Obj"]
`, lifecycleJS)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	u := d.URL()
	hit := func(q string) map[string]any {
		t.Helper()
		r := do(t, "GET", u+q, "", nil)
		return decodeJSON(t, r.body)
	}
	if r := hit("/?name=a"); r["memory"] != 1.0 || r["stored"] != 1.0 {
		t.Fatalf("first hit: %v", r)
	}
	if r := hit("/?name=a"); r["memory"] != 2.0 || r["stored"] != 2.0 {
		t.Fatalf("second hit: %v", r)
	}
	deadline := time.Now().Add(10 * time.Second)
	for d.State().DurableLive() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := d.State().DurableLive(); n != 0 {
		t.Fatalf("%d objects still live after the idle timeout", n)
	}
	if r := hit("/?name=a"); r["memory"] != 1.0 || r["stored"] != 3.0 {
		t.Fatalf("after eviction: %v (want a new instance over the stored state)", r)
	}
	if r := do(t, "GET", u+"/sqlcheck", "", nil); !strings.HasPrefix(r.body, `"SQL is not enabled for this Durable Object class.`) {
		t.Fatalf("SQL on a new_classes class: %s", r.body)
	}
	if r := hit("/?name=broken"); r["error"] != "Error: constructor failed" {
		t.Fatalf("constructor exception: %v", r)
	}
	if r := hit("/remote"); !strings.Contains(fmt.Sprint(r["error"]), `Worker "elsewhere" is not available`) && !strings.Contains(fmt.Sprint(r["error"]), "not running in this zerostack process") {
		t.Fatalf("class of another worker: %v", r)
	}
	hit("/?name=b")
	if r := do(t, "GET", u+"/spin?name=b", "", nil); r.status != 503 && r.status != 500 {
		t.Fatalf("spin: %d %s", r.status, r.body)
	}
	var r map[string]any
	for time.Now().Before(deadline.Add(10 * time.Second)) {
		r = hit("/?name=b")
		if r["memory"] != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r["memory"] != 1.0 || r["stored"] != 2.0 {
		t.Fatalf("after the isolate was terminated: %v (want a reset instance over the stored state)", r)
	}
}

// TestDurableHibernation: a room on the Hibernation API is evicted while its
// clients stay connected, answers the auto-response without waking, and
// wakes on the next message with its sockets' attachments intact.
func TestDurableHibernation(t *testing.T) {
	old := durableIdleTimeout
	durableIdleTimeout = 200 * time.Millisecond
	t.Cleanup(func() { durableIdleTimeout = old })
	d := startExample(t, "durable-chat", nil)
	u := d.URL()
	ann := dialPeer(t, u+"/hws/h1?user=ann")
	bob := dialPeer(t, u+"/hws/h1?user=bob")
	bob.conn.SendText("hello")
	for _, p := range []*wsPeer{ann, bob} {
		if m := p.next(t); m != "1 bob: hello" {
			t.Fatalf("before hibernation: %q", m)
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (live %d, parked %d)", what, d.State().DurableLive(), d.State().DurableParked())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("hibernation", func() bool { return d.State().DurableLive() == 0 && d.State().DurableParked() == 2 })
	ann.conn.SendText("ping")
	if m := ann.next(t); m != "pong" {
		t.Fatalf("auto-response while hibernated: %q", m)
	}
	if n := d.State().DurableLive(); n != 0 {
		t.Fatalf("the auto-response woke the object (%d live)", n)
	}
	ann.conn.SendText("hi")
	for _, p := range []*wsPeer{ann, bob} {
		if m := p.next(t); m != "2 ann: hi" {
			t.Fatalf("after waking: %q", m)
		}
	}
	if c := decodeJSON(t, do(t, "GET", u+"/hws/h1/count", "", nil).body); c["sockets"] != 2.0 || c["tagged"] != 1.0 {
		t.Fatalf("getWebSockets after waking: %v", c)
	}
	waitFor("second hibernation", func() bool { return d.State().DurableLive() == 0 && d.State().DurableParked() == 2 })
	bob.conn.Close(1000, "bye")
	if m := ann.next(t); m != "left: bob" {
		t.Fatalf("close while hibernated: %q", m)
	}
}

// TestDurableAlarmSurvivesRestart: an alarm set before the server stops
// fires after it starts again on the same state.
func TestDurableAlarmSurvivesRestart(t *testing.T) {
	state := t.TempDir()
	start := func() *Dev {
		d, err := StartDev(DevOptions{Path: filepath.Join(examplesDir(t), "durable-alarm"), IP: "127.0.0.1", Port: -1, PersistTo: state, Console: func(string, string) {}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := start()
	if r := do(t, "GET", d.URL()+"/start?name=r&every=1500&times=1", "", nil); r.body != `{"armed":true}` {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	d.Shutdown(context.Background())
	d = start()
	t.Cleanup(func() { d.Shutdown(context.Background()) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := decodeJSON(t, do(t, "GET", d.URL()+"/status?name=r", "", nil).body)
		if s["ticks"] == 1.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the alarm did not fire after the restart: %v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
