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
	"syscall"
	"testing"
	"time"
)

// TestDevCommand builds the real binary and runs `zerostack dev` on the
// hello example as a user would.
func TestDevCommand(t *testing.T) {
	bin := testBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "dev", "../../examples/hello", "--port", strconv.Itoa(port), "--ip", "127.0.0.1", "--var", "EXTRA:1", "--persist-to", t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Ready on ") {
				ready <- sc.Text()
			}
		}
	}()
	select {
	case line := <-ready:
		if !strings.Contains(line, strconv.Itoa(port)) {
			t.Fatalf("ready line %q does not name port %d", line, port)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("zerostack dev did not print Ready")
	}
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/api/hello")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Hello from the edge!") {
		t.Fatalf("got %d %s", resp.StatusCode, b)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("zerostack dev did not stop on SIGINT")
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut strings.Builder
	code := runMain([]string{"frobnicate"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Fatalf("code %d, stderr %q", code, errOut.String())
	}
}
