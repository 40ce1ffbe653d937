package ai

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EnvLlamaBin names the environment variable that gives the path of the
// zerostack-llama program (see [StartLlama]).
const EnvLlamaBin = "ZEROSTACK_LLAMA_BIN"

// LlamaBin returns the zerostack-llama program to run: $ZEROSTACK_LLAMA_BIN,
// else zerostack-llama next to the running executable, else the one in
// PATH. `make build` puts it next to bin/zerostack.
func LlamaBin() (string, error) {
	if p := os.Getenv(EnvLlamaBin); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "zerostack-llama")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath("zerostack-llama")
	if err != nil {
		return "", errors.New("zerostack-llama not found next to zerostack nor in PATH: `make build` builds it (go build ./cmd/zerostack-llama), or set " + EnvLlamaBin)
	}
	return p, nil
}

// llamaStartTimeout bounds loading a model in the child.
const llamaStartTimeout = 5 * time.Minute

// StartLlama runs the GGUF model at path in a zerostack-llama child process
// (llama.cpp through purego and libffi, kept out of the process that runs
// V8) and returns a provider that talks to it over the OpenAI API on a
// loopback port. Generations run one at a time, as llama.cpp's context
// allows. Close stops the child; the child also exits when this process
// dies (its standard input closes). It is [Options].Llama's implementation.
func StartLlama(pc ProviderConfig, path string) (Provider, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("GGUF model %s is not installed", path),
			Hint: "download one with `zerostack ai pull URL` (e.g. a .gguf file from Hugging Face) and name it in zerostack.toml or --ai-gguf", Err: err}
	}
	bin, err := LlamaBin()
	if err != nil {
		return nil, &Error{Code: CodeNoSuchModel, Message: "llama.cpp is not available", Hint: err.Error(), Err: err}
	}
	args := []string{"--model", path, "--listen", "127.0.0.1:0"}
	if pc.Threads > 0 {
		args = append(args, "--threads", strconv.Itoa(pc.Threads))
	}
	if pc.ContextSize > 0 {
		args = append(args, "--context", strconv.Itoa(pc.ContextSize))
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 8 << 10}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("llama: starting %s: %w", bin, err)
	}
	lines := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		line, _ := br.ReadString('\n')
		lines <- line
		io.Copy(io.Discard, br)
	}()
	var url string
	select {
	case line := <-lines:
		url, _ = strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	case <-time.After(llamaStartTimeout):
	}
	if !strings.HasPrefix(url, "http://") {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("llama: %s did not start: %s", bin, strings.TrimSpace(stderr.String()))
	}
	oa, err := NewOpenAI(ProviderConfig{URL: url, MaxConcurrency: 1, Retries: -1, Timeout: pc.Timeout})
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	return &llamaProc{OpenAI: oa, cmd: cmd, stdin: stdin}, nil
}

// llamaProc is an OpenAI provider over a zerostack-llama child.
type llamaProc struct {
	*OpenAI
	cmd   *exec.Cmd
	stdin io.Closer
	once  sync.Once
}

// Embed implements [Provider]: the llama provider serves no embeddings.
func (l *llamaProc) Embed(context.Context, string, []string) ([][]float32, error) {
	return nil, fmt.Errorf("llama provider: embeddings: %w", ErrUnsupported)
}

// Close stops the child process.
func (l *llamaProc) Close() error {
	l.once.Do(func() {
		l.OpenAI.Close()
		l.stdin.Close() // the child exits when its standard input closes
		done := make(chan struct{})
		go func() { l.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			l.cmd.Process.Kill()
			<-done
		}
	})
	return nil
}

type limitedWriter struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

var _ Provider = (*llamaProc)(nil)
