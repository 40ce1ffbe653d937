package worker

import (
	"strings"
	"testing"
)

func TestEvent(t *testing.T) {
	ext := Extension{Name: "echo", Script: `
const { registerEvent } = globalThis.__zs_internal;
registerEvent("echo", async (payload, ctx, exports, env) => {
  if (payload === "throw") throw new TypeError("bad payload");
  ctx.waitUntil(Promise.resolve());
  return exports.default.shout(payload) + ":" + env.SUFFIX;
});`}
	w, _ := newTestWorker(t, `export default {
  fetch() { return new Response("ok"); },
  shout(s: string) { return s.toUpperCase(); },
};`, func(c *Config) {
		c.Extensions = []Extension{ext}
		c.Vars = map[string]any{"SUFFIX": "env"}
	})
	if r := w.Event("echo", "hi\nthere"); !r.OK || r.Result != "HI\nTHERE:env" {
		t.Fatalf("echo: %+v", r)
	}
	r := w.Event("echo", "throw")
	if r.OK || !strings.Contains(r.Error, "TypeError: bad payload") {
		t.Fatalf("throw: %+v", r)
	}
	if r := w.Event("nope", ""); r.OK || !strings.Contains(r.Error, "no handler for nope events") {
		t.Fatalf("unknown kind: %+v", r)
	}
}
