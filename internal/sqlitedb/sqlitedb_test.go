package sqlitedb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func TestOpenFeatures(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.W.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	var fk int
	if err := db.R.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
	for _, q := range []string{
		"CREATE VIRTUAL TABLE f USING fts5(a)",
		"CREATE TABLE w(a TEXT, b TEXT, PRIMARY KEY(a, b)) WITHOUT ROWID",
		"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
		"INSERT INTO t(id, name) VALUES(1, 'x') ON CONFLICT(id) DO UPDATE SET name = excluded.name RETURNING id",
		"SELECT json_object('a', 1), strftime('%Y', 'now')",
	} {
		if _, err := db.W.Exec(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	_, err = db.W.Exec("INSERT INTO t(id, name) VALUES(2, 'x')")
	msg, code := ErrorMessage(err)
	if msg != "UNIQUE constraint failed: t.name" || code != "SQLITE_CONSTRAINT" {
		t.Errorf("ErrorMessage = %q, %q (from %v)", msg, code, err)
	}
	_, err = db.W.Exec("SELECT * FROM nope")
	if msg, code := ErrorMessage(err); msg != "no such table: nope" || code != "SQLITE_ERROR" {
		t.Errorf("ErrorMessage = %q, %q (from %v)", msg, code, err)
	}
	if _, err := db.R.Exec("INSERT INTO t(name) VALUES('y')"); err == nil {
		t.Error("read pool accepted a write")
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestWriteRollsBack(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "a.db"), &Options{Sync: SyncFull})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.W.Exec("CREATE TABLE t(x)")
	err = db.Write(context.Background(), func(tx *sql.Tx) error {
		tx.Exec("INSERT INTO t VALUES(1)")
		_, err := tx.Exec("INSERT INTO nope VALUES(1)")
		return err
	})
	if err == nil {
		t.Fatal("want error")
	}
	var n int
	db.R.QueryRow("SELECT count(*) FROM t").Scan(&n)
	if n != 0 {
		t.Fatalf("rows = %d after rollback", n)
	}
}
