package server

import (
	"context"
	"encoding/json"
	"fmt"
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
