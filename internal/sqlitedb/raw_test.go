package sqlitedb

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConn(t *testing.T) {
	ctx := context.Background()
	c, err := OpenConn(filepath.Join(t.TempDir(), "r.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Exec(ctx, "CREATE TABLE t(id INTEGER PRIMARY KEY, d DATETIME DEFAULT CURRENT_TIMESTAMP, s TEXT UNIQUE, b BLOB, f REAL); -- comment"); err != nil {
		t.Fatal(err)
	}
	s, tail, err := c.PrepareCached("INSERT INTO t(d, s, b, f) VALUES (?, ?, ?, ?) RETURNING id")
	if err != nil || tail != "" {
		t.Fatal(err, tail)
	}
	if s.ParamCount() != 4 || s.Readonly() {
		t.Fatalf("params %d readonly %v", s.ParamCount(), s.Readonly())
	}
	if err := s.Bind("2024-01-02 03:04:05", "x\x00y", []byte{}, 1.5); err != nil {
		t.Fatal(err)
	}
	ok, err := s.Step()
	if !ok || err != nil || s.Row()[0] != int64(1) {
		t.Fatal(ok, err)
	}
	s.Step()
	s.Close()
	if c.Changes() != 1 || c.LastInsertRowID() != 1 {
		t.Fatalf("changes %d last %d", c.Changes(), c.LastInsertRowID())
	}
	s, _, _ = c.PrepareCached("SELECT d, s, b, f, NULL, 7 FROM t")
	s.Step()
	got := s.Row()
	want := []any{"2024-01-02 03:04:05", "x\x00y", []byte{}, 1.5, nil, int64(7)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("row = %#v", got)
	}
	if !reflect.DeepEqual(s.Columns(), []string{"d", "s", "b", "f", "NULL", "7"}) || !s.Readonly() {
		t.Fatalf("cols %v", s.Columns())
	}
	s.Close()
	s, _, _ = c.PrepareCached("INSERT INTO t(s) VALUES (?)")
	s.Bind("x\x00y")
	_, err = s.Step()
	s.Close()
	if msg, code := ErrorMessage(err); msg != "UNIQUE constraint failed: t.s" || code != "SQLITE_CONSTRAINT" {
		t.Fatalf("err %v -> %q %q", err, msg, code)
	}
	_, _, err = c.Prepare("SELEC 1")
	if msg, _ := ErrorMessage(err); msg != `near "SELEC": syntax error` {
		t.Fatalf("syntax error = %q", msg)
	}
	if s, tail, err := c.Prepare("  -- only a comment\n"); s != nil || err != nil || tail != "" {
		t.Fatalf("comment-only prepare = %v %q %v", s, tail, err)
	}
	if s, tail, _ := c.Prepare("SELECT 1; SELECT 2"); s == nil || tail != " SELECT 2" {
		t.Fatalf("tail = %q", tail)
	} else {
		s.Close()
	}
	if !Complete("CREATE TABLE x(a);") || Complete("CREATE TABLE x(") || Complete("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;") {
		t.Fatal("Complete")
	}
}

func TestExecRejectsNUL(t *testing.T) {
	c, err := OpenConn(filepath.Join(t.TempDir(), "nul.sqlite"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- c.Exec(context.Background(), "SELECT 1;\x00SELECT 2") }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Exec looped on a NUL byte")
	}
}
