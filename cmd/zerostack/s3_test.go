package main

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/s3api"
)

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDevS3 runs `zerostack dev` on the r2-crud example with the S3 API on
// and returns the S3 endpoint once the server is ready.
func startDevS3(t *testing.T, bin, stateDir string) (*exec.Cmd, string) {
	t.Helper()
	port, s3port := freePort(t), freePort(t)
	cmd := exec.Command(bin, "dev", "../../examples/r2-crud", "--port", strconv.Itoa(port), "--ip", "127.0.0.1",
		"--s3-port", strconv.Itoa(s3port), "--persist-to", stateDir)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan struct{}, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Ready on ") {
				ready <- struct{}{}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("zerostack dev did not print Ready")
	}
	return cmd, "http://127.0.0.1:" + strconv.Itoa(s3port)
}

// crashBody is the deterministic body of an object: sizes cycle through
// inline bodies (up to 64 KiB, stored in the metadata database) and blob
// files (larger), so both paths are killed mid-write.
func crashBody(key string, i int) []byte {
	sizes := []int{1, 700, 10 << 10, 64 << 10, 64<<10 + 1, 200 << 10}
	return bytes.Repeat([]byte(key+";"), sizes[i%len(sizes)]/(len(key)+1)+1)[:sizes[i%len(sizes)]]
}

// TestS3PutsSurviveSIGKILL puts objects through the S3 API of the real
// binary from 16 clients, kills it with SIGKILL in the middle, restarts it
// on the same state and checks that every acknowledged put reads back with
// its bytes.
func TestS3PutsSurviveSIGKILL(t *testing.T) {
	bin := testBinary(t)
	state := t.TempDir()
	out, err := exec.Command(bin, "r2", "token", "create", "--persist-to", state, "--json", "-c", "../../examples/r2-crud/wrangler.toml").CombinedOutput()
	if err != nil {
		t.Fatalf("r2 token create: %v\n%s", err, out)
	}
	var key struct {
		ID     string `json:"access_key_id"`
		Secret string `json:"secret_access_key"`
	}
	if err := json.Unmarshal(out, &key); err != nil || key.ID == "" {
		t.Fatalf("r2 token create --json: %v\n%s", err, out)
	}
	do := func(endpoint, method, path string, body []byte) (*http.Response, error) {
		r, _ := http.NewRequest(method, endpoint+path, bytes.NewReader(body))
		if body != nil {
			sum := md5.Sum(body)
			r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		}
		s3api.Sign(r, key.ID, key.Secret, "auto", time.Now())
		return (&http.Client{Timeout: 10 * time.Second}).Do(r)
	}

	cmd, endpoint := startDevS3(t, bin, state)
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				k := fmt.Sprintf("crash/w%d-%d", w, i)
				resp, err := do(endpoint, "PUT", "/my-bucket/"+k, crashBody(k, i))
				if err != nil {
					return // the server died
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("put %s: %d", k, resp.StatusCode)
					return
				}
				mu.Lock()
				acked[k] = i
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no put was acknowledged before the kill")
	}

	_, endpoint = startDevS3(t, bin, state)
	for k, i := range acked {
		resp, err := do(endpoint, "GET", "/my-bucket/"+k, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil || !bytes.Equal(got, crashBody(k, i)) {
			t.Fatalf("acknowledged %s after SIGKILL: %d, %d bytes (want %d), %v", k, resp.StatusCode, len(got), len(crashBody(k, i)), err)
		}
	}
	t.Logf("%d puts acknowledged before SIGKILL, all read back after restart", len(acked))
}
