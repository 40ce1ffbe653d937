package s3api

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file drive the API with real S3 clients from Debian's
// packages. They fail (never skip) when a client is missing: `make tools`
// installs them.

const installHint = "install the S3 clients with `make tools` (apt-get install -y awscli s3cmd rclone python3-boto3)"

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: %s", name, installHint)
	}
	return p
}

// clientEnv is a minimal environment for client processes: no user
// configuration, no CA bundle overrides, the test key.
func clientEnv(t *testing.T, e *testEnv) []string {
	home := t.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=" + e.Key.ID, "AWS_SECRET_ACCESS_KEY=" + e.Key.Secret,
		"AWS_DEFAULT_REGION=auto", "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_PAGER=",
	}
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %s: %s", filepath.Base(name), strings.Join(args[:min(len(args), 4)], " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// makeTree writes a directory of test files: small files in nested
// directories, awkward names, an empty file and one of size bytes.
func makeTree(t *testing.T, size int) string {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.txt":                []byte("alpha\n"),
		"sub/b.txt":            []byte("bravo\n"),
		"sub/deeper/c.json":    []byte(`{"c":1}`),
		"space name.txt":       []byte("spaces\n"),
		"plus+and&amp=.txt":    []byte("odd\n"),
		"unicodé/ñ.txt":        []byte("unicode\n"),
		"empty":                {},
		"big/random.bin":       randomBytes(t, size),
		"sub/deeper/small.bin": randomBytes(t, 70000),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// sameTree fails unless dirs a and b hold the same files with the same bytes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	read := func(root string) map[string][]byte {
		m := map[string][]byte{}
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			if !info.IsDir() {
				rel, _ := filepath.Rel(root, p)
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				m[rel] = data
			}
			return nil
		})
		return m
	}
	ma, mb := read(a), read(b)
	for k, v := range ma {
		if w, ok := mb[k]; !ok || !bytes.Equal(v, w) {
			t.Errorf("%s differs between %s and %s (present: %v)", k, a, b, ok)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			t.Errorf("%s only in %s", k, b)
		}
	}
}

func TestAWSCLI(t *testing.T) {
	aws := requireTool(t, "aws")
	e := newTestEnv(t)
	env := clientEnv(t, e)
	ep := []string{"--endpoint-url", e.URL}
	a := func(args ...string) string { return run(t, env, aws, append(ep, args...)...) }
	a("s3", "mb", "s3://cli-bucket")
	src := makeTree(t, 12<<20) // above the CLI's 8 MiB multipart threshold
	a("s3", "sync", "--quiet", src, "s3://cli-bucket/tree/")
	down := t.TempDir()
	a("s3", "sync", "--quiet", "s3://cli-bucket/tree/", down)
	sameTree(t, src, down)
	o, err := e.Store.Head(t.Context(), "cli-bucket", "tree/big/random.bin")
	if err != nil || !strings.HasSuffix(o.ETag, "-2") {
		t.Errorf("big file: %+v, %v; want a 2-part multipart ETag", o, err)
	}
	// s3api: metadata, copy with REPLACE, presign. (Each CLI start costs
	// seconds on a loaded machine; the Go side checks what it can.)
	a("s3api", "put-object", "--bucket", "cli-bucket", "--key", "meta.txt", "--body", filepath.Join(src, "a.txt"),
		"--content-type", "text/x-alpha", "--metadata", "k1=v1,k2=v2", "--cache-control", "no-store")
	o, err = e.Store.Head(t.Context(), "cli-bucket", "meta.txt")
	if err != nil || o.HTTPMetadata.ContentType != "text/x-alpha" || o.HTTPMetadata.CacheControl != "no-store" || o.CustomMetadata["k1"] != "v1" || o.CustomMetadata["k2"] != "v2" {
		t.Errorf("put-object stored %+v, %v", o, err)
	}
	a("s3api", "copy-object", "--bucket", "cli-bucket", "--key", "meta2.txt", "--copy-source", "cli-bucket/meta.txt",
		"--metadata-directive", "REPLACE", "--content-type", "text/x-replaced")
	if h := a("s3api", "head-object", "--bucket", "cli-bucket", "--key", "meta2.txt"); !strings.Contains(h, "text/x-replaced") || strings.Contains(h, "k1") {
		t.Errorf("copy-object REPLACE: %s", h)
	}
	url := strings.TrimSpace(a("s3", "presign", "s3://cli-bucket/tree/a.txt", "--expires-in", "600"))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "alpha\n" {
		t.Errorf("presigned GET: %d %q", resp.StatusCode, body)
	}
	a("s3", "rb", "--force", "s3://cli-bucket")
	if _, err := e.Store.HeadBucket(t.Context(), "cli-bucket"); err == nil {
		t.Error("rb --force left the bucket")
	}
}

// modeRecorder records the x-amz-content-sha256 modes requests used.
type modeRecorder struct {
	h     http.Handler
	mu    sync.Mutex
	modes map[string]int
}

func (m *modeRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := r.Header.Get("X-Amz-Content-Sha256")
	if len(mode) == 64 {
		mode = "signed"
	}
	m.mu.Lock()
	m.modes[mode]++
	m.mu.Unlock()
	m.h.ServeHTTP(w, r)
}

func pythonWithBoto3(t *testing.T) string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import boto3").Run() == nil {
			return path
		}
	}
	t.Fatalf("no python3 with boto3: %s", installHint)
	return ""
}

func TestBoto3(t *testing.T) {
	py := pythonWithBoto3(t)
	for _, tls := range []bool{false, true} {
		t.Run("tls="+strconv.FormatBool(tls), func(t *testing.T) {
			e := newTestEnv(t)
			rec := &modeRecorder{h: e.Handler, modes: map[string]int{}}
			verify, url := "-", e.URL
			if tls {
				srv := httptest.NewTLSServer(rec)
				t.Cleanup(srv.Close)
				verify = filepath.Join(t.TempDir(), "ca.pem")
				pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
				if err := os.WriteFile(verify, pemBytes, 0o644); err != nil {
					t.Fatal(err)
				}
				url = srv.URL
			} else {
				url = httpServer(t, rec)
			}
			out := run(t, clientEnv(t, e), py, "testdata/boto3_check.py", url, e.Key.ID, e.Key.Secret, verify)
			if !strings.HasPrefix(out, "OK ") && !strings.Contains(out, "\nOK ") {
				t.Fatalf("boto3 script: %s", out)
			}
			t.Logf("%s; payload modes: %v", strings.TrimSpace(out), rec.modes)
		})
	}
}

func TestRclone(t *testing.T) {
	rclone := requireTool(t, "rclone")
	e := newTestEnv(t)
	if _, err := e.Store.CreateBucket(t.Context(), "rclone-bucket"); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("[zs]\ntype = s3\nprovider = Cloudflare\naccess_key_id = %s\nsecret_access_key = %s\nendpoint = %s\nregion = auto\n",
		e.Key.ID, e.Key.Secret, e.URL)), 0o600)
	env := clientEnv(t, e)
	r := func(args ...string) string {
		return run(t, env, rclone, append([]string{"--config", conf, "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M"}, args...)...)
	}
	src := makeTree(t, 11<<20)
	r("copy", src, "zs:rclone-bucket/tree")
	r("check", src, "zs:rclone-bucket/tree")
	down := t.TempDir()
	r("sync", "zs:rclone-bucket/tree", down)
	sameTree(t, src, down)
	// Change the source and sync again: the bucket follows.
	os.Remove(filepath.Join(src, "a.txt"))
	os.WriteFile(filepath.Join(src, "sub/b.txt"), []byte("changed\n"), 0o644)
	r("sync", src, "zs:rclone-bucket/tree")
	r("check", src, "zs:rclone-bucket/tree")
	if _, err := e.Store.Head(t.Context(), "rclone-bucket", "tree/a.txt"); err == nil {
		t.Error("sync did not delete tree/a.txt")
	}
	if o, err := e.Store.Head(t.Context(), "rclone-bucket", "tree/big/random.bin"); err != nil || !strings.HasSuffix(o.ETag, "-3") {
		t.Errorf("big file: %+v, %v; want a 3-part multipart ETag", o, err)
	}
}

func TestS3cmd(t *testing.T) {
	s3cmd := requireTool(t, "s3cmd")
	e := newTestEnv(t)
	host := strings.TrimPrefix(e.URL, "http://")
	cfg := filepath.Join(t.TempDir(), "s3cfg")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\nuse_https = False\nbucket_location = auto\nsignature_v2 = False\n",
		e.Key.ID, e.Key.Secret, host, host)), 0o600)
	env := clientEnv(t, e)
	s := func(args ...string) string { return run(t, env, s3cmd, append([]string{"-c", cfg}, args...)...) }
	s("mb", "s3://s3cmd-bucket")
	src := makeTree(t, 6<<20)
	s("put", "--multipart-chunk-size-mb=5", filepath.Join(src, "big/random.bin"), "s3://s3cmd-bucket/big.bin")
	s("put", filepath.Join(src, "a.txt"), "s3://s3cmd-bucket/dir/a.txt")
	ls := s("ls", "-r", "s3://s3cmd-bucket")
	if !strings.Contains(ls, "s3://s3cmd-bucket/big.bin") || !strings.Contains(ls, "s3://s3cmd-bucket/dir/a.txt") {
		t.Errorf("ls: %s", ls)
	}
	down := t.TempDir()
	s("get", "s3://s3cmd-bucket/big.bin", filepath.Join(down, "big.bin"))
	got, _ := os.ReadFile(filepath.Join(down, "big.bin"))
	want, _ := os.ReadFile(filepath.Join(src, "big/random.bin"))
	if !bytes.Equal(got, want) {
		t.Error("s3cmd get: bytes differ")
	}
	s("del", "s3://s3cmd-bucket/big.bin", "s3://s3cmd-bucket/dir/a.txt")
	if ls := s("ls", "-r", "s3://s3cmd-bucket"); strings.TrimSpace(ls) != "" {
		t.Errorf("after del: %s", ls)
	}
	s("rb", "s3://s3cmd-bucket")
}
