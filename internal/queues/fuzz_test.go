package queues_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/queues"
)

// FuzzPullHandler sends arbitrary bodies to every route of the pull API:
// each answer must be Cloudflare's JSON envelope (never a panic), with
// success true exactly when the status is 200.
func FuzzPullHandler(f *testing.F) {
	for _, seed := range []string{
		`{"body":{"n":1}}`, `{"body":"x","content_type":"text"}`, `{"body":"AAE=","content_type":"bytes","delay_seconds":1}`,
		`{"messages":[{"body":1},{"body":"hi","content_type":"text"}],"delay_seconds":0}`,
		`{"batch_size":10,"visibility_timeout_ms":1000}`, `{"acks":[{"lease_id":"1.ab"}],"retries":[{"lease_id":"x","delay_seconds":-1}]}`,
		``, `null`, `[]`, `{"batch_size":0}`, `{"body":"@@@","content_type":"v8"}`,
	} {
		for _, op := range []string{"", "/batch", "/pull", "/ack"} {
			f.Add(op, seed)
		}
	}
	s := openStore(f)
	srv := httptest.NewServer(&queues.PullHandler{Store: s})
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, op, body string) {
		if strings.ContainsAny(op, "?#% \t\r\n") {
			return
		}
		resp, err := http.Post(srv.URL+"/client/v4/accounts/a/queues/fuzz/messages"+op, "application/json", strings.NewReader(body))
		if err != nil {
			return // an op that is not a valid URL path
		}
		defer resp.Body.Close()
		var env struct {
			Success *bool `json:"success"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Success == nil {
			t.Fatalf("%s %q: status %d, not an envelope: %v", op, body, resp.StatusCode, err)
		}
		if *env.Success != (resp.StatusCode == 200) {
			t.Fatalf("%s %q: success %v with status %d", op, body, *env.Success, resp.StatusCode)
		}
	})
}
