// Package d1test is the conformance suite for D1 (Cloudflare D1) backends:
// every implementation of d1.Manager runs [Run] in its tests.
package d1test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/zerostack/zerostack/internal/d1"
)

// Run runs the suite against managers made by newManager; each call must
// return a fresh, empty manager that is closed through t.Cleanup.
func Run(t *testing.T, newManager func(t *testing.T) d1.Manager) {
	ctx := context.Background()
	newDB := func(t *testing.T) d1.Database {
		m := newManager(t)
		if _, err := m.Create(ctx, "test", ""); err != nil {
			t.Fatal(err)
		}
		db, err := m.Open(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	exec := func(t *testing.T, db d1.Database, sql string, params ...any) d1.Result {
		t.Helper()
		r, err := db.Exec(ctx, d1.Statement{SQL: sql, Params: params})
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return r
	}
	d1Err := func(t *testing.T, err error, kind, contains string) {
		t.Helper()
		var de *d1.Error
		if !errors.As(err, &de) || de.Kind != kind || !strings.Contains(de.Message, contains) {
			t.Fatalf("error = %v, want %s containing %q", err, kind, contains)
		}
	}
	schema := `CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT UNIQUE NOT NULL,
  name TEXT,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  content TEXT,
  published BOOLEAN DEFAULT FALSE,
  FOREIGN KEY (user_id) REFERENCES users(id)
);
CREATE INDEX idx_posts_user ON posts(user_id);`

	t.Run("Manager", func(t *testing.T) {
		m := newManager(t)
		a, err := m.Create(ctx, "alpha", "")
		if err != nil || a.Name != "alpha" || len(a.UUID) != 36 {
			t.Fatalf("create = %+v, %v", a, err)
		}
		if _, err := m.Create(ctx, "alpha", ""); !errors.Is(err, d1.ErrExists) {
			t.Fatalf("duplicate: %v", err)
		}
		if _, err := m.Create(ctx, "../evil", ""); !errors.Is(err, d1.ErrInvalidName) {
			t.Fatalf("bad name: %v", err)
		}
		if _, err := m.Create(ctx, "beta", "0c6a1d6e-1234-4abc-8def-0123456789ab"); err != nil {
			t.Fatal(err)
		}
		list, err := m.List(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "alpha" || list[1].UUID != "0c6a1d6e-1234-4abc-8def-0123456789ab" {
			t.Fatalf("list = %+v, %v", list, err)
		}
		db, err := m.Open(ctx, a.UUID)
		if err != nil {
			t.Fatal(err)
		}
		exec(t, db, "CREATE TABLE t(x)")
		info, err := m.Info(ctx, "alpha")
		if err != nil || info.NumTables != 1 || info.FileSize == 0 {
			t.Fatalf("info = %+v, %v", info, err)
		}
		if err := m.Delete(ctx, "alpha"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Open(ctx, "alpha"); !errors.Is(err, d1.ErrNotFound) {
			t.Fatalf("open deleted: %v", err)
		}
		if err := m.Delete(ctx, "alpha"); !errors.Is(err, d1.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})

	t.Run("ExecTypesAndMeta", func(t *testing.T) {
		db := newDB(t)
		if _, err := db.ExecScript(ctx, schema); err != nil {
			t.Fatal(err)
		}
		r := exec(t, db, "INSERT INTO users (email, name) VALUES (?, ?) RETURNING *", "a@x.io", "Ann")
		if len(r.Rows) != 1 || r.Rows[0][0] != int64(1) || r.Columns[1] != "email" || r.Meta.Changes != 1 || r.Meta.LastRowID != 1 || !r.Meta.ChangedDB || r.Meta.RowsWritten != 1 || r.Meta.SizeAfter <= 0 {
			t.Fatalf("insert returning = %+v", r)
		}
		// DATETIME text comes back as stored text.
		if s, ok := r.Rows[0][3].(string); !ok || len(s) != 19 || s[10] != ' ' {
			t.Fatalf("created_at = %#v", r.Rows[0][3])
		}
		r = exec(t, db, "INSERT INTO posts (user_id, title, published) VALUES (?, ?, ?)", int64(1), "t", true)
		if r.Meta.LastRowID != 1 || r.Meta.Changes != 1 || len(r.Rows) != 0 || len(r.Columns) != 0 {
			t.Fatalf("run = %+v", r)
		}
		r = exec(t, db, "SELECT published, 1.5 AS f, NULL AS n, x'00ff' AS b, 'é' AS s, 9007199254740993 AS big FROM posts WHERE published = TRUE")
		want := []any{int64(1), 1.5, nil, []byte{0, 0xff}, "é", int64(9007199254740993)}
		if len(r.Rows) != 1 || !reflect.DeepEqual(r.Rows[0], want) || r.Meta.ChangedDB || r.Meta.Changes != 0 {
			t.Fatalf("select = %+v", r)
		}
		if !reflect.DeepEqual(r.Columns, []string{"published", "f", "n", "b", "s", "big"}) {
			t.Fatalf("columns = %v", r.Columns)
		}
		r = exec(t, db, "SELECT * FROM users WHERE id = ?", int64(99))
		if len(r.Rows) != 0 || r.Rows == nil || len(r.Columns) != 4 {
			t.Fatalf("empty select = %+v", r)
		}
		r = exec(t, db, "SELECT json_object('a', 1, 'b', json_array(1, 2)) AS j, strftime('%Y', '2024-05-06') AS y")
		if r.Rows[0][0] != `{"a":1,"b":[1,2]}` || r.Rows[0][1] != "2024" {
			t.Fatalf("json/strftime = %v", r.Rows)
		}
		r = exec(t, db, "SELECT count(*) AS n FROM users")
		if r.Meta.RowsRead < 1 || r.Meta.Duration < 0 {
			t.Fatalf("meta = %+v", r.Meta)
		}
		r = exec(t, db, "UPDATE users SET name = ? WHERE id = ?", nil, 1)
		if r.Meta.Changes != 1 {
			t.Fatalf("update meta = %+v", r.Meta)
		}
		r = exec(t, db, "SELECT ?1 + ?1 AS twice", int64(21))
		if r.Rows[0][0] != int64(42) {
			t.Fatalf("numbered param = %v", r.Rows)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		db := newDB(t)
		db.ExecScript(ctx, schema)
		exec(t, db, "INSERT INTO users (email) VALUES (?)", "a@x.io")
		_, err := db.Exec(ctx, d1.Statement{SQL: "INSERT INTO users (email) VALUES (?)", Params: []any{"a@x.io"}})
		d1Err(t, err, "D1_ERROR", "UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT")
		var de *d1.Error
		errors.As(err, &de)
		if de.Message != "UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT" || !strings.HasPrefix(de.Error(), "d1: D1_ERROR: UNIQUE constraint") {
			t.Fatalf("message = %q", de.Message)
		}
		_, err = db.Exec(ctx, d1.Statement{SQL: "SELECT * FROM nope"})
		d1Err(t, err, "D1_ERROR", "no such table: nope: SQLITE_ERROR")
		_, err = db.Exec(ctx, d1.Statement{SQL: "SELEC 1"})
		d1Err(t, err, "D1_ERROR", `near "SELEC": syntax error`)
		_, err = db.Exec(ctx, d1.Statement{SQL: "SELECT ?", Params: nil})
		d1Err(t, err, "D1_ERROR", "Wrong number of parameter bindings")
		_, err = db.Exec(ctx, d1.Statement{SQL: "SELECT ?", Params: []any{struct{}{}}})
		d1Err(t, err, "D1_TYPE_ERROR", "not supported")
		_, err = db.Exec(ctx, d1.Statement{SQL: "SELECT 1; SELECT 2"})
		d1Err(t, err, "D1_ERROR", "only one statement")
		_, err = db.Exec(ctx, d1.Statement{SQL: "  "})
		d1Err(t, err, "D1_ERROR", "No SQL statements")
		// D1 enforces foreign keys.
		_, err = db.Exec(ctx, d1.Statement{SQL: "INSERT INTO posts (user_id, title) VALUES (42, 'x')"})
		d1Err(t, err, "D1_ERROR", "FOREIGN KEY constraint failed")
		// A trailing comment is not a second statement.
		exec(t, db, "SELECT 1; -- done")
		// An interactive transaction is refused and leaves nothing open.
		if _, err := db.Exec(ctx, d1.Statement{SQL: "BEGIN"}); err == nil {
			t.Fatal("BEGIN accepted")
		}
		exec(t, db, "INSERT INTO users (email) VALUES ('b@x.io')")
	})

	t.Run("SQLFeatures", func(t *testing.T) {
		db := newDB(t)
		_, err := db.ExecScript(ctx, `CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT, content TEXT);
CREATE VIRTUAL TABLE posts_fts USING fts5(title, content, content=posts, content_rowid=id);
INSERT INTO posts VALUES (1, 'Hello D1', 'sqlite at the edge'), (2, 'Other', 'nothing here');
INSERT INTO posts_fts(posts_fts) VALUES('rebuild');
CREATE TABLE metrics (name TEXT, ts INTEGER, value REAL, PRIMARY KEY (name, ts)) WITHOUT ROWID;
CREATE TABLE subs (id TEXT PRIMARY KEY, plan TEXT);`)
		if err != nil {
			t.Fatal(err)
		}
		r := exec(t, db, "SELECT posts.id, highlight(posts_fts, 1, '<b>', '</b>') FROM posts_fts JOIN posts ON posts.id = posts_fts.rowid WHERE posts_fts MATCH ? ORDER BY rank", "edge")
		if len(r.Rows) != 1 || r.Rows[0][1] != "sqlite at the <b>edge</b>" {
			t.Fatalf("fts = %v", r.Rows)
		}
		exec(t, db, "INSERT INTO metrics VALUES ('cpu', 1, 0.5)")
		for _, plan := range []string{"free", "pro"} {
			exec(t, db, "INSERT INTO subs (id, plan) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET plan = excluded.plan", "u1", plan)
		}
		if r := exec(t, db, "SELECT plan FROM subs"); len(r.Rows) != 1 || r.Rows[0][0] != "pro" {
			t.Fatalf("upsert = %v", r.Rows)
		}
	})

	t.Run("Batch", func(t *testing.T) {
		db := newDB(t)
		db.ExecScript(ctx, schema)
		res, err := db.Batch(ctx, []d1.Statement{
			{SQL: "INSERT INTO users (email) VALUES (?)", Params: []any{"a@x.io"}},
			{SQL: "INSERT INTO users (email) VALUES (?)", Params: []any{"b@x.io"}},
			{SQL: "SELECT count(*) FROM users"},
		})
		if err != nil || len(res) != 3 || res[1].Meta.LastRowID != 2 || res[2].Rows[0][0] != int64(2) {
			t.Fatalf("batch = %+v, %v", res, err)
		}
		_, err = db.Batch(ctx, []d1.Statement{
			{SQL: "INSERT INTO users (email) VALUES (?)", Params: []any{"c@x.io"}},
			{SQL: "INSERT INTO users (email) VALUES (?)", Params: []any{"a@x.io"}},
		})
		d1Err(t, err, "D1_ERROR", "UNIQUE constraint failed")
		if r := exec(t, db, "SELECT count(*) FROM users"); r.Rows[0][0] != int64(2) {
			t.Fatalf("batch not rolled back: %v", r.Rows)
		}
		if res, err := db.Batch(ctx, nil); err != nil || len(res) != 0 {
			t.Fatalf("empty batch = %v, %v", res, err)
		}
	})

	t.Run("ExecScript", func(t *testing.T) {
		db := newDB(t)
		r, err := db.ExecScript(ctx, "CREATE TABLE a(x);\n\nINSERT INTO a VALUES(1); INSERT INTO a VALUES(2);\n-- comment\nINSERT INTO a VALUES(3);\n")
		if err != nil || r.Count != 4 {
			t.Fatalf("exec = %+v, %v", r, err)
		}
		_, err = db.ExecScript(ctx, "INSERT INTO a VALUES(4);\nINSERT INTO nope VALUES(5);\nINSERT INTO a VALUES(6);")
		d1Err(t, err, "D1_EXEC_ERROR", "Error in line 2: INSERT INTO nope VALUES(5);: no such table: nope: SQLITE_ERROR")
		if r := exec(t, db, "SELECT group_concat(x) FROM a"); r.Rows[0][0] != "1,2,3,4" {
			t.Fatalf("rows = %v", r.Rows)
		}
	})

	t.Run("DumpRoundTrip", func(t *testing.T) {
		m := newManager(t)
		m.Create(ctx, "src", "")
		m.Create(ctx, "dst", "")
		src, _ := m.Open(ctx, "src")
		dst, _ := m.Open(ctx, "dst")
		if _, err := src.ExecScript(ctx, schema); err != nil {
			t.Fatal(err)
		}
		exec(t, src, "INSERT INTO users (email, name) VALUES (?, ?)", "o'brien@x.io", "line1\nline2")
		exec(t, src, "INSERT INTO users (email, name) VALUES (?, ?)", "nul@x.io", "a\x00b")
		exec(t, src, "INSERT INTO posts (user_id, title, content) VALUES (2, 't', ?)", []byte{1, 2, 3})
		var buf bytes.Buffer
		if err := src.Dump(ctx, &buf, d1.DumpOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "PRAGMA defer_foreign_keys=TRUE;\n") || !strings.Contains(buf.String(), "CREATE INDEX idx_posts_user") {
			t.Fatalf("dump:\n%s", buf.String())
		}
		if _, err := dst.Batch(ctx, statements(d1.SplitStatements(buf.String()))); err != nil {
			t.Fatalf("reimport: %v\n%s", err, buf.String())
		}
		q := "SELECT u.id, u.email, u.name, u.created_at, p.content FROM users u LEFT JOIN posts p ON p.user_id = u.id ORDER BY u.id"
		a, b := exec(t, src, q), exec(t, dst, q)
		if !reflect.DeepEqual(a.Rows, b.Rows) {
			t.Fatalf("round trip differs:\n%v\n%v", a.Rows, b.Rows)
		}
		buf.Reset()
		src.Dump(ctx, &buf, d1.DumpOptions{NoData: true})
		if strings.Contains(buf.String(), "INSERT") || !strings.Contains(buf.String(), "CREATE TABLE users") {
			t.Fatalf("no-data dump:\n%s", buf.String())
		}
		buf.Reset()
		src.Dump(ctx, &buf, d1.DumpOptions{NoSchema: true, Tables: []string{"users"}})
		if strings.Contains(buf.String(), "CREATE") || strings.Count(buf.String(), "INSERT INTO \"users\"") != 2 || strings.Contains(buf.String(), "posts") {
			t.Fatalf("no-schema dump:\n%s", buf.String())
		}
	})

	t.Run("Migrations", func(t *testing.T) {
		db := newDB(t)
		dir := filepath.Join(t.TempDir(), "migrations")
		p1, err := d1.CreateMigrationFile(dir, "create users")
		if err != nil || filepath.Base(p1) != "0001_create_users.sql" {
			t.Fatalf("create = %q, %v", p1, err)
		}
		os.WriteFile(p1, []byte("-- Migration number: 0001\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\nCREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;\n"), 0o644)
		p2, _ := d1.CreateMigrationFile(dir, "add-name!")
		if filepath.Base(p2) != "0002_add_name.sql" {
			t.Fatalf("second = %q", p2)
		}
		os.WriteFile(p2, []byte("ALTER TABLE users ADD COLUMN name TEXT;"), 0o644)
		list, err := d1.ListMigrations(ctx, db, dir, "")
		if err != nil || len(list) != 2 || list[0].Applied {
			t.Fatalf("list = %+v, %v", list, err)
		}
		done, err := d1.ApplyMigrations(ctx, db, dir, "")
		if err != nil || len(done) != 2 {
			t.Fatalf("apply = %+v, %v", done, err)
		}
		r := exec(t, db, "SELECT id, name, applied_at FROM d1_migrations ORDER BY id")
		if len(r.Rows) != 2 || r.Rows[1][1] != "0002_add_name.sql" || r.Rows[0][2] == nil {
			t.Fatalf("d1_migrations = %v", r.Rows)
		}
		if done, err := d1.ApplyMigrations(ctx, db, dir, ""); err != nil || len(done) != 0 {
			t.Fatalf("re-apply = %v, %v", done, err)
		}
		p3, _ := d1.CreateMigrationFile(dir, "broken")
		os.WriteFile(p3, []byte("CREATE TABLE half (x);\nINSERT INTO nope VALUES (1);\n"), 0o644)
		if _, err := d1.ApplyMigrations(ctx, db, dir, ""); err == nil || !strings.Contains(err.Error(), "0003_broken.sql") {
			t.Fatalf("broken migration: %v", err)
		}
		if r := exec(t, db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"); r.Rows[0][0] != int64(0) {
			t.Fatal("failed migration left a table behind")
		}
		list, _ = d1.ListMigrations(ctx, db, dir, "")
		if len(list) != 3 || !list[1].Applied || list[2].Applied {
			t.Fatalf("list after failure = %+v", list)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		db := newDB(t)
		exec(t, db, "CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT)")
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					v := fmt.Sprintf("%d-%d", w, i)
					r, err := db.Exec(ctx, d1.Statement{SQL: "INSERT INTO c (v) VALUES (?)", Params: []any{v}})
					if err != nil {
						t.Error(err)
						return
					}
					got, err := db.Exec(ctx, d1.Statement{SQL: "SELECT v FROM c WHERE id = ?", Params: []any{r.Meta.LastRowID}})
					if err != nil || len(got.Rows) != 1 || got.Rows[0][0] != v {
						t.Errorf("read back %s = %v, %v", v, got.Rows, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if r := exec(t, db, "SELECT count(*) FROM c"); r.Rows[0][0] != int64(100) {
			t.Fatalf("count = %v", r.Rows)
		}
	})
}

func statements(sqls []string) []d1.Statement {
	out := make([]d1.Statement, len(sqls))
	for i, s := range sqls {
		out[i] = d1.Statement{SQL: s}
	}
	return out
}
