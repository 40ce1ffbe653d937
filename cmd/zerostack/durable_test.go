package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// startDev runs `zerostack dev` on an example with its state in stateDir
// and returns the base URL once it is ready.
func startDev(t *testing.T, bin, example, stateDir string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "dev", "../../examples/"+example, "--port", strconv.Itoa(port), "--ip", "127.0.0.1", "--persist-to", stateDir)
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
	return cmd, "http://127.0.0.1:" + strconv.Itoa(port)
}

// TestDurableSurvivesSIGKILL increments a Durable Object counter from many
// clients, kills the real binary with SIGKILL in the middle, restarts it on
// the same state and checks that no acknowledged increment was lost.
func TestDurableSurvivesSIGKILL(t *testing.T) {
	bin := testBinary(t)
	state := t.TempDir()
	cmd, url := startDev(t, bin, "durable-counter", state)
	var acked, maxAck atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 5 * time.Second}
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				path := "/rpc/increment?name=crash"
				method := "GET"
				if c%2 == 1 {
					path, method = "/fetch?name=crash", "POST"
				}
				req, _ := http.NewRequest(method, url+path, nil)
				resp, err := client.Do(req)
				if err != nil {
					return // the server died
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					continue
				}
				n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
				if err != nil {
					continue
				}
				acked.Add(1)
				for {
					m := maxAck.Load()
					if n <= m || maxAck.CompareAndSwap(m, n) {
						break
					}
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	wg.Wait()
	if acked.Load() == 0 {
		t.Fatal("no increment was acknowledged before the kill")
	}
	_, url = startDev(t, bin, "durable-counter", state)
	resp, err := http.Get(url + "/rpc/get?name=crash")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if got < maxAck.Load() {
		t.Fatalf("after SIGKILL the counter is %d, but %d was acknowledged", got, maxAck.Load())
	}
	t.Logf("%d increments acknowledged (highest %d); %d after restart", acked.Load(), maxAck.Load(), got)
}
