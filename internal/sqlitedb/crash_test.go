package sqlitedb_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/d1/d1local"
	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/kv/kvlocal"
	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/r2/r2local"
)

const crashEnv = "ZEROSTACK_CRASH_CHILD_DIR"

type stores struct {
	kv *kvlocal.Store
	d1 *d1local.Manager
	db *d1local.Database
	r2 *r2local.Store
}

func openStores(t testing.TB, dir string) *stores {
	ctx := context.Background()
	k, err := kvlocal.Open(filepath.Join(dir, "kv.sqlite"), kvlocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := d1local.Open(filepath.Join(dir, "d1"), d1local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Info(ctx, "crash"); errors.Is(err, d1.ErrNotFound) {
		if _, err := m.Create(ctx, "crash", ""); err != nil {
			t.Fatal(err)
		}
	}
	db, err := m.OpenDatabase(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, d1.Statement{SQL: "CREATE TABLE IF NOT EXISTS acks (id TEXT PRIMARY KEY, v TEXT NOT NULL)"}); err != nil {
		t.Fatal(err)
	}
	r, err := r2local.Open(filepath.Join(dir, "r2"), r2local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &stores{k, m, db, r}
}

func (s *stores) close() {
	s.kv.Close()
	s.d1.Close()
	s.r2.Close()
}

// body returns the deterministic R2 body for an id, 1 B to ~200 KiB.
func body(id string) []byte {
	n, _ := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:])
	return bytes.Repeat([]byte(id+";"), 1+(n%13)*1000)
}

// crashChild writes until killed, printing "<service> <id>" after each
// acknowledged write.
func crashChild(t *testing.T, dir, round string) {
	ctx := context.Background()
	s := openStores(t, dir)
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		id := fmt.Sprintf("%s-%d", round, i)
		if err := s.kv.Put(ctx, "ns", "k/"+id, strings.NewReader("v-"+id), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "kv %s\n", id)
		out.Flush()
		if _, err := s.db.Exec(ctx, d1.Statement{SQL: "INSERT INTO acks (id, v) VALUES (?, ?)", Params: []any{id, "v-" + id}}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "d1 %s\n", id)
		out.Flush()
		if _, err := s.r2.Put(ctx, "bucket", "../o/"+id, bytes.NewReader(body(id)), r2.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "r2 %s\n", id)
		out.Flush()
	}
}

// TestCrashSafety SIGKILLs a process in the middle of a stream of KV puts,
// D1 inserts and R2 puts, twice, and checks that every write it acknowledged
// is present and readable afterwards and that every database passes
// PRAGMA integrity_check.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(t, dir, os.Getenv(crashEnv+"_ROUND"))
		return
	}
	dir := t.TempDir()
	// Create the schema before the first child so that both rounds start alike.
	openStores(t, dir).close()
	acked := map[string][]string{}
	for round, wait := range []time.Duration{700 * time.Millisecond, 1300 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashEnv+"_ROUND=r"+strconv.Itoa(round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Kill once the child has acknowledged writes for a while.
		first := true
		timer := time.NewTimer(30 * time.Second)
	collect:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break collect
				}
				if svc, id, ok := strings.Cut(l, " "); ok && (svc == "kv" || svc == "d1" || svc == "r2") {
					acked[svc] = append(acked[svc], id)
					if first {
						first = false
						timer.Reset(wait)
					}
				}
			case <-timer.C:
				cmd.Process.Signal(syscall.SIGKILL)
				timer.Reset(time.Hour)
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child did not die by SIGKILL: %v\n%s", err, stderr.String())
		}
	}
	t.Logf("acknowledged before the kills: %d KV, %d D1, %d R2 writes", len(acked["kv"]), len(acked["d1"]), len(acked["r2"]))
	if len(acked["r2"]) < 5 {
		t.Fatalf("too few writes before the kill: %v", acked)
	}

	ctx := context.Background()
	s := openStores(t, dir)
	defer s.close()
	for _, id := range acked["kv"] {
		e, err := s.kv.Get(ctx, "ns", "k/"+id)
		if err != nil || string(e.Value) != "v-"+id {
			t.Fatalf("kv %s: %q, %v", id, e.Value, err)
		}
	}
	for _, id := range acked["d1"] {
		r, err := s.db.Exec(ctx, d1.Statement{SQL: "SELECT v FROM acks WHERE id = ?", Params: []any{id}})
		if err != nil || len(r.Rows) != 1 || r.Rows[0][0] != "v-"+id {
			t.Fatalf("d1 %s: %v, %v", id, r.Rows, err)
		}
	}
	for _, id := range acked["r2"] {
		res, err := s.r2.Get(ctx, "bucket", "../o/"+id, r2.GetOptions{})
		if err != nil {
			t.Fatalf("r2 %s: %v", id, err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || !bytes.Equal(b, body(id)) {
			t.Fatalf("r2 %s: %d bytes, %v", id, len(b), err)
		}
	}
	for name, check := range map[string]func(context.Context) error{
		"kv": s.kv.DB().IntegrityCheck, "d1": s.db.IntegrityCheck, "r2": s.r2.DB().IntegrityCheck,
	} {
		if err := check(ctx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Nothing was written outside the state directory.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		switch e.Name() {
		case "kv.sqlite", "kv.sqlite-wal", "kv.sqlite-shm", "d1", "r2":
		default:
			t.Errorf("unexpected file in the state dir: %s", e.Name())
		}
	}
}
