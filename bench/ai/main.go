// Command aibench measures what zerostack's Workers AI adds on top of an
// OpenAI-compatible server (bench/ai.sh runs it): the provider's added
// latency per request (in Go, and through a worker served by zerostack dev)
// and the time to the first streamed token, each against calling the same
// server directly in the same run. The server is package aitest's
// deterministic fake, in this process.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/aitest"
)

func main() {
	n := flag.Int("n", 2000, "requests per measurement")
	rounds := flag.Int("rounds", 3, "rounds (measurements alternate within each)")
	bin := flag.String("zerostack", "bin/zerostack", "zerostack binary for the through-a-worker figures (\"\" skips them)")
	worker := flag.String("worker", "bench/ai/worker", "the bench worker's directory")
	delay := flag.Duration("token-delay", 20*time.Millisecond, "delay between streamed tokens after the first")
	flag.Parse()

	fake := &aitest.Server{TokenDelay: *delay}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go http.Serve(ln, fake)
	base := "http://" + ln.Addr().String() + "/v1"

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	body, _ := json.Marshal(map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "hello"}}, "max_tokens": 16})
	direct := func() {
		resp, err := client.Post(base+"/chat/completions", "application/json", bytes.NewReader(body))
		check(err)
		var out map[string]any
		check(json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
	}
	prov, err := ai.NewOpenAI(ai.ProviderConfig{URL: base, Model: "m"})
	check(err)
	provider := func() {
		_, err := prov.Generate(context.Background(), &ai.GenerateRequest{Prompt: "hello", MaxTokens: 16}, nil)
		check(err)
	}
	cfg := &ai.Config{}
	cfg.Apply(ai.Flags{OpenAIURL: base, OpenAIModel: "m"})
	svc, err := ai.New(cfg, ai.Options{})
	check(err)
	input := []byte(`{"prompt":"hello","max_tokens":16}`)
	service := func() {
		_, err := svc.Run(context.Background(), "@cf/meta/llama-3.1-8b-instruct", input)
		check(err)
	}

	var dev *exec.Cmd
	var devURL string
	if *bin != "" {
		port := freePort()
		dev = exec.Command(*bin, "dev", "--port", fmt.Sprint(port), "--ip", "127.0.0.1", "--no-watch", "--log-level", "warn",
			"--persist-to", must(os.MkdirTemp("", "aibench-")), "--ai-openai-url", base, "--ai-openai-model", "m", *worker)
		dev.Stderr = os.Stderr
		check(dev.Start())
		defer dev.Process.Kill()
		devURL = fmt.Sprintf("http://127.0.0.1:%d", port)
		waitReady(devURL + "/plain")
	}
	get := func(path string) func() {
		return func() {
			resp, err := client.Get(devURL + path)
			check(err)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				check(fmt.Errorf("%s: %s", path, resp.Status))
			}
		}
	}

	type series struct {
		name string
		fn   func()
		lat  []time.Duration
	}
	all := []*series{{name: "direct", fn: direct}, {name: "provider", fn: provider}, {name: "service", fn: service}}
	if dev != nil {
		all = append(all, &series{name: "worker-plain", fn: get("/plain")}, &series{name: "worker-run", fn: get("/run")})
	}
	for _, s := range all { // warm up connections, isolates, caches
		for range 50 {
			s.fn()
		}
	}
	for range *rounds {
		for _, s := range all {
			for range *n / *rounds {
				t := time.Now()
				s.fn()
				s.lat = append(s.lat, time.Since(t))
			}
		}
	}
	med := map[string]time.Duration{}
	for _, s := range all {
		m, mean := stats(s.lat)
		med[s.name] = m
		fmt.Printf("%-13s median %8s  mean %8s  (%d requests)\n", s.name, us(m), us(mean), len(s.lat))
	}
	fmt.Printf("provider adds (median): %s over direct; service (validation, routing, output JSON): %s\n",
		us(med["provider"]-med["direct"]), us(med["service"]-med["direct"]))
	if dev != nil {
		fmt.Printf("through a worker: env.AI.run adds %s over the same worker without it (/run - /plain), i.e. %s over the server's own time\n",
			us(med["worker-run"]-med["worker-plain"]), us(med["worker-run"]-med["worker-plain"]-med["direct"]))
	}

	// Time to first token: the fake sends the first word at once and the
	// next after token-delay, so a buffered path would show the delay.
	sbody, _ := json.Marshal(map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "one two three four five six"}}, "stream": true})
	firstDirect := func() time.Duration {
		t := time.Now()
		resp, err := client.Post(base+"/chat/completions", "application/json", bytes.NewReader(sbody))
		check(err)
		d := firstEvent(resp.Body, t)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return d
	}
	firstVia := func(path string) func() time.Duration {
		return func() time.Duration {
			t := time.Now()
			resp, err := client.Get(devURL + path)
			check(err)
			d := firstEvent(resp.Body, t)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return d
		}
	}
	type firstSeries struct {
		name string
		fn   func() time.Duration
		lat  []time.Duration
	}
	ttft := []firstSeries{{name: "direct", fn: firstDirect}}
	if dev != nil {
		ttft = append(ttft, firstSeries{name: "worker-stream", fn: firstVia("/stream")}, firstSeries{name: "worker-transform", fn: firstVia("/transform")})
	}
	m := max(20, *n/100)
	for range *rounds {
		for i := range ttft {
			for range m / *rounds {
				ttft[i].lat = append(ttft[i].lat, ttft[i].fn())
			}
		}
	}
	tmed := map[string]time.Duration{}
	for _, s := range ttft {
		md, mean := stats(s.lat)
		tmed[s.name] = md
		fmt.Printf("first token %-16s median %8s  mean %8s  (%d streams)\n", s.name, us(md), us(mean), len(s.lat))
	}
	if dev != nil {
		fmt.Printf("first token through zerostack: +%s (stream passed on), +%s (TransformStream in JS) over direct\n",
			us(tmed["worker-stream"]-tmed["direct"]), us(tmed["worker-transform"]-tmed["direct"]))
	}
}

// firstEvent reads until the first "data:" line with text and returns the
// time since t.
func firstEvent(r io.Reader, t time.Time) time.Duration {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if strings.HasPrefix(line, "data:") {
			return time.Since(t)
		}
		check(err)
	}
}

func stats(d []time.Duration) (median, mean time.Duration) {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return s[len(s)/2], sum / time.Duration(len(s))
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitReady(url string) {
	for i := 0; i < 300; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	check(fmt.Errorf("zerostack dev did not start"))
}

func must(s string, err error) string {
	check(err)
	return s
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "aibench:", err)
		os.Exit(1)
	}
}
