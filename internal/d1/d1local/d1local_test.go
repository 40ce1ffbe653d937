package d1local

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/d1/d1test"
)

func TestConformance(t *testing.T) {
	d1test.Run(t, func(t *testing.T) d1.Manager {
		m, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	})
}

func TestContextInterruptsQuery(t *testing.T) {
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	bg := context.Background()
	m.Create(bg, "x", "")
	db, _ := m.Open(bg, "x")
	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = db.Exec(ctx, d1.Statement{SQL: "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c"})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("endless query: %v after %v", err, time.Since(start))
	}
	if r, err := db.Exec(bg, d1.Statement{SQL: "SELECT 1"}); err != nil || r.Rows[0][0] != int64(1) {
		t.Fatalf("after interrupt: %v, %v", r, err)
	}
}

// TestExecBudget: a statement past its budget is interrupted with an error
// that wraps context.DeadlineExceeded; quick ones, before and after it,
// are not (the timer is re-armed per call and never fires late).
func TestExecBudget(t *testing.T) {
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	bg := context.Background()
	m.Create(bg, "x", "")
	db, _ := m.Open(bg, "x")
	be := db.(d1.BudgetExecer)
	quick := func(i int) {
		t.Helper()
		r, err := be.ExecBudget(d1.Statement{SQL: "SELECT ?", Params: []any{int64(i)}}, 10*time.Second)
		if err != nil || r.Rows[0][0] != int64(i) {
			t.Fatalf("quick statement %d: %v, %v", i, r.Rows, err)
		}
	}
	quick(0)
	_, err = be.ExecBudget(d1.Statement{SQL: "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c"}, time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("endless query: %v", err)
	}
	for i := 1; i < 200; i++ {
		quick(i)
	}
	// A write inside the budget commits.
	if _, err := be.ExecBudget(d1.Statement{SQL: "CREATE TABLE t (x)"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := be.ExecBudget(d1.Statement{SQL: "BEGIN"}, time.Second); err == nil || !strings.Contains(err.Error(), "Transactions are not supported") {
		t.Fatalf("BEGIN: %v", err)
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	m, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.Create(ctx, "x", "")
	db, _ := m.Open(ctx, "x")
	params := make([]any, MaxBoundParameters+1)
	for i := range params {
		params[i] = int64(i)
	}
	q := "SELECT ?" + strings.Repeat(", ?", MaxBoundParameters)
	if _, err := db.Exec(ctx, d1.Statement{SQL: q, Params: params}); err == nil || !strings.Contains(err.Error(), "too many SQL variables") {
		t.Fatalf("101 parameters: %v", err)
	}
	if _, err := db.Exec(ctx, d1.Statement{SQL: "SELECT ?" + strings.Repeat(", ?", MaxBoundParameters-1), Params: params[:MaxBoundParameters]}); err != nil {
		t.Fatalf("100 parameters: %v", err)
	}
	if _, err := db.Exec(ctx, d1.Statement{SQL: "SELECT ?", Params: []any{strings.Repeat("x", MaxRowSize+1)}}); err == nil {
		t.Fatal("oversized string accepted")
	}
}

func TestBatchRefusesTransactionControl(t *testing.T) {
	ctx := context.Background()
	m, _ := Open(t.TempDir(), Options{})
	defer m.Close()
	m.Create(ctx, "x", "")
	db, _ := m.Open(ctx, "x")
	db.Exec(ctx, d1.Statement{SQL: "CREATE TABLE t (x)"})
	_, err := db.Batch(ctx, []d1.Statement{{SQL: "INSERT INTO t VALUES (1)"}, {SQL: "COMMIT"}, {SQL: "INSERT INTO t VALUES (2)"}})
	if err == nil {
		t.Fatal("COMMIT inside a batch accepted")
	}
	r, err := db.Exec(ctx, d1.Statement{SQL: "SELECT count(*) FROM t"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0][0] != int64(0) {
		t.Fatalf("rows after refused batch: %v", r.Rows[0][0])
	}
	for sql, want := range map[string]bool{"begin": true, " /* x */ -- y\n COMMIT;": true, "END TRANSACTION": true, "SELECT 1": false, "BEGINNING": false, "-- only": false} {
		if got := isTxControl(sql); got != want {
			t.Errorf("isTxControl(%q) = %v", sql, got)
		}
	}
}
