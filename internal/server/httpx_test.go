package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDevResponsesThroughHoldingConns sends pipelined requests on one
// keep-alive connection to a worker whose responses take every path of the
// worker's response writer (a string body, a bytes body, HEAD, 204, a
// stream) and to a static asset, and checks each response arrives whole
// and in order: the dev server's connections hold complete responses to
// send each in one write (package httpx), and nothing of one response may
// end up in another.
func TestDevResponsesThroughHoldingConns(t *testing.T) {
	const worker = `export default { async fetch(request, env) {
  const u = new URL(request.url);
  const n = Number(u.searchParams.get("n") ?? "0");
  switch (u.pathname) {
    case "/text": return new Response("t".repeat(n));
    case "/bytes": return new Response(new Uint8Array(n).fill(98));
    case "/empty": return new Response(null, { status: 204 });
    case "/r2": {
      // A small R2 body is handed to the Response whole in memory
      // (worker.InMemoryBody) and leaves with its head in one write.
      await env.B.put("k" + n, "r".repeat(n));
      const range = u.searchParams.get("range");
      const obj = await env.B.get("k" + n, range ? { range: { offset: Number(range) } } : {});
      return new Response(obj.body);
    }
    case "/stream": {
      const body = new ReadableStream({ start(c) { for (let i = 0; i < 3; i++) c.enqueue(new TextEncoder().encode("s".repeat(n))); c.close(); } });
      return new Response(body);
    }
  }
  return new Response("not found", { status: 404 });
} };`
	d, _ := startProject(t, map[string]string{
		"wrangler.toml":     "name = \"holding\"\nmain = \"src/index.js\"\ncompatibility_date = \"2025-07-18\"\n[[r2_buckets]]\nbinding = \"B\"\nbucket_name = \"b\"\n[assets]\ndirectory = \"public\"\n",
		"src/index.js":      worker,
		"public/big.txt":    strings.Repeat("a", 12000),
		"public/index.html": "<p>home</p>",
	}, nil, false)
	type exchange struct {
		method, path string
		status       int
		body         string
	}
	xs := []exchange{
		{"GET", "/text?n=10240", 200, strings.Repeat("t", 10240)},
		{"GET", "/bytes?n=100000", 200, strings.Repeat("b", 100000)},
		{"HEAD", "/text?n=5000", 200, ""},
		{"GET", "/empty", 204, ""},
		{"GET", "/stream?n=3000", 200, strings.Repeat("s", 9000)},
		{"GET", "/big.txt", 200, strings.Repeat("a", 12000)},
		{"GET", "/text?n=3", 200, "ttt"},
		{"GET", "/r2?n=10240", 200, strings.Repeat("r", 10240)},
		{"GET", "/r2?n=20000&range=15000", 200, strings.Repeat("r", 5000)},
		{"HEAD", "/r2?n=5000", 200, ""},
		{"GET", "/r2?n=200000", 200, strings.Repeat("r", 200000)},
		// Large bodies are worker.StoredBody: copied with WriteTo (sendfile).
		{"GET", "/r2?n=300000&range=100000", 200, strings.Repeat("r", 200000)},
		{"GET", "/bytes?n=300000", 200, strings.Repeat("b", 300000)},
	}
	c, err := net.Dial("tcp", d.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	var reqs strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&reqs, "%s %s HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n", x.method, x.path)
	}
	if _, err := io.WriteString(c, reqs.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for i, x := range xs {
		res, err := http.ReadResponse(br, &http.Request{Method: x.method})
		if err != nil {
			t.Fatalf("response %d (%s %s): %v", i, x.method, x.path, err)
		}
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("response %d (%s %s) body: %v", i, x.method, x.path, err)
		}
		if res.StatusCode != x.status || string(b) != x.body {
			t.Fatalf("response %d (%s %s): %d with %d bytes, want %d with %d", i, x.method, x.path, res.StatusCode, len(b), x.status, len(x.body))
		}
		if x.method == "HEAD" && res.ContentLength != 5000 {
			t.Errorf("HEAD: Content-Length %d, want 5000", res.ContentLength)
		}
	}
}
