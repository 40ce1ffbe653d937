package worker

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// origin is an upstream server for fetch tests.
func origin(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Got-Header", r.Header.Get("X-Custom"))
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		fmt.Fprintf(w, "%s:%s", r.Method, b)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo", http.StatusFound)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "chunk%d;", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestFetch(t *testing.T) {
	up := origin(t)
	_, srv := newTestWorker(t, `
export default { async fetch(req, env) {
  const base = env.UP;
  const out = {};
  let r = await fetch(base + "/echo", { method: "POST", body: "hello", headers: { "X-Custom": "yes" } });
  out.echo = [r.status, await r.text(), r.headers.get("x-method"), r.headers.get("x-got-header"), r.headers.getSetCookie()];
  r = await fetch(base + "/redirect");
  out.follow = [r.status, r.redirected, r.url.endsWith("/echo"), await r.text()];
  r = await fetch(base + "/redirect", { redirect: "manual" });
  out.manual = [r.status, r.headers.get("location")];
  try { await fetch(base + "/redirect", { redirect: "error" }); out.error = "no error"; } catch (e) { out.error = e.name; }
  r = await fetch(base + "/stream");
  const reader = r.body.getReader();
  let text = "", chunks = 0;
  for (;;) { const { done, value } = await reader.read(); if (done) break; chunks++; text += new TextDecoder().decode(value); }
  out.stream = text;
  const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("streamed ")); c.enqueue(new TextEncoder().encode("body")); c.close(); } });
  r = await fetch(base + "/echo", { method: "PUT", body, duplex: "half" });
  out.streamBody = await r.text();
  try { await fetch(base + "/slow", { signal: AbortSignal.timeout(50) }); out.timeout = "no error"; } catch (e) { out.timeout = e.name; }
  try { await fetch("http://127.0.0.1:1/"); out.refused = "no error"; } catch (e) { out.refused = e.name; }
  try { await fetch("ftp://example.com/"); out.scheme = "no error"; } catch (e) { out.scheme = e.name; }
  const proxied = await fetch(base + "/echo", { method: "POST", body: req.body });
  out.proxied = await proxied.text();
  return Response.json(out);
} };`, func(c *Config) { c.Vars = map[string]any{"UP": up.URL} })
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("from client"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"echo":[200,"POST:hello","POST","yes",["a=1","b=2"]],"follow":[200,true,true,"GET:"],"manual":[302,"/echo"],"error":"TypeError","stream":"chunk0;chunk1;chunk2;chunk3;chunk4;","streamBody":"PUT:streamed body","timeout":"TimeoutError","refused":"TypeError","scheme":"TypeError","proxied":"POST:from client"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// TestUnreadBodiesClosedWhenRequestEnds checks that a fetch response the
// worker never reads does not keep its connection open after the request.
func TestUnreadBodiesClosedWhenRequestEnds(t *testing.T) {
	var mu sync.Mutex
	open := 0
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 1<<20)))
	}))
	up.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			open++
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	_, srv := newTestWorker(t, `
export default { async fetch(req, env) {
  const r = await fetch(env.UP);
  return new Response("status " + r.status);
} };`, func(c *Config) { c.Vars = map[string]any{"UP": up.URL} })
	for k := 0; k < 20; k++ {
		if code, body, _ := get(t, srv.URL); code != 200 || body != "status 200" {
			t.Fatalf("got %d %q", code, body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := open
		mu.Unlock()
		if n <= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d upstream connections still open after 20 requests that left their bodies unread", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
