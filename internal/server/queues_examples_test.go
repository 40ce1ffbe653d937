package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestExampleQueueUploads runs the guide's producer and consumer: every
// message fails (processMessage is undefined), is delivered
// max_retries+1 = 3 times, and ends in the dead-letter queue with its body
// intact.
func TestExampleQueueUploads(t *testing.T) {
	d := startExample(t, "queue-uploads", nil)
	for i := 0; i < 3; i++ {
		r := do(t, "POST", fmt.Sprintf("%s/?file=f%d", d.URL(), i), "", nil)
		if r.status != 200 || r.body != `{"status":"queued"}` {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
	}
	var got []struct {
		ID       string         `json:"id"`
		Body     map[string]any `json:"body"`
		Attempts int            `json:"attempts"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := do(t, "GET", d.URL()+"/dead-letters", "", nil)
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatalf("dead letters: %s", r.body)
		}
		if len(got) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(got) != 3 {
		t.Fatalf("dead letters: %+v", got)
	}
	files := map[string]bool{}
	for _, m := range got {
		if len(m.ID) != 32 || m.Body["type"] != "process_upload" || m.Body["userId"] != "user456" || m.Attempts != 1 {
			t.Fatalf("dead letter %+v", m)
		}
		files[m.Body["fileId"].(string)] = true
	}
	if !files["f0"] || !files["f1"] || !files["f2"] {
		t.Fatalf("files %v", files)
	}
	st := d.State().Dispatcher("uploads").Stats()
	if st.Delivered != 9 || st.Retried != 6 || st.DeadLettered != 3 {
		t.Fatalf("uploads consumer: %+v", st)
	}
	store, _ := d.State().Queues()
	for _, q := range []string{"uploads", "uploads-dlq"} {
		if info, err := store.Info(context.Background(), q); err == nil && info.Backlog != 0 {
			t.Fatalf("%s backlog %+v", q, info)
		}
	}
}

// TestExampleQueueWebhooks runs the guide's webhook delivery consumer
// against a webhook server started here: a healthy endpoint is called
// once, a flaky one is retried with back-off until it succeeds, one that
// keeps failing after attemptCount 5 is dead-lettered by the code, and an
// unreachable one is retried max_retries times and then dead-lettered by
// the queue.
func TestExampleQueueWebhooks(t *testing.T) {
	var mu sync.Mutex
	calls := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls[r.URL.Path] = append(calls[r.URL.Path], string(b))
		n := len(calls[r.URL.Path])
		mu.Unlock()
		switch {
		case r.URL.Path == "/ok", r.URL.Path == "/flaky" && n >= 3:
			w.WriteHeader(200)
		default:
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	unreachable := closed.URL + "/gone"
	closed.Close()

	d := startExample(t, "queue-webhooks", nil)
	send := func(url string, attempt int) {
		body := fmt.Sprintf(`{"url":%q,"payload":{"to":%q},"attemptCount":%d}`, url, url, attempt)
		if r := do(t, "POST", d.URL()+"/", body, nil); r.status != 202 {
			t.Fatalf("enqueue: %d %s", r.status, r.body)
		}
	}
	send(srv.URL+"/ok", 0)
	send(srv.URL+"/flaky", 0)
	send(srv.URL+"/fail", 5)
	send(unreachable, 0)

	var dead []map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := do(t, "GET", d.URL()+"/", "", nil)
		json.Unmarshal([]byte(r.body), &dead)
		mu.Lock()
		flaky := len(calls["/flaky"])
		mu.Unlock()
		if len(dead) == 2 && flaky == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls["/ok"]) != 1 || calls["/ok"][0] != `{"to":"`+srv.URL+`/ok"}` {
		t.Fatalf("ok endpoint: %q", calls["/ok"])
	}
	if len(calls["/flaky"]) != 3 || len(calls["/fail"]) != 1 {
		t.Fatalf("calls: %v", calls)
	}
	urls := map[string]bool{}
	for _, m := range dead {
		urls[m["url"].(string)] = true
	}
	if len(dead) != 2 || !urls[srv.URL+"/fail"] || !urls[unreachable] {
		t.Fatalf("dead letters: %v", dead)
	}
	if st := d.State().Dispatcher("webhooks").Stats(); st.DeadLettered != 1 || st.Delivered != 1+3+1+4 {
		t.Fatalf("webhooks consumer: %+v", st)
	}
}

// TestQueuePullConsumerThroughDev sends from a worker and consumes over
// the REST API that zerostack dev serves with --api-port, as an HTTP pull
// consumer outside zerostack would.
func TestQueuePullConsumerThroughDev(t *testing.T) {
	dir := writeWorkerProject(t, `name = "pull-test"
main = "index.js"
[[queues.producers]]
binding = "Q"
queue = "outbox"
[[queues.consumers]]
queue = "outbox"
type = "http_pull"
`, `export default {
  async fetch(req, env) {
    await env.Q.send("hello " + new URL(req.url).searchParams.get("n"), { contentType: "text" });
    await env.Q.sendBatch([{ body: { n: 1 }, contentType: "json" }, { body: new Uint8Array([1, 2, 3]), contentType: "bytes" }]);
    return new Response("sent");
  },
};`)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, APIPort: -1, APIToken: "tok", PersistTo: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	if r := do(t, "GET", d.URL()+"/?n=7", "", nil); r.body != "sent" {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	base := d.API().URL() + "/accounts/local/queues/outbox/messages"
	r := do(t, "POST", base+"/pull", `{"batch_size":10}`, map[string]string{"Authorization": "Bearer tok"})
	var env struct {
		Success bool
		Result  struct {
			Messages []struct {
				Body    string `json:"body"`
				LeaseID string `json:"lease_id"`
			} `json:"messages"`
		}
	}
	json.Unmarshal([]byte(r.body), &env)
	m := env.Result.Messages
	if !env.Success || len(m) != 3 || m[0].Body != "hello 7" || m[1].Body != `{"n":1}` || m[2].Body != "AQID" {
		t.Fatalf("pull: %s", r.body)
	}
	acks := fmt.Sprintf(`{"acks":[{"lease_id":%q},{"lease_id":%q},{"lease_id":%q}]}`, m[0].LeaseID, m[1].LeaseID, m[2].LeaseID)
	if r := do(t, "POST", base+"/ack", acks, map[string]string{"Authorization": "Bearer tok"}); !strings.Contains(r.body, `"ackCount":3`) {
		t.Fatalf("ack: %s", r.body)
	}
	store, _ := d.State().Queues()
	if info, _ := store.Info(context.Background(), "outbox"); info.Backlog != 0 {
		t.Fatalf("backlog %+v", info)
	}
}

// TestQueueServiceWorkerSyntax consumes with addEventListener("queue").
func TestQueueServiceWorkerSyntax(t *testing.T) {
	dir := writeWorkerProject(t, `name = "sw-queue"
main = "index.js"
[[queues.producers]]
binding = "Q"
queue = "sw"
[[queues.consumers]]
queue = "sw"
max_batch_timeout = 0
`, `let got = [];
addEventListener("fetch", (e) => e.respondWith((async () => {
  if (new URL(e.request.url).pathname === "/got") return Response.json(got);
  await Q.send({ when: new Date(0), tags: new Set(["a"]) });
  return new Response("sent");
})()));
addEventListener("queue", (event) => {
  for (const m of event.messages) got.push([event.queue, m.body.when.toISOString(), [...m.body.tags], m.attempts]);
  event.ackAll();
});`)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	if r := do(t, "GET", d.URL()+"/", "", nil); r.body != "sent" {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	want := `[["sw","1970-01-01T00:00:00.000Z",["a"],1]]`
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := do(t, "GET", d.URL()+"/got", "", nil)
		if r.body == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumed: %s", r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestQueueConsumerInAnotherWorker runs the producer and the consumer as
// two workers, each its own zerostack dev, sharing one state directory (as
// `wrangler dev` runs two workers with a shared --persist-to).
func TestQueueConsumerInAnotherWorker(t *testing.T) {
	state := t.TempDir()
	prod := writeWorkerProject(t, "name = \"producer\"\nmain = \"index.js\"\n[[queues.producers]]\nbinding = \"JOBS\"\nqueue = \"shared-jobs\"\n",
		`export default { async fetch(req, env) { await env.JOBS.send({ hello: "from producer" }); return new Response("ok"); } };`)
	cons := writeWorkerProject(t, "name = \"consumer\"\nmain = \"index.js\"\n[[queues.consumers]]\nqueue = \"shared-jobs\"\nmax_batch_timeout = 0\n", `let seen = [];
export default {
  fetch() { return Response.json(seen); },
  queue(batch) { for (const m of batch.messages) seen.push(m.body.hello); },
};`)
	p, err := StartDev(DevOptions{Path: prod, IP: "127.0.0.1", Port: -1, PersistTo: state})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	c, err := StartDev(DevOptions{Path: cons, IP: "127.0.0.1", Port: -1, PersistTo: state})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	if r := do(t, "GET", p.URL(), "", nil); r.body != "ok" {
		t.Fatalf("produce: %s", r.body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r := do(t, "GET", c.URL(), "", nil); r.body == `["from producer"]` {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("consumer saw %s", r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
