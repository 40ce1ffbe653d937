package d1local

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// BenchmarkPrimaryKeySelect compares a primary-key SELECT through D1's Exec
// with the same query through database/sql on the same driver (the issue's
// "D1 overhead ≤ 2×" goal is about the binding, which adds to Exec).
func BenchmarkPrimaryKeySelect(b *testing.B) {
	ctx := context.Background()
	m, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	m.Create(ctx, "bench", "")
	db, _ := m.OpenDatabase(ctx, "bench")
	db.ExecScript(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);")
	sts := make([]d1.Statement, 1000)
	for i := range sts {
		sts[i] = d1.Statement{SQL: "INSERT INTO users (id, email, name) VALUES (?, ?, ?)", Params: []any{int64(i), "u@x.io", "name"}}
	}
	if _, err := db.Batch(ctx, sts); err != nil {
		b.Fatal(err)
	}
	b.Run("d1.Exec", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, err := db.Exec(ctx, d1.Statement{SQL: "SELECT * FROM users WHERE id = ?", Params: []any{int64(i % 1000)}})
			if err != nil || len(r.Rows) != 1 {
				b.Fatal(err)
			}
		}
	})
	b.Run("database-sql", func(b *testing.B) {
		raw, err := sqlitedb.Open(filepath.Join(b.TempDir(), "direct.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		raw.W.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT)")
		raw.Write(ctx, func(tx *sql.Tx) error {
			for i := range 1000 {
				tx.Exec("INSERT INTO users VALUES (?, ?, ?)", i, "u@x.io", "name")
			}
			return nil
		})
		st, _ := raw.W.Prepare("SELECT * FROM users WHERE id = ?")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var id int64
			var e, n string
			if err := st.QueryRow(i%1000).Scan(&id, &e, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
