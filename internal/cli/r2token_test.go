package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/s3api"
)

func TestR2Token(t *testing.T) {
	state := t.TempDir()
	run := func(f func(Streams, []string) int, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := f(Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, append(args, "--persist-to", state))
		return code, out.String(), errb.String()
	}
	code, out, errs := run(runR2Token, "create", "--name", "ci", "--bucket", "photos,docs", "--read-only", "--json")
	if code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	var created struct {
		ID       string   `json:"access_key_id"`
		Secret   string   `json:"secret_access_key"`
		Buckets  []string `json:"buckets"`
		ReadOnly bool     `json:"read_only"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || len(created.ID) != 32 || len(created.Secret) != 64 || !created.ReadOnly || len(created.Buckets) != 2 {
		t.Fatalf("create output %q: %v", out, err)
	}
	if code, out, _ = run(runR2Token, "create"); code != 0 || !strings.Contains(out, "all buckets, read-write") {
		t.Fatalf("create: %d %s", code, out)
	}
	code, out, _ = run(runR2Token, "list")
	if code != 0 || !strings.Contains(out, created.ID) || !strings.Contains(out, "buckets photos, docs") || strings.Contains(out, created.Secret) {
		t.Fatalf("list: %d %s", code, out)
	}
	// The server sees the key the CLI created.
	set, err := s3api.OpenSettings(s3api.SettingsPath(state))
	if err != nil {
		t.Fatal(err)
	}
	k, err := set.LookupKey(context.Background(), created.ID)
	set.Close()
	if err != nil || k.Secret != created.Secret || k.Allows("photos", true) || !k.Allows("docs", false) || k.Allows("other", false) {
		t.Fatalf("lookup: %+v, %v", k, err)
	}
	if code, _, _ = run(runR2Token, "revoke", created.ID); code != 0 {
		t.Fatal("revoke failed")
	}
	if code, _, errs = run(runR2Token, "revoke", created.ID); code != 1 || !strings.Contains(errs, "no such access key") {
		t.Fatalf("second revoke: %d %s", code, errs)
	}
	if code, out, _ = run(runR2BucketDevURL, "enable", "photos"); code != 0 {
		t.Fatalf("dev-url enable: %s", out)
	}
	if code, out, _ = run(runR2BucketDevURL, "get", "photos"); code != 0 || !strings.Contains(out, "enabled") {
		t.Fatalf("dev-url get: %s", out)
	}
}
