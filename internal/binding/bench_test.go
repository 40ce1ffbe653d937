package binding_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/d1/d1local"
	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/r2/r2local"
	"github.com/zerostack/zerostack/internal/sqlitedb"
	"github.com/zerostack/zerostack/internal/worker"
)

const benchWorker = `
export default {
  async fetch(req, env) {
    const n = Number(new URL(req.url).searchParams.get("n"));
    const st = env.DB.prepare("SELECT * FROM users WHERE id = ?");
    for (let i = 0; i < n; i++) {
      const row = await st.bind(i % 1000).first();
      if (row === null) throw new Error("no row " + i);
    }
    return new Response("ok");
  },
};`

func seedUsers(b *testing.B, db d1.Database) {
	ctx := context.Background()
	if _, err := db.ExecScript(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);"); err != nil {
		b.Fatal(err)
	}
	sts := make([]d1.Statement, 1000)
	for i := range sts {
		sts[i] = d1.Statement{SQL: "INSERT INTO users (id, email, name) VALUES (?, ?, ?)", Params: []any{int64(i), fmt.Sprintf("u%d@example.com", i), "name"}}
	}
	if _, err := db.Batch(ctx, sts); err != nil {
		b.Fatal(err)
	}
}

// reportCPU (with cpuTime, vectorize_bench_test.go) reports the process's CPU time per op since start as
// "cpu-ns/op": on a loaded machine, where wall time per op includes time
// spent waiting for a CPU, it is the steadier figure.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkD1PrimaryKeySelect measures one primary-key SELECT (3 columns)
// per op: through the D1 binding (a JavaScript loop awaiting
// prepare().bind().first() in one request, so HTTP is amortized away),
// through d1.Database.Exec, and through database/sql on the same SQLite
// driver. The goal: binding ≤ 2× driver.
func BenchmarkD1PrimaryKeySelect(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	m, err := d1local.Open(filepath.Join(dir, "d1"), d1local.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	info, _ := m.Create(ctx, "bench", "")
	db, _ := m.Open(ctx, info.UUID)
	seedUsers(b, db)

	b.Run("binding", func(b *testing.B) {
		entry := filepath.Join(b.TempDir(), "index.js")
		os.WriteFile(entry, []byte(benchWorker), 0o644)
		bundle, err := worker.MakeBundle(worker.BundleOptions{Entry: entry, Dir: filepath.Dir(entry)})
		if err != nil {
			b.Fatal(err)
		}
		w, err := worker.New(worker.Config{Name: "bench", Bundle: bundle, Isolates: 1, CPULimit: -1,
			Extensions: []worker.Extension{binding.Extension(binding.Services{D1: m})}, Console: func(l, m string) { b.Log(l, m) },
			Bindings: []worker.Binding{binding.D1("DB", info.UUID)}})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		srv := httptest.NewServer(w)
		defer srv.Close()
		get := func(n int) {
			resp, err := http.Get(fmt.Sprintf("%s/?n=%d", srv.URL, n))
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("%d %s", resp.StatusCode, body)
			}
		}
		get(1000) // warm up the JIT
		b.ResetTimer()
		cpu := cpuTime()
		get(b.N)
		reportCPU(b, cpu)
	})
	b.Run("d1.Exec", func(b *testing.B) {
		cpu := cpuTime()
		defer reportCPU(b, cpu)
		for i := 0; i < b.N; i++ {
			r, err := db.Exec(ctx, d1.Statement{SQL: "SELECT * FROM users WHERE id = ?", Params: []any{int64(i % 1000)}})
			if err != nil || len(r.Rows) != 1 {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		raw, err := sqlitedb.Open(filepath.Join(b.TempDir(), "direct.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		raw.W.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT)")
		raw.Write(ctx, func(tx *sql.Tx) error {
			for i := range 1000 {
				tx.Exec("INSERT INTO users VALUES (?, ?, ?)", i, fmt.Sprintf("u%d@example.com", i), "name")
			}
			return nil
		})
		st, err := raw.R.Prepare("SELECT * FROM users WHERE id = ?")
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		cpu := cpuTime()
		defer reportCPU(b, cpu)
		for i := 0; i < b.N; i++ {
			var id int64
			var e, n string
			if err := st.QueryRow(i%1000).Scan(&id, &e, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}

const r2BenchWorker = `
export default {
  async fetch(req, env) {
    const q = new URL(req.url).searchParams;
    const n = Number(q.get("n")), mode = q.get("mode");
    for (let i = 0; i < n; i++) {
      if (mode === "head") { if ((await env.BUCKET.head("object-10k")).size !== 10240) throw new Error("size"); continue; }
      const o = await env.BUCKET.get("object-10k");
      switch (mode) {
        case "get": if (o.size !== 10240) throw new Error("size"); break;
        case "response": {
          const r = new Response(o.body, { headers: { etag: o.httpEtag } });
          if (r.status !== 200) throw new Error("status");
          break;
        }
        case "arrayBuffer": if ((await o.arrayBuffer()).byteLength !== 10240) throw new Error("length"); break;
        case "text": if ((await o.text()).length !== 10240) throw new Error("length"); break;
      }
    }
    return new Response("ok");
  },
};`

// BenchmarkR2Get measures one R2 get of a 10 KiB object per op, from a
// JavaScript loop inside one request (HTTP amortized away): "head" looks
// up the metadata alone, "get" only
// looks the object up, "response" also wraps its body in a Response as
// bench/bindings/worker.js does (the body itself is not sent: the
// Response is dropped), "arrayBuffer" and "text" read the body. "store"
// is r2local's Get called from Go, reading the body, for scale.
func BenchmarkR2Get(b *testing.B) {
	ctx := context.Background()
	store, err := r2local.Open(filepath.Join(b.TempDir(), "r2"), r2local.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	body := bytes.Repeat([]byte("x"), 10240)
	if _, err := store.Put(ctx, "bench", "object-10k", bytes.NewReader(body), r2.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	entry := filepath.Join(b.TempDir(), "index.js")
	os.WriteFile(entry, []byte(r2BenchWorker), 0o644)
	bundle, err := worker.MakeBundle(worker.BundleOptions{Entry: entry, Dir: filepath.Dir(entry)})
	if err != nil {
		b.Fatal(err)
	}
	w, err := worker.New(worker.Config{Name: "bench", Bundle: bundle, Isolates: 1, CPULimit: -1,
		Extensions: []worker.Extension{binding.Extension(binding.Services{R2: store})}, Console: func(l, m string) { b.Log(l, m) },
		Bindings: []worker.Binding{binding.R2("BUCKET", "bench")}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	srv := httptest.NewServer(w)
	defer srv.Close()
	get := func(b *testing.B, mode string, n int) {
		resp, err := http.Get(fmt.Sprintf("%s/?mode=%s&n=%d", srv.URL, mode, n))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%d %s", resp.StatusCode, out)
		}
	}
	for _, mode := range []string{"head", "get", "response", "arrayBuffer", "text"} {
		b.Run(mode, func(b *testing.B) {
			get(b, mode, 500) // warm up the JIT
			b.ResetTimer()
			cpu := cpuTime()
			get(b, mode, b.N)
			reportCPU(b, cpu)
		})
	}
	b.Run("store", func(b *testing.B) {
		cpu := cpuTime()
		defer reportCPU(b, cpu)
		for i := 0; i < b.N; i++ {
			res, err := store.Get(ctx, "bench", "object-10k", r2.GetOptions{})
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if n != 10240 {
				b.Fatal(n)
			}
		}
	})
}
