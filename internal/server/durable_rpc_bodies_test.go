package server

import (
	"encoding/json"
	"testing"
)

const rpcBodiesJS = `
import { DurableObject } from "cloudflare:workers";
const ISO = crypto.randomUUID();

export class Box extends DurableObject {
  iso() { return ISO; }
  async inspect(req, h) {
    return { method: req.method, url: req.url, auth: req.headers.get("authorization"), body: await req.text(), h: h instanceof Headers && h.get("x-h") };
  }
  respond(s) { return new Response(s, { status: 201, headers: { "x-box": "1" } }); }
  async read(stream) { return await new Response(stream).text(); }
}

export default {
  async fetch(req, env) {
    const stub = env.BOX.getByName("b");
    const cross = (await stub.iso()) !== ISO;
    const enc = new TextEncoder();
    const seen = await stub.inspect(new Request("http://box/x", { method: "POST", headers: { authorization: "a" }, body: "hello" }), new Headers({ "x-h": "v" }));
    const r = await stub.respond("made");
    const res = { status: r.status, box: r.headers.get("x-box"), text: await r.text() };
    let i = 0;
    const read = await stub.read(new ReadableStream({ pull(c) { if (i === 2) { c.close(); return; } c.enqueue(enc.encode("p" + i++)); } }));
    return Response.json({ cross, out: { seen, res, read } });
  },
};
`

// TestDurableRPCBodies: Request, Response, ReadableStream and Headers as
// Durable Object RPC arguments and results, whether the object lives in
// the caller's isolate or the other one.
func TestDurableRPCBodies(t *testing.T) {
	d := startTwoIsolateDO(t, "bodies", "BOX", "Box", rpcBodiesJS)
	const want = `{"seen":{"method":"POST","url":"http://box/x","auth":"a","body":"hello","h":"v"},"res":{"status":201,"box":"1","text":"made"},"read":"p0p1"}`
	seen := map[bool]bool{}
	for i := 0; i < 20 && len(seen) < 2; i++ {
		r := do(t, "GET", d.URL()+"/", "", nil)
		var res struct {
			Cross bool            `json:"cross"`
			Out   json.RawMessage `json:"out"`
		}
		if r.status != 200 || json.Unmarshal([]byte(r.body), &res) != nil {
			t.Fatalf("GET /: %d %s", r.status, r.body)
		}
		if string(res.Out) != want {
			t.Fatalf("cross-isolate %v: %s\nwant %s", res.Cross, res.Out, want)
		}
		seen[res.Cross] = true
	}
	if len(seen) < 2 {
		t.Fatalf("ran only with cross-isolate = %v", seen)
	}
}
