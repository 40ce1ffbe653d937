package queues_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
)

type envelope struct {
	Success bool                       `json:"success"`
	Errors  []struct{ Message string } `json:"errors"`
	Result  json.RawMessage            `json:"result"`
}

func post(t *testing.T, url, token, body string) (int, envelope) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e envelope
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, e
}

type pulled struct {
	Backlog  int `json:"message_backlog_count"`
	Messages []struct {
		ID       string            `json:"id"`
		Body     string            `json:"body"`
		Attempts int               `json:"attempts"`
		LeaseID  string            `json:"lease_id"`
		Metadata map[string]string `json:"metadata"`
	} `json:"messages"`
}

func TestPullConsumer(t *testing.T) {
	s := openStore(t)
	info, _ := s.CreateQueue(t.Context(), "pulled")
	h := &queues.PullHandler{Store: s, Token: "secret", Consumer: func(q string) (queues.ConsumerConfig, bool) {
		return queues.ConsumerConfig{Queue: q, MaxRetries: 1, DeadLetterQueue: "pulled-dlq"}, true
	}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL + "/client/v4/accounts/acct/queues/" + info.ID + "/messages"

	if code, e := post(t, base+"/pull", "wrong", `{}`); code != 401 || e.Success {
		t.Fatalf("bad token: %d %+v", code, e)
	}
	if code, e := post(t, base, "secret", `{"body":{"n":1}}`); code != 200 || !e.Success {
		t.Fatalf("send: %d %+v", code, e)
	}
	if code, e := post(t, base+"/batch", "secret", `{"messages":[{"body":"hi","content_type":"text"},{"body":"AAEC","content_type":"bytes"}]}`); code != 200 || !e.Success {
		t.Fatalf("batch: %d %+v", code, e)
	}
	if code, e := post(t, base, "secret", `{"body":"x","content_type":"xml"}`); code != 400 || !strings.Contains(e.Errors[0].Message, "content type xml is invalid") {
		t.Fatalf("bad type: %d %+v", code, e)
	}
	_, e := post(t, base+"/pull", "secret", `{"batch_size":10,"visibility_timeout_ms":200}`)
	var p pulled
	json.Unmarshal(e.Result, &p)
	if len(p.Messages) != 3 || p.Messages[0].Body != `{"n":1}` || p.Messages[1].Body != "hi" || p.Messages[2].Body != "AAEC" || p.Messages[2].Metadata["CF-Content-Type"] != "bytes" {
		t.Fatalf("pull: %s", e.Result)
	}
	// Ack the first, retry the second at once, let the third's lease expire.
	_, e = post(t, base+"/ack", "secret", `{"acks":[{"lease_id":"`+p.Messages[0].LeaseID+`"}],"retries":[{"lease_id":"`+p.Messages[1].LeaseID+`","delay_seconds":0}]}`)
	if !e.Success || !strings.Contains(string(e.Result), `"ackCount":1`) {
		t.Fatalf("ack: %s", e.Result)
	}
	time.Sleep(250 * time.Millisecond)
	_, e = post(t, base+"/pull", "secret", `{"batch_size":10,"visibility_timeout_ms":200}`)
	p = pulled{}
	json.Unmarshal(e.Result, &p)
	if len(p.Messages) != 2 || p.Messages[0].Attempts != 2 {
		t.Fatalf("second pull: %s", e.Result)
	}
	// Both fail again (lease expiry): past max_retries 1 they go to the
	// dead-letter queue instead of a third delivery.
	time.Sleep(250 * time.Millisecond)
	_, e = post(t, base+"/pull", "secret", `{"batch_size":10}`)
	p = pulled{}
	json.Unmarshal(e.Result, &p)
	if len(p.Messages) != 0 {
		t.Fatalf("third pull: %s", e.Result)
	}
	if dl, _ := s.Peek(t.Context(), "pulled-dlq", 10); len(dl) != 2 {
		t.Fatalf("dead letters %d", len(dl))
	}
}
