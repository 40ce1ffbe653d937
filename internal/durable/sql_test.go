package durable

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckStatement(t *testing.T) {
	cases := map[string]bool{ // statement → refused
		"SELECT 1":                             false,
		"  -- c\n/* x */ begin":                true,
		"select '_cf_KV'":                      false,
		"select * from _cf_KV":                 true,
		"select * from main._cf_KV":            true,
		`select * from "_cf_METADATA"`:         true,
		"select my_cf_table from t":            false,
		"CREATE TABLE t (a)":                   false,
		"release sp":                           true,
		"END":                                  true,
		"detach x":                             true,
		"WITH x AS (SELECT 1) SELECT * FROM x": false,
	}
	for q, refused := range cases {
		if got := checkStatement(q) != nil; got != refused {
			t.Errorf("checkStatement(%q) refused = %v, want %v", q, got, refused)
		}
	}
}

// FuzzExec runs arbitrary SQL through the SQL API: it must fail cleanly or
// succeed, never panic, and never reach the hidden tables.
func FuzzExec(f *testing.F) {
	for _, q := range []string{"SELECT 1", "CREATE TABLE t(a); INSERT INTO t VALUES (1)", "SELECT * FROM _cf_KV", "BEGIN", "select ?;", "'", "/*"} {
		f.Add(q)
	}
	st, err := OpenStorage(filepath.Join(f.TempDir(), "fuzz.sqlite"), nil)
	if err != nil {
		f.Fatal(err)
	}
	st.Put("secret", []byte("v"))
	f.Fuzz(func(t *testing.T, q string) {
		res, err := st.Exec(q, nil)
		var se *SQLError
		if errors.As(err, &se) {
			return
		}
		if err == nil {
			for _, row := range res.Rows {
				for _, v := range row {
					if b, ok := v.([]byte); ok && string(b) == "v" {
						t.Fatalf("%q read the hidden key-value table", q)
					}
				}
			}
		}
		if st.InTransaction() {
			t.Fatalf("%q left a transaction open", q)
		}
	})
}

func TestKeyValueClasses(t *testing.T) {
	got := KeyValueClasses([]Migration{
		{Tag: "v1", NewClasses: []string{"A", "B", "C"}, NewSQLiteClasses: []string{"S"}},
		{Tag: "v2", RenamedClasses: [][2]string{{"A", "A2"}}, DeletedClasses: []string{"B"}},
	})
	if strings.Join(got, ",") != "A2,C" {
		t.Fatalf("KeyValueClasses = %v", got)
	}
}
