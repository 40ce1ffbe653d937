// Command queue-engine measures the two candidate engines of zerostack's
// embedded Queues on the same workload: the SQLite store that zerostack
// ships (internal/queues/queueslocal) and an embedded NATS JetStream server
// (file store) reached through an in-process connection.
//
//	queue-engine -engine sqlite|jetstream [-n 100000] [-batch 100] [-rate 1000] [-latsecs 5]
//	queue-engine -engine sqlite|jetstream -kill    # durability after SIGKILL
//
// One run prints one JSON line:
//
//   - throughput: a producer sends n messages of about 60 bytes in batches
//     of 100 (one durable write per batch: queueslocal Send is one SQLite
//     transaction; JetStream gets 100 PublishAsync and the producer waits
//     for their acks) while a consumer takes them in batches of 100 with
//     explicit acks (queueslocal Lease + Settle; a durable JetStream pull
//     consumer with AckExplicit, Fetch(100), each message acked, the last
//     with a double ack so the batch is settled when the loop goes on).
//     Messages/s from the first send to the last ack, the CPU seconds the
//     process used (getrusage) and its peak RSS.
//   - latency: one message a send at a fixed rate (1,000/s), consumed as it
//     comes (queueslocal: Lease woken by the producer as zerostack's
//     dispatcher is; JetStream: Messages() with up to 100 buffered), p50 and
//     p99 of the time from before the send to the consumer's receipt.
//
// With -kill the process starts itself as a child that sends batches of 100
// and prints the count each acknowledged send reached; the parent kills it
// with SIGKILL after a second, reopens the store and counts what survived.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/queues/queueslocal"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// engine is the little each candidate must do for the workload.
type engine interface {
	// send stores bodies durably (all acknowledged when it returns).
	send(ctx context.Context, bodies [][]byte) error
	// consume takes up to max messages, calls fn with each body, and
	// acknowledges them before it returns; it waits for messages.
	consume(ctx context.Context, max int, fn func([]byte)) (int, error)
	// stream delivers messages as they come until ctx ends (latency run).
	stream(ctx context.Context, fn func([]byte)) error
	// count reports the messages stored and not acknowledged.
	count(ctx context.Context) (int, error)
	close()
}

const queueName = "bench"

// ---- SQLite (queueslocal) ----

type sqliteEngine struct {
	s    *queueslocal.Store
	wake chan struct{}
}

func openSQLite(dir string, fsync bool) (*sqliteEngine, error) {
	opts := queueslocal.Options{} // synchronous=NORMAL, as zerostack runs it
	if fsync {
		opts.Sync = sqlitedb.SyncFull
	}
	s, err := queueslocal.Open(filepath.Join(dir, "queues.sqlite"), opts)
	if err != nil {
		return nil, err
	}
	return &sqliteEngine{s: s, wake: make(chan struct{}, 1)}, nil
}

func (e *sqliteEngine) send(ctx context.Context, bodies [][]byte) error {
	msgs := make([]queues.Message, len(bodies))
	for i, b := range bodies {
		msgs[i] = queues.Message{Body: b, ContentType: queues.ContentJSON}
	}
	if err := e.s.Send(ctx, queueName, msgs); err != nil {
		return err
	}
	// In-process sends wake the consumer, as zerostack's dispatcher is
	// woken through Dispatcher.Notify.
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return nil
}

func (e *sqliteEngine) consume(ctx context.Context, max int, fn func([]byte)) (int, error) {
	for {
		ds, err := e.s.Lease(ctx, queueName, max, time.Minute)
		if err != nil {
			return 0, err
		}
		if len(ds) == 0 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-e.wake:
			case <-time.After(queues.PollInterval):
			}
			continue
		}
		acks := make([]string, len(ds))
		for i, d := range ds {
			fn(d.Body)
			acks[i] = d.LeaseID
		}
		return len(ds), e.s.Settle(ctx, queueName, acks, nil)
	}
}

func (e *sqliteEngine) stream(ctx context.Context, fn func([]byte)) error {
	for {
		if _, err := e.consume(ctx, 100, fn); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

func (e *sqliteEngine) count(ctx context.Context) (int, error) {
	info, err := e.s.Info(ctx, queueName)
	if errors.Is(err, queues.ErrQueueNotFound) {
		return 0, nil
	}
	return info.Backlog, err
}

func (e *sqliteEngine) close() { e.s.Close() }

// ---- NATS JetStream (embedded server, file store) ----

type jsEngine struct {
	srv  *server.Server
	nc   *nats.Conn
	js   jetstream.JetStream
	cons jetstream.Consumer
}

func openJetStream(dir string, fsync bool) (*jsEngine, error) {
	srv, err := server.NewServer(&server.Options{
		JetStream:  true,
		StoreDir:   dir,
		DontListen: true, // clients come through the in-process connection only
		NoSigs:     true,
		NoLog:      true,
		// SyncInterval left at its default (2 minutes) unless fsync.
		SyncAlways: fsync,
	})
	if err != nil {
		return nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("nats server did not start")
	}
	nc, err := nats.Connect(srv.ClientURL(), nats.InProcessServer(srv))
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4000))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	// A work queue: an acknowledged message is removed from the stream,
	// as queueslocal deletes its row.
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      "BENCH",
		Subjects:  []string{queueName},
		Storage:   jetstream.FileStorage,
		Retention: jetstream.WorkQueuePolicy,
	}); err != nil {
		return nil, err
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "BENCH", jetstream.ConsumerConfig{
		Durable:       "consumer",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       time.Minute,
		MaxAckPending: 1000,
	})
	if err != nil {
		return nil, err
	}
	return &jsEngine{srv: srv, nc: nc, js: js, cons: cons}, nil
}

func (e *jsEngine) send(ctx context.Context, bodies [][]byte) error {
	futs := make([]jetstream.PubAckFuture, len(bodies))
	for i, b := range bodies {
		f, err := e.js.PublishAsync(queueName, b)
		if err != nil {
			return err
		}
		futs[i] = f
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (e *jsEngine) consume(ctx context.Context, max int, fn func([]byte)) (int, error) {
	for {
		batch, err := e.cons.Fetch(max, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return 0, err
		}
		var last jetstream.Msg
		n := 0
		for m := range batch.Messages() {
			fn(m.Data())
			if last != nil {
				if err := last.Ack(); err != nil {
					return n, err
				}
			}
			last = m
			n++
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			return n, err
		}
		if last == nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			continue
		}
		// Acks on one connection are handled in order: the double ack of
		// the last message returns once the server has handled them all.
		return n, last.DoubleAck(ctx)
	}
}

func (e *jsEngine) stream(ctx context.Context, fn func([]byte)) error {
	it, err := e.cons.Messages(jetstream.PullMaxMessages(100))
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); it.Stop() }()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return err
		}
		fn(m.Data())
		if err := m.Ack(); err != nil {
			return err
		}
	}
}

func (e *jsEngine) count(ctx context.Context) (int, error) {
	s, err := e.js.Stream(ctx, "BENCH")
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return int(info.State.Msgs), nil
}

func (e *jsEngine) close() {
	e.nc.Close()
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// fsyncEach makes every acknowledged write reach the disk (SQLite
// synchronous=FULL, JetStream sync_always) instead of the defaults, which
// survive a process crash but may lose recent writes to a power loss.
var fsyncEach bool

func open(kind, dir string) (engine, error) {
	switch kind {
	case "sqlite":
		return openSQLite(dir, fsyncEach)
	case "jetstream":
		return openJetStream(dir, fsyncEach)
	}
	return nil, fmt.Errorf("unknown engine %q: use sqlite or jetstream", kind)
}

// ---- measurement ----

// body is a ~60-byte JSON message carrying the send time.
func body(seq int, sent time.Time) []byte {
	b := fmt.Appendf(nil, `{"seq":%07d,"sentAt":%d,"pad":"`, seq, sent.UnixNano())
	for len(b) < 58 {
		b = append(b, 'x')
	}
	return append(b, `"}`...)
}

func sentAt(b []byte) time.Time {
	_, rest, _ := strings.Cut(string(b), `"sentAt":`)
	ns, _, _ := strings.Cut(rest, ",")
	v, _ := strconv.ParseInt(ns, 10, 64)
	return time.Unix(0, v)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// procStatusMiB reads a VmRSS/VmHWM line of /proc/self/status.
func procStatusMiB(field string) float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type result struct {
	Engine      string  `json:"engine"`
	Fsync       bool    `json:"fsync"`
	N           int     `json:"n"`
	Load        string  `json:"load"`
	MsgsPerSec  float64 `json:"msgs_per_s"`
	WallSeconds float64 `json:"wall_s"`
	CPUSeconds  float64 `json:"cpu_s"`
	CPUusPerMsg float64 `json:"cpu_us_per_msg"`
	RSSPeakMiB  float64 `json:"rss_peak_mib"` // VmHWM after the throughput run
	LatN        int     `json:"lat_n"`
	LatRate     float64 `json:"lat_rate"` // messages/s actually sent
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	LatCPUs     float64 `json:"lat_cpu_s"` // CPU seconds of the latency run
	RSSEndMiB   float64 `json:"rss_end_mib"`
	DiskMiB     float64 `json:"disk_mib"` // store directory after the runs
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func dirMiB(dir string) float64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return float64(n) / (1 << 20)
}

func throughput(e engine, n, batch int, r *result) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cpu0, t0 := cpuSeconds(), time.Now()
	perr := make(chan error, 1)
	go func() {
		for i := 0; i < n; i += batch {
			bodies := make([][]byte, min(batch, n-i))
			now := time.Now()
			for j := range bodies {
				bodies[j] = body(i+j, now)
			}
			if err := e.send(ctx, bodies); err != nil {
				perr <- fmt.Errorf("send: %w", err)
				return
			}
		}
		perr <- nil
	}()
	got := 0
	for got < n {
		k, err := e.consume(ctx, batch, func([]byte) {})
		if err != nil {
			return fmt.Errorf("consume after %d: %w", got, err)
		}
		got += k
	}
	if err := <-perr; err != nil {
		return err
	}
	wall := time.Since(t0).Seconds()
	r.WallSeconds = wall
	r.MsgsPerSec = float64(n) / wall
	r.CPUSeconds = cpuSeconds() - cpu0
	r.CPUusPerMsg = r.CPUSeconds / float64(n) * 1e6
	r.RSSPeakMiB = procStatusMiB("VmHWM")
	left, err := e.count(ctx)
	if err != nil {
		return err
	}
	if left != 0 {
		return fmt.Errorf("%d messages left after consuming all", left)
	}
	return nil
}

func latency(e engine, rate float64, secs float64, r *result) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	total := int(rate * secs)
	lats := make(chan time.Duration, total+1)
	cerr := make(chan error, 1)
	go func() {
		cerr <- e.stream(ctx, func(b []byte) { lats <- time.Since(sentAt(b)) })
	}()
	cpu0, t0 := cpuSeconds(), time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; i < total; i++ {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		if err := e.send(ctx, [][]byte{body(i, time.Now())}); err != nil {
			return err
		}
	}
	r.LatRate = float64(total) / time.Since(t0).Seconds()
	var ds []time.Duration
	deadline := time.After(30 * time.Second)
	for len(ds) < total {
		select {
		case d := <-lats:
			ds = append(ds, d)
		case err := <-cerr:
			return fmt.Errorf("consumer stopped after %d: %v", len(ds), err)
		case <-deadline:
			return fmt.Errorf("only %d of %d messages arrived", len(ds), total)
		}
	}
	r.LatCPUs = cpuSeconds() - cpu0
	cancel()
	slices.Sort(ds)
	r.LatN = len(ds)
	r.P50ms = ds[len(ds)/2].Seconds() * 1000
	r.P99ms = ds[(len(ds)*99+99)/100-1].Seconds() * 1000
	return nil
}

// ---- SIGKILL durability ----

// killChild sends batches of 100 and prints the total acknowledged after
// each send, until it is killed.
func killChild(kind, dir string) error {
	e, err := open(kind, dir)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	ctx := context.Background()
	for i := 0; ; i += 100 {
		bodies := make([][]byte, 100)
		for j := range bodies {
			bodies[j] = body(i+j, time.Now())
		}
		if err := e.send(ctx, bodies); err != nil {
			return err
		}
		// os.Stdout is unbuffered: the line is in the pipe before the
		// next send.
		fmt.Println(i + 100)
	}
}

type killResult struct {
	Engine    string `json:"engine"`
	Mode      string `json:"mode"`
	Acked     int    `json:"acked_before_kill"`
	Recovered int    `json:"recovered"`
	Lost      int    `json:"lost"`
	ReopenMs  int64  `json:"reopen_ms"`
}

func killTest(kind string) error {
	dir, err := os.MkdirTemp("", "queue-engine-kill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, _ := os.Executable()
	cmd := exec.Command(self, "-engine", kind, "-fsync="+strconv.FormatBool(fsyncEach), "-kill-child", dir)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	lines := make(chan string, 1<<20)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if l := <-lines; l != "ready" {
		return fmt.Errorf("child: %q", l)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	acked := 0
	for l := range lines {
		if v, err := strconv.Atoi(l); err == nil {
			acked = v
		}
	}
	t0 := time.Now()
	e, err := open(kind, dir)
	if err != nil {
		return fmt.Errorf("reopen after SIGKILL: %w", err)
	}
	defer e.close()
	n, err := e.count(context.Background())
	if err != nil {
		return err
	}
	mode := "sigkill"
	if fsyncEach {
		mode = "sigkill, fsync"
	}
	kr := killResult{Engine: kind, Mode: mode, Acked: acked, Recovered: n, Lost: max(0, acked-n), ReopenMs: time.Since(t0).Milliseconds()}
	return json.NewEncoder(os.Stdout).Encode(kr)
}

func main() {
	kind := flag.String("engine", "sqlite", "sqlite or jetstream")
	n := flag.Int("n", 100000, "messages in the throughput run")
	batch := flag.Int("batch", 100, "messages a send and a consume")
	rate := flag.Float64("rate", 1000, "messages/s in the latency run")
	latSecs := flag.Float64("latsecs", 5, "seconds of the latency run (0 skips it)")
	kill := flag.Bool("kill", false, "test durability after SIGKILL instead")
	child := flag.String("kill-child", "", "internal: the child of -kill, sending into this directory")
	flag.BoolVar(&fsyncEach, "fsync", false, "fsync every acknowledged write (SQLite synchronous=FULL, JetStream sync_always)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	summary := flag.Bool("summarize", false, "read result lines on stdin and print median tables (markdown)")
	flag.Parse()
	if *summary {
		if err := summarize(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "queue-engine:", err)
			os.Exit(1)
		}
		return
	}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "queue-engine:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*kind, *n, *batch, *rate, *latSecs, *kill, *child); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "queue-engine:", err)
		os.Exit(1)
	}
}

func run(kind string, n, batch int, rate, latSecs float64, kill bool, child string) error {
	if child != "" {
		return killChild(kind, child)
	}
	if kill {
		return killTest(kind)
	}
	dir, err := os.MkdirTemp("", "queue-engine-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	runtime.GC()
	e, err := open(kind, dir)
	if err != nil {
		return err
	}
	defer e.close()
	r := result{Engine: kind, Fsync: fsyncEach, N: n, Load: loadavg()}
	if err := throughput(e, n, batch, &r); err != nil {
		return fmt.Errorf("%s throughput: %w", kind, err)
	}
	if latSecs > 0 {
		if err := latency(e, rate, latSecs, &r); err != nil {
			return fmt.Errorf("%s latency: %w", kind, err)
		}
	}
	r.RSSEndMiB = procStatusMiB("VmRSS")
	r.DiskMiB = dirMiB(dir)
	return json.NewEncoder(os.Stdout).Encode(r)
}

// summarize prints, per engine and fsync setting, the medians of the runs
// read from in, and the SIGKILL results, as markdown tables.
func summarize(in io.Reader, out io.Writer) error {
	type key struct {
		engine string
		fsync  bool
	}
	runs := map[key][]result{}
	var order []key
	var kills []killResult
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Bytes()
		if !json.Valid(line) {
			continue
		}
		if strings.Contains(string(line), `"mode":"sigkill`) {
			var k killResult
			if err := json.Unmarshal(line, &k); err != nil {
				return err
			}
			kills = append(kills, k)
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		k := key{r.Engine, r.Fsync}
		if _, ok := runs[k]; !ok {
			order = append(order, k)
		}
		runs[k] = append(runs[k], r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	med := func(rs []result, f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Fprintln(out, "| engine | durability | runs | msgs/s | CPU s per 100k | CPU µs/msg | peak RSS MiB | p50 ms @1k/s | p99 ms @1k/s | CPU s of the latency run |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range order {
		rs := runs[k]
		dur := "default (no fsync per write)"
		if k.fsync {
			dur = "fsync per acknowledged write"
		}
		lat := "– | – | –"
		if rs[0].LatN > 0 {
			lat = fmt.Sprintf("%.2f | %.2f | %.2f", med(rs, func(r result) float64 { return r.P50ms }),
				med(rs, func(r result) float64 { return r.P99ms }), med(rs, func(r result) float64 { return r.LatCPUs }))
		}
		fmt.Fprintf(out, "| %s | %s | %d | %.0f | %.2f | %.1f | %.0f | %s |\n", k.engine, dur, len(rs),
			med(rs, func(r result) float64 { return r.MsgsPerSec }),
			med(rs, func(r result) float64 { return r.CPUSeconds * 100000 / float64(r.N) }),
			med(rs, func(r result) float64 { return r.CPUusPerMsg }),
			med(rs, func(r result) float64 { return r.RSSPeakMiB }), lat)
	}
	if len(kills) > 0 {
		fmt.Fprintln(out, "\n| engine | durability | acknowledged before SIGKILL | recovered | lost | reopen ms |")
		fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|")
		for _, k := range kills {
			fmt.Fprintf(out, "| %s | %s | %d | %d | %d | %d |\n", k.Engine, k.Mode, k.Acked, k.Recovered, k.Lost, k.ReopenMs)
		}
	}
	return nil
}
