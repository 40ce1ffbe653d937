//go:build unix

// Command gobench is the Go side of bench/ai-embed.sh: it loads the embedded embedding
// model (internal/ai/use), embeds sentences.json one at a time and then in batches of 16
// for the given seconds each, and prints one JSON line with embeddings per second, CPU
// milliseconds per embedding, the load time and the process's memory.
//
// Usage: go run ./bench/ai-embed/gobench [-seconds 5] [-sentences bench/ai-embed/sentences.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/zerostack/zerostack/internal/ai/use"
)

type result struct {
	PerS  float64 `json:"per_s"`
	CPUMs float64 `json:"cpu_ms"`
	N     int     `json:"n"`
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssMiB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		var kb float64
		if n, _ := fmt.Sscanf(line, "VmRSS: %f kB", &kb); n == 1 {
			return kb / 1024
		}
	}
	return 0
}

func main() {
	seconds := flag.Float64("seconds", 5, "seconds per mode")
	file := flag.String("sentences", "bench/ai-embed/sentences.json", "JSON array of sentences")
	flag.Parse()
	raw, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var sentences []string
	if err := json.Unmarshal(raw, &sentences); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rss0 := rssMiB()
	t0, c0 := time.Now(), cpuTime()
	m, err := use.Load(use.DefaultDir())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	loadMs := float64(time.Since(t0).Microseconds()) / 1000
	loadCPUMs := float64((cpuTime() - c0).Microseconds()) / 1000
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapAfterLoad := float64(ms.HeapAlloc) / (1 << 20)

	run := func(size int) result {
		i := 0
		next := func() []string {
			b := make([]string, size)
			for j := range b {
				b[j] = sentences[i%len(sentences)]
				i++
			}
			return b
		}
		if _, err := m.Embed(next()); err != nil { // warm-up
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		c0, t0 := cpuTime(), time.Now()
		n := 0
		for n == 0 || time.Since(t0).Seconds() < *seconds {
			out, err := m.Embed(next())
			if err != nil || len(out) != size || len(out[0]) != use.Dim {
				fmt.Fprintln(os.Stderr, "embed failed:", err)
				os.Exit(1)
			}
			n += size
		}
		el := time.Since(t0).Seconds()
		return result{PerS: float64(n) / el, CPUMs: float64((cpuTime() - c0).Microseconds()) / 1000 / float64(n), N: n}
	}
	one := run(1)
	b16 := run(16)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"runner":             fmt.Sprintf("go (GOMAXPROCS=%d)", runtime.GOMAXPROCS(0)),
		"load_ms":            loadMs,
		"load_cpu_ms":        loadCPUMs,
		"kernel":             m.Kernel(),
		"one":                one,
		"batch16":            b16,
		"heap_after_load_mb": heapAfterLoad,
		"rss_before_load_mb": rss0,
		"rss_end_mb":         rssMiB(),
	})
}
