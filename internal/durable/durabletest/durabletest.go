// Package durabletest is the conformance suite for Cloudflare Durable Objects
// storage backends (package durable): every implementation of durable.Store
// runs [Run] in its tests.
package durabletest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/durable"
)

// NewStore makes a fresh, empty store for one subtest; reopen, when it is
// called, closes that store and opens the same data again (a restart).
type NewStore func(t *testing.T) (s durable.Store, reopen func() durable.Store)

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	open := func(t *testing.T, s durable.Store, ns, id string) *durable.Storage {
		t.Helper()
		st, err := s.Open(ctx, ns, id)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	ns := durable.NewNamespace("app", "Counter")
	id := ns.IDFromName("a")

	t.Run("IDs", func(t *testing.T) {
		s, _ := newStore(t)
		n, err := s.Namespace(ctx, "app", "Counter")
		if err != nil {
			t.Fatal(err)
		}
		if n.IDFromName("a") != id || len(id) != 64 || !durable.ValidID(id) {
			t.Fatalf("idFromName not stable: %s vs %s", n.IDFromName("a"), id)
		}
		if n.IDFromName("b") == id {
			t.Fatal("two names share an id")
		}
		u, err := n.NewUniqueID("eu")
		if err != nil || u == id {
			t.Fatalf("NewUniqueID: %q %v", u, err)
		}
		if _, err := n.NewUniqueID("mars"); err == nil {
			t.Fatal("unknown jurisdiction accepted")
		}
		if got, err := n.IDFromString(strings.ToUpper(u)); err != nil || got != u {
			t.Fatalf("IDFromString(upper) = %q, %v", got, err)
		}
		if _, err := n.IDFromString("abc"); !errors.Is(err, durable.ErrInvalidID) {
			t.Fatalf("short id: %v", err)
		}
		other := durable.NewNamespace("app", "Other")
		if _, err := other.IDFromString(u); !errors.Is(err, durable.ErrForeignID) {
			t.Fatalf("foreign id: %v", err)
		}
	})

	t.Run("KV", func(t *testing.T) {
		s, _ := newStore(t)
		st := open(t, s, ns.Name(), id)
		if _, ok, err := st.Get("missing"); ok || err != nil {
			t.Fatalf("Get missing: %v %v", ok, err)
		}
		for _, k := range []string{"b", "a", "c", "ab", "ü", "d"} {
			if err := st.Put(k, []byte("v"+k)); err != nil {
				t.Fatal(err)
			}
		}
		if v, ok, _ := st.Get("ab"); !ok || string(v) != "vab" {
			t.Fatalf("Get = %q %v", v, ok)
		}
		if err := st.Put("empty", nil); err != nil {
			t.Fatal(err)
		}
		if v, ok, _ := st.Get("empty"); !ok || len(v) != 0 {
			t.Fatalf("empty value: %q %v", v, ok)
		}
		if ok, _ := st.Delete("empty"); !ok {
			t.Fatal("Delete existing reported false")
		}
		if ok, _ := st.Delete("empty"); ok {
			t.Fatal("Delete missing reported true")
		}
		keys := func(o durable.ListOptions) string {
			es, _, err := st.List(o, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ks []string
			for _, e := range es {
				ks = append(ks, e.Key)
			}
			return strings.Join(ks, ",")
		}
		cases := []struct {
			o    durable.ListOptions
			want string
		}{
			{durable.ListOptions{}, "a,ab,b,c,d,ü"},
			{durable.ListOptions{Reverse: true, Limit: 2}, "ü,d"},
			{durable.ListOptions{Start: "ab", End: "d"}, "ab,b,c"},
			{durable.ListOptions{StartAfter: "ab", Start: "a"}, "b,c,d,ü"},
			{durable.ListOptions{Prefix: "a"}, "a,ab"},
			{durable.ListOptions{Prefix: "a", Reverse: true}, "ab,a"},
			{durable.ListOptions{Limit: 1}, "a"},
		}
		for _, c := range cases {
			if got := keys(c.o); got != c.want {
				t.Errorf("List(%+v) = %s, want %s", c.o, got, c.want)
			}
		}
		if es, more, _ := st.List(durable.ListOptions{}, 5); !more || len(es) != 1 {
			t.Errorf("List with a byte bound: %d entries, more %v", len(es), more)
		}
		var le *durable.LimitError
		if err := st.Put(strings.Repeat("k", durable.MaxKeySize+1), []byte("x")); !errors.As(err, &le) {
			t.Errorf("long key: %v", err)
		}
		if err := st.Put("big", make([]byte, durable.MaxValueSize+1)); !errors.As(err, &le) {
			t.Errorf("big value: %v", err)
		}
		if err := st.Put("max", make([]byte, durable.MaxValueSize)); err != nil {
			t.Errorf("value at the limit: %v", err)
		}
	})

	t.Run("Transactions", func(t *testing.T) {
		s, reopen := newStore(t)
		st, err := s.Open(ctx, ns.Name(), id)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Begin(); err != nil {
			t.Fatal(err)
		}
		st.Put("x", []byte("1"))
		st.Put("y", []byte("2"))
		if err := st.Rollback(); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := st.Get("x"); ok {
			t.Fatal("rolled back write visible")
		}
		st.Begin()
		st.Put("x", []byte("1"))
		d, _ := st.Savepoint()
		st.Put("y", []byte("2"))
		st.ReleaseSavepoint(d, true)
		d, _ = st.Savepoint()
		st.Put("z", []byte("3"))
		st.ReleaseSavepoint(d, false)
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		// Uncommitted writes at close are lost; committed ones survive.
		st.Begin()
		st.Put("lost", []byte("!"))
		st.Close()
		s = reopen()
		st = open(t, s, ns.Name(), id)
		got := map[string]bool{}
		for _, k := range []string{"x", "y", "z", "lost"} {
			_, ok, _ := st.Get(k)
			got[k] = ok
		}
		if want := map[string]bool{"x": true, "y": false, "z": true, "lost": false}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after restart %v, want %v", got, want)
		}
	})

	t.Run("SQL", func(t *testing.T) {
		s, _ := newStore(t)
		st := open(t, s, ns.Name(), id)
		if _, err := st.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, score REAL)", nil); err != nil {
			t.Fatal(err)
		}
		r, err := st.Exec("INSERT INTO t (name, data, score) VALUES (?, ?, ?), (?, ?, ?)", []any{"a", []byte{1, 2}, 1.5, "b", nil, int64(3)})
		if err != nil || r.RowsWritten != 2 {
			t.Fatalf("insert: %+v %v", r, err)
		}
		r, err = st.Exec("SELECT id, name, data, score FROM t ORDER BY id", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]any{{int64(1), "a", []byte{1, 2}, 1.5}, {int64(2), "b", nil, 3.0}}
		if !reflect.DeepEqual(r.Rows, want) || !reflect.DeepEqual(r.Columns, []string{"id", "name", "data", "score"}) || r.RowsRead < 2 {
			t.Fatalf("select: %+v", r)
		}
		if r, err := st.Exec("UPDATE t SET score = 0; SELECT count(*) AS n FROM t WHERE score = ?", []any{int64(0)}); err != nil || r.Rows[0][0] != int64(2) || r.RowsWritten != 2 {
			t.Fatalf("two statements: %+v %v", r, err)
		}
		for _, q := range []string{"BEGIN", "begin transaction", "COMMIT", "SAVEPOINT a", "SELECT * FROM _cf_KV", `select * from "_CF_KV"`, "ATTACH 'x' AS y"} {
			var se *durable.SQLError
			if _, err := st.Exec(q, nil); !errors.As(err, &se) {
				t.Errorf("%s: %v, want a refusal", q, err)
			}
		}
		if _, err := st.Exec("SELECT '_cf_KV' AS s", nil); err != nil {
			t.Errorf("_cf_ inside a string refused: %v", err)
		}
		if _, err := st.Exec("SELECT ?", nil); err == nil {
			t.Error("missing binding accepted")
		}
		if _, err := st.Exec("SELECT 1", []any{int64(1)}); err == nil {
			t.Error("extra binding accepted")
		}
		if _, err := st.Exec("SELEC 1", nil); err == nil {
			t.Error("syntax error accepted")
		}
		if st.DatabaseSize() <= 0 {
			t.Error("DatabaseSize is 0")
		}
		if tabs, _ := st.Tables(); !reflect.DeepEqual(tabs, []string{"t"}) {
			t.Errorf("Tables = %v", tabs)
		}
		st.Put("k", []byte("v"))
		if err := st.DeleteAll(); err != nil {
			t.Fatal(err)
		}
		if tabs, _ := st.Tables(); len(tabs) != 0 {
			t.Errorf("DeleteAll kept tables %v", tabs)
		}
		if _, ok, _ := st.Get("k"); ok {
			t.Error("DeleteAll kept a key")
		}
	})

	t.Run("Alarms", func(t *testing.T) {
		s, reopen := newStore(t)
		st, _ := s.Open(ctx, ns.Name(), id)
		if _, ok, _ := st.GetAlarm(); ok {
			t.Fatal("new object has an alarm")
		}
		if err := st.SetAlarm(12345); err != nil {
			t.Fatal(err)
		}
		if at, ok, _ := st.GetAlarm(); !ok || at != 12345 {
			t.Fatalf("GetAlarm = %d %v", at, ok)
		}
		st.DeleteAll() // leaves the alarm, as Cloudflare's deleteAll
		st.Close()
		s = reopen()
		as, err := s.Alarms(ctx)
		if err != nil || len(as) != 1 || as[0] != (durable.Alarm{Namespace: ns.Name(), ID: id, At: 12345}) {
			t.Fatalf("Alarms = %+v %v", as, err)
		}
		st = open(t, s, ns.Name(), id)
		if err := st.DeleteAlarm(); err != nil {
			t.Fatal(err)
		}
		if as, _ := s.Alarms(ctx); len(as) != 0 {
			t.Fatalf("deleted alarm listed: %+v", as)
		}
	})

	t.Run("Listing", func(t *testing.T) {
		s, _ := newStore(t)
		if _, err := s.Objects(ctx, ns.Name()); !errors.Is(err, durable.ErrNotFound) {
			t.Fatalf("Objects of an empty namespace: %v", err)
		}
		n, _ := s.Namespace(ctx, "app", "Counter")
		ids := []string{n.IDFromName("x"), n.IDFromName("y")}
		for _, i := range ids {
			st := open(t, s, n.Name(), i)
			st.Put("k", []byte("v"))
		}
		objs, err := s.Objects(ctx, n.Name())
		if err != nil || len(objs) != 2 {
			t.Fatalf("Objects = %+v %v", objs, err)
		}
		if nss, _ := s.Namespaces(ctx); !reflect.DeepEqual(nss, []string{"app:Counter"}) {
			t.Fatalf("Namespaces = %v", nss)
		}
		if _, err := s.Open(ctx, n.Name(), "../../etc/passwd"); err == nil {
			t.Fatal("Open accepted a path as id")
		}
	})

	t.Run("Migrations", func(t *testing.T) {
		s, _ := newStore(t)
		n, _ := s.Namespace(ctx, "app", "Old")
		oid := n.IDFromName("room")
		st, _ := s.Open(ctx, n.Name(), oid)
		st.Put("k", []byte("kept"))
		st.Close()
		gone, _ := s.Namespace(ctx, "app", "Gone")
		st, _ = s.Open(ctx, gone.Name(), gone.IDFromName("z"))
		st.Put("k", []byte("v"))
		st.Close()
		migs := []durable.Migration{
			{Tag: "v1", NewSQLiteClasses: []string{"Old", "Gone"}},
			{Tag: "v2", RenamedClasses: [][2]string{{"Old", "New"}}, DeletedClasses: []string{"Gone"}},
		}
		applied, err := durable.ApplyMigrations(ctx, s, "app", migs)
		if err != nil || !reflect.DeepEqual(applied, []string{"v1", "v2"}) {
			t.Fatalf("ApplyMigrations = %v %v", applied, err)
		}
		if applied, err := durable.ApplyMigrations(ctx, s, "app", migs); err != nil || len(applied) != 0 {
			t.Fatalf("second ApplyMigrations = %v %v", applied, err)
		}
		if tags, _ := s.AppliedMigrations(ctx, "app"); !reflect.DeepEqual(tags, []string{"v1", "v2"}) {
			t.Fatalf("AppliedMigrations = %v", tags)
		}
		nn, _ := s.Namespace(ctx, "app", "New")
		if nn.IDFromName("room") != oid {
			t.Fatal("a renamed class's idFromName changed")
		}
		st = open(t, s, nn.Name(), oid)
		if v, ok, _ := st.Get("k"); !ok || string(v) != "kept" {
			t.Fatalf("renamed object's data: %q %v", v, ok)
		}
		if _, err := s.Objects(ctx, gone.Name()); !errors.Is(err, durable.ErrNotFound) {
			t.Fatalf("deleted class still has objects: %v", err)
		}
		for _, bad := range [][]durable.Migration{
			{{Tag: "v2"}, {Tag: "v1"}},
			{{Tag: "v1"}},
			{{Tag: "v1"}, {Tag: "v1"}},
			{{Tag: ""}},
		} {
			if _, err := durable.ApplyMigrations(ctx, s, "app", bad); err == nil {
				t.Errorf("migrations %+v accepted", bad)
			}
		}
	})

	t.Run("Isolation", func(t *testing.T) {
		s, _ := newStore(t)
		a := open(t, s, ns.Name(), ns.IDFromName("a"))
		b := open(t, s, ns.Name(), ns.IDFromName("b"))
		a.Put("k", []byte("a"))
		if _, ok, _ := b.Get("k"); ok {
			t.Fatal("two ids share state")
		}
		for i := range 3 {
			b.Put(fmt.Sprint(i), nil)
		}
		if es, _, _ := a.List(durable.ListOptions{}, 0); len(es) != 1 {
			t.Fatalf("a sees %d keys", len(es))
		}
	})
}
