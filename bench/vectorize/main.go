// Command vectorize benchmarks zerostack's HNSW index (internal/vectorize/index)
// on a generated clustered dataset, and writes that dataset for the hnswlib
// and FAISS runs that bench/vectorize.sh makes on the same files.
//
//	vectorize gen -dir D -n 100000 -dim 768 -queries 1000   # data.f32, queries.f32, gt.i32, meta.json
//	vectorize run -dir D -m 16 -efc 200 -ef 10,16,32,64     # prints one JSON line per measurement
//
// The data imitates text embeddings: points of a 200-cluster mixture in a
// 32-dimensional latent space are mapped into dim dimensions by a fixed
// random matrix and given a little isotropic noise, so the intrinsic
// dimension is low and the neighbourhoods clustered, as with real
// embedding models. The metric is cosine.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/zerostack/zerostack/internal/vectorize/index"
)

// meta describes a generated dataset.
type meta struct {
	N, Dim, Queries, K int
	Metric             string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vectorize gen|run [flags] (see the package doc)")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q: use gen or run", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vectorize:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dir := fs.String("dir", "bench/out/vectorize", "output directory")
	n := fs.Int("n", 100000, "vectors")
	dim := fs.Int("dim", 768, "dimensions")
	nq := fs.Int("queries", 1000, "queries")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	const latent, clusters = 32, 200
	r := rand.New(rand.NewPCG(*seed, 42))
	w := make([]float32, latent**dim)
	for i := range w {
		w[i] = float32(r.NormFloat64() / math.Sqrt(latent))
	}
	centres := make([][]float64, clusters)
	for i := range centres {
		centres[i] = make([]float64, latent)
		for j := range centres[i] {
			centres[i][j] = r.NormFloat64()
		}
	}
	point := func(r *rand.Rand, out []float32) {
		c := centres[r.IntN(clusters)]
		var z [latent]float32
		for j := range z {
			z[j] = float32(c[j] + 0.5*r.NormFloat64())
		}
		for d := range out {
			out[d] = float32(0.05 * r.NormFloat64())
		}
		for j, zj := range z {
			row := w[j**dim : (j+1)**dim]
			for d := range out {
				out[d] += zj * row[d]
			}
		}
	}
	write := func(name string, count int, r *rand.Rand) ([]float32, error) {
		all := make([]float32, count**dim)
		for i := range count {
			point(r, all[i**dim:(i+1)**dim])
		}
		return all, writeF32(filepath.Join(*dir, name), all)
	}
	start := time.Now()
	data, err := write("data.f32", *n, rand.New(rand.NewPCG(*seed, 1)))
	if err != nil {
		return err
	}
	queries, err := write("queries.f32", *nq, rand.New(rand.NewPCG(*seed, 2)))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generated %d×%d in %v; computing exact top-10\n", *n, *dim, time.Since(start).Round(time.Millisecond))
	flat := index.NewFlat(*dim, index.Cosine)
	for i := range *n {
		flat.Add(uint32(i), data[i**dim:(i+1)**dim])
	}
	const k = 10
	gt := make([]int32, *nq*k)
	parallel(*nq, runtime.GOMAXPROCS(0), func(qi int) {
		for j, res := range flat.Search(queries[qi**dim:(qi+1)**dim], k, nil) {
			gt[qi*k+j] = int32(res.ID)
		}
	})
	var buf []byte
	for _, v := range gt {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
	}
	if err := os.WriteFile(filepath.Join(*dir, "gt.i32"), buf, 0o644); err != nil {
		return err
	}
	m, _ := json.Marshal(meta{N: *n, Dim: *dim, Queries: *nq, K: k, Metric: "cosine"})
	fmt.Fprintf(os.Stderr, "dataset ready in %v\n", time.Since(start).Round(time.Millisecond))
	return os.WriteFile(filepath.Join(*dir, "meta.json"), m, 0o644)
}

func writeF32(path string, v []float32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var b [4]byte
	for _, x := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		bw.Write(b[:])
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readF32(path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// parallel runs f(0..n-1) on workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// cpuSeconds returns the user+system CPU time the process has used. On a
// shared machine, queries per CPU-second are steadier than per wall second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// libName labels every line emit prints.
var libName = "zerostack"

func emit(v map[string]any) {
	v["lib"] = libName
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	dir := fs.String("dir", "bench/out/vectorize", "dataset directory (from gen)")
	m := fs.Int("m", 16, "HNSW M")
	efc := fs.Int("efc", 200, "HNSW efConstruction")
	efs := fs.String("ef", "10,16,24,32,48,64,96,128,192,256", "efSearch values to measure")
	reps := fs.Int("reps", 3, "query passes per measurement (the fastest counts)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the query passes here")
	save := fs.Bool("save", true, "measure WriteTo and ReadHNSW through a file in dir")
	indexPath := fs.String("index", "", "load the index from this file if it exists, else build it and save it there (for query-only passes that alternate with the other libraries)")
	quantize := fs.Bool("quantize", false, "build the scalar-quantized (int8) index; results are labelled zerostack-int8")
	fs.Parse(args)

	var md meta
	mb, err := os.ReadFile(filepath.Join(*dir, "meta.json"))
	if err != nil {
		return fmt.Errorf("%w (run gen first)", err)
	}
	if err := json.Unmarshal(mb, &md); err != nil {
		return err
	}
	data, err := readF32(filepath.Join(*dir, "data.f32"))
	if err != nil {
		return err
	}
	queries, err := readF32(filepath.Join(*dir, "queries.f32"))
	if err != nil {
		return err
	}
	gtb, err := os.ReadFile(filepath.Join(*dir, "gt.i32"))
	if err != nil {
		return err
	}
	dim, k := md.Dim, md.K

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapAlloc
	start, cpu0 := time.Now(), cpuSeconds()
	if *quantize {
		libName = "zerostack-int8"
	}
	var h *index.HNSW
	if f, err := os.Open(*indexPath); err == nil {
		h, err = index.ReadHNSW(f)
		f.Close()
		if err != nil {
			return err
		}
		emit(map[string]any{"what": "load", "seconds": time.Since(start).Seconds()})
		return searchPasses(h, queries, gtb, md, *efs, *reps)
	}
	h = index.NewHNSW(dim, index.Cosine, index.HNSWOptions{M: *m, EfConstruction: *efc, Quantize: *quantize})
	ids := make([]uint32, md.N)
	for i := range ids {
		ids[i] = uint32(i)
	}
	if err := h.AddBatch(ids, data, 0); err != nil {
		return err
	}
	build, buildCPU := time.Since(start), cpuSeconds()-cpu0
	if *indexPath != "" {
		f, err := os.Create(*indexPath)
		if err != nil {
			return err
		}
		if _, err := h.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(data) // counted in heap0: keep it out of the difference
	// The Go heap the index holds (live bytes after a collection); for the
	// Python libraries the RSS growth during the build.
	emit(map[string]any{"what": "build", "n": md.N, "dim": dim, "M": *m, "efConstruction": *efc,
		"seconds": build.Seconds(), "cpu_seconds": buildCPU, "threads": runtime.GOMAXPROCS(0), "memory_bytes": int64(ms.HeapAlloc - heap0)})

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := searchPasses(h, queries, gtb, md, *efs, *reps); err != nil {
		return err
	}
	if *save {
		path := filepath.Join(*dir, "zerostack.hnsw")
		t := time.Now()
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		size, err := h.WriteTo(f)
		if err == nil {
			err = f.Sync()
		}
		f.Close()
		if err != nil {
			return err
		}
		saveT := time.Since(t)
		t = time.Now()
		f, err = os.Open(path)
		if err != nil {
			return err
		}
		g, err := index.ReadHNSW(f)
		f.Close()
		if err != nil {
			return err
		}
		loadT := time.Since(t)
		same := true
		for i := range min(md.Queries, 100) {
			a := h.Search(queries[i*dim:(i+1)*dim], k, nil)
			b := g.Search(queries[i*dim:(i+1)*dim], k, nil)
			same = same && fmt.Sprint(a) == fmt.Sprint(b)
		}
		os.Remove(path)
		emit(map[string]any{"what": "persist", "bytes": size, "save_seconds": saveT.Seconds(),
			"load_seconds": loadT.Seconds(), "identical_results": same})
	}
	return nil
}

// searchPasses measures recall@k and queries/s at each ef in efs.
func searchPasses(h *index.HNSW, queries []float32, gtb []byte, md meta, efs string, reps int) error {
	dim, k := md.Dim, md.K
	nq := md.Queries
	for _, s := range strings.Split(efs, ",") {
		ef, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("bad -ef value %q", s)
		}
		results := make([][]index.Result, nq)
		q := func(i int) { results[i] = h.SearchEf(queries[i*dim:(i+1)*dim], k, ef, nil) }
		best1, bestN, bestCPU := 0.0, 0.0, 0.0
		for range reps {
			t, c := time.Now(), cpuSeconds()
			for i := range nq {
				q(i)
			}
			best1 = max(best1, float64(nq)/time.Since(t).Seconds())
			bestCPU = max(bestCPU, float64(nq)/(cpuSeconds()-c))
			t = time.Now()
			parallel(nq, runtime.GOMAXPROCS(0), q)
			bestN = max(bestN, float64(nq)/time.Since(t).Seconds())
		}
		hit := 0
		for i, res := range results {
			want := map[uint32]bool{}
			for j := range k {
				want[binary.LittleEndian.Uint32(gtb[4*(i*k+j):])] = true
			}
			for _, r := range res {
				if want[r.ID] {
					hit++
				}
			}
		}
		emit(map[string]any{"what": "search", "ef": ef, "recall": float64(hit) / float64(nq*k),
			"qps_1": best1, "qps_cpu": bestCPU, "qps_all": bestN, "threads": runtime.GOMAXPROCS(0)})
	}
	return nil
}
