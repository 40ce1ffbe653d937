package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/server"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestQueuesCommands(t *testing.T) {
	dir := t.TempDir()
	p := []string{"--persist-to", dir}
	if code, out, errs := runCLI(t, append([]string{"queues", "create", "jobs"}, p...)...); code != 0 || !strings.Contains(out, "Created queue jobs") {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, append([]string{"queues", "create", "jobs"}, p...)...); code == 0 || !strings.Contains(errs, "already exists") {
		t.Fatalf("create twice: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, append([]string{"queues", "create", "Bad_Name"}, p...)...); code == 0 || !strings.Contains(errs, "Invalid queue name") {
		t.Fatalf("bad name: %d %s", code, errs)
	}
	st, err := server.OpenState(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := st.Queues()
	qs.Send(context.Background(), "jobs", []queues.Message{{Body: []byte(`{"a":1}`), ContentType: "json"}, {Body: []byte{1, 2}, ContentType: "bytes"}})
	st.Close()

	code, out, _ := runCLI(t, append([]string{"queues", "list", "--json"}, p...)...)
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0]["backlog"] != float64(2) {
		t.Fatalf("list: %d %s", code, out)
	}
	code, out, _ = runCLI(t, append([]string{"queues", "peek", "jobs"}, p...)...)
	if code != 0 || !strings.Contains(out, `{"a":1}`) || !strings.Contains(out, "(bytes, 2 bytes)") {
		t.Fatalf("peek: %s", out)
	}
	if code, out, errs := runCLI(t, append([]string{"queues", "consumer", "add", "jobs", "my-worker", "--batch-size", "50", "--dead-letter-queue", "jobs-dlq"}, p...)...); code != 0 {
		t.Fatalf("consumer add: %s %s", out, errs)
	}
	if code, _, errs := runCLI(t, append([]string{"queues", "consumer", "add", "jobs", "w", "--batch-size", "500"}, p...)...); code == 0 || !strings.Contains(errs, "max_batch_size must be between 1 and 100") {
		t.Fatalf("bad consumer: %s", errs)
	}
	code, out, _ = runCLI(t, append([]string{"queues", "info", "jobs"}, p...)...)
	if code != 0 || !strings.Contains(out, "Backlog:   2") || !strings.Contains(out, "worker my-worker") {
		t.Fatalf("info: %s", out)
	}
	if code, out, _ := runCLI(t, append([]string{"queues", "purge", "jobs", "--force"}, p...)...); code != 0 || !strings.Contains(out, "Purged 2 message(s)") {
		t.Fatalf("purge: %s", out)
	}
	if code, _, _ := runCLI(t, append([]string{"queues", "consumer", "remove", "jobs", "my-worker"}, p...)...); code != 0 {
		t.Fatal("consumer remove")
	}
	if code, out, _ := runCLI(t, append([]string{"queues", "delete", "jobs"}, p...)...); code != 0 || !strings.Contains(out, "Deleted queue jobs") {
		t.Fatalf("delete: %s", out)
	}
	if code, _, errs := runCLI(t, append([]string{"queues", "delete", "jobs"}, p...)...); code == 0 || !strings.Contains(errs, "does not exist") {
		t.Fatalf("delete twice: %s", errs)
	}
}
