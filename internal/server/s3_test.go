package server

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/s3api"
)

// TestDevS3 runs the guide's R2 worker with the S3 API on: what the worker
// writes through its binding, an S3 client reads, and the other way round.
func TestDevS3(t *testing.T) {
	dir := filepath.Join(examplesDir(t), "r2-crud")
	npmInstall(t, dir)
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, S3Port: -1, Isolates: 1, PersistTo: t.TempDir(), Console: func(string, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
	})
	key, err := d.S3().Settings().CreateKey(context.Background(), "test", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	s3 := func(method, path, body string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r, err := http.NewRequest(method, d.S3().URL()+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		s3api.Sign(r, key.ID, key.Secret, "auto", time.Now())
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	// The configuration's bucket exists before anything was written.
	if resp, body := s3("GET", "/", "", nil); resp.StatusCode != 200 || !strings.Contains(body, "<Name>my-bucket</Name>") {
		t.Fatalf("ListBuckets: %d %s", resp.StatusCode, body)
	}
	if r := do(t, "PUT", d.URL()+"/docs/a.txt", "written by the worker", map[string]string{"Content-Type": "text/plain", "Cache-Control": "no-cache"}); r.status != 201 {
		t.Fatalf("worker put: %d %s", r.status, r.body)
	}
	resp, body := s3("GET", "/my-bucket/docs/a.txt", "", nil)
	if resp.StatusCode != 200 || body != "written by the worker" || resp.Header.Get("Content-Type") != "text/plain" ||
		resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") != `"`+md5hex("written by the worker")+`"` {
		t.Fatalf("S3 get: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = s3("PUT", "/my-bucket/from-s3.txt", "written over S3", map[string]string{"Content-Type": "text/x-s3", "Content-Language": "de", "X-Amz-Meta-Origin": "s3"})
	if resp.StatusCode != 200 {
		t.Fatalf("S3 put: %d %s", resp.StatusCode, body)
	}
	r := do(t, "GET", d.URL()+"/from-s3.txt", "", nil)
	if r.status != 200 || r.body != "written over S3" || r.header.Get("Content-Type") != "text/x-s3" || r.header.Get("Content-Language") != "de" {
		t.Fatalf("worker get: %d %q %v", r.status, r.body, r.header)
	}
	o, err := d.State().R2().Head(context.Background(), "my-bucket", "from-s3.txt")
	if err != nil || o.CustomMetadata["origin"] != "s3" {
		t.Fatalf("custom metadata: %+v, %v", o.CustomMetadata, err)
	}
}
