// Command zerostack-llama serves a GGUF model with llama.cpp over the
// OpenAI API on a loopback port, for zerostack's Workers AI "llama"
// provider, which starts it as a child process: llama.cpp (loaded through
// purego and libffi) then never shares a process with V8, and a crash in
// either leaves the other running.
//
// It prints "listening on http://ADDR/v1" on standard output once the model
// is loaded, and exits when standard input closes (its parent is gone) or
// on SIGTERM.
//
//	zerostack-llama --model FILE.gguf [--listen 127.0.0.1:0] [--threads N] [--context N]
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/llama"
)

func main() {
	model := flag.String("model", "", "GGUF model file")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on")
	threads := flag.Int("threads", 0, "llama.cpp threads (0: half the CPUs)")
	ctx := flag.Int("context", 0, "context size in tokens (0: the model's, at most 4096)")
	flag.Parse()
	if *model == "" {
		fmt.Fprintln(os.Stderr, "zerostack-llama: --model FILE.gguf is required")
		os.Exit(2)
	}
	p, err := llama.Open(ai.ProviderConfig{Threads: *threads, ContextSize: *ctx}, *model)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zerostack-llama:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zerostack-llama:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s/v1\n", ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		os.Exit(0)
	}()
	err = http.Serve(ln, llama.Handler(p.(*llama.Provider)))
	fmt.Fprintln(os.Stderr, "zerostack-llama:", err)
	os.Exit(1)
}
