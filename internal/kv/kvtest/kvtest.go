// Package kvtest is the conformance suite for Workers KV (Cloudflare Workers
// KV) backends: every implementation of kv.Store runs [Run] in its tests.
package kvtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/kv"
)

// Clock is a manually advanced clock for expiry tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// NewStore makes a fresh, empty store for one subtest whose expiry decisions
// use now. The store must be closed through t.Cleanup.
type NewStore func(t *testing.T, now func() time.Time) kv.Store

// Run runs the conformance suite against stores made by newStore. When a
// store also implements kv.Namespaces, namespace management is tested too.
func Run(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	start := time.Unix(1_800_000_000, 0)
	fresh := func(t *testing.T) (kv.Store, *Clock) {
		c := NewClock(start)
		return newStore(t, c.Now), c
	}
	put := func(t *testing.T, s kv.Store, ns, key, val string, o kv.PutOptions) {
		t.Helper()
		if err := s.Put(ctx, ns, key, strings.NewReader(val), o); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
	}
	ptr := func(v int64) *int64 { return &v }

	t.Run("PutGetDelete", func(t *testing.T) {
		s, _ := fresh(t)
		if _, err := s.Get(ctx, "ns", "a"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		put(t, s, "ns", "a", "1", kv.PutOptions{})
		e, err := s.Get(ctx, "ns", "a")
		if err != nil || string(e.Value) != "1" || e.Metadata != nil || e.Expiration != 0 {
			t.Fatalf("get = %+v, %v", e, err)
		}
		put(t, s, "ns", "a", "2", kv.PutOptions{Metadata: json.RawMessage(`{"x":1}`)})
		e, _ = s.Get(ctx, "ns", "a")
		if string(e.Value) != "2" || string(e.Metadata) != `{"x":1}` {
			t.Fatalf("overwrite = %+v", e)
		}
		// Namespaces are isolated.
		if _, err := s.Get(ctx, "other", "a"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("other namespace: %v", err)
		}
		put(t, s, "ns", "empty", "", kv.PutOptions{})
		if e, err := s.Get(ctx, "ns", "empty"); err != nil || e.Value == nil || len(e.Value) != 0 {
			t.Fatalf("empty value = %#v, %v", e.Value, err)
		}
		if err := s.Delete(ctx, "ns", "a", "missing"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "ns", "a"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})

	t.Run("BinaryAndOddKeys", func(t *testing.T) {
		s, _ := fresh(t)
		val := []byte{0, 1, 2, 255, 254}
		keys := []string{"a/b", "../x", "a\x00b", "\xff\xfe", "ключ", strings.Repeat("k", kv.MaxKeySize)}
		for _, k := range keys {
			if err := s.Put(ctx, "ns", k, bytes.NewReader(val), kv.PutOptions{}); err != nil {
				t.Fatalf("put %q: %v", k, err)
			}
			e, err := s.Get(ctx, "ns", k)
			if err != nil || !bytes.Equal(e.Value, val) {
				t.Fatalf("get %q = %v, %v", k, e.Value, err)
			}
		}
		// "a\x00b" and "a" are different keys.
		if _, err := s.Get(ctx, "ns", "a"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("prefix of NUL key found: %v", err)
		}
	})

	t.Run("Validation", func(t *testing.T) {
		s, _ := fresh(t)
		cases := []struct {
			key  string
			val  io.Reader
			opts kv.PutOptions
		}{
			{"", strings.NewReader("v"), kv.PutOptions{}},
			{".", strings.NewReader("v"), kv.PutOptions{}},
			{"..", strings.NewReader("v"), kv.PutOptions{}},
			{strings.Repeat("k", kv.MaxKeySize+1), strings.NewReader("v"), kv.PutOptions{}},
			{"k", strings.NewReader("v"), kv.PutOptions{ExpirationTTL: ptr(59)}},
			{"k", strings.NewReader("v"), kv.PutOptions{Expiration: ptr(start.Unix() + 30)}},
			{"k", strings.NewReader("v"), kv.PutOptions{Metadata: json.RawMessage(`"` + strings.Repeat("m", kv.MaxMetadataSize) + `"`)}},
			{"k", io.LimitReader(zeros{}, kv.MaxValueSize+1), kv.PutOptions{}},
		}
		for i, c := range cases {
			err := s.Put(ctx, "ns", c.key, c.val, c.opts)
			if !errors.Is(err, kv.ErrInvalid) {
				t.Errorf("case %d: err = %v, want ErrInvalid", i, err)
			}
			var ve *kv.ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Errorf("case %d: no ValidationError in %v", i, err)
			}
		}
		if _, err := s.Get(ctx, "ns", "k"); !errors.Is(err, kv.ErrNotFound) {
			t.Errorf("a rejected put wrote: %v", err)
		}
		if _, err := s.Get(ctx, "ns", ""); !errors.Is(err, kv.ErrInvalid) {
			t.Errorf("get empty key: %v", err)
		}
		if _, err := s.List(ctx, "ns", kv.ListOptions{Limit: kv.MaxListLimit + 1}); !errors.Is(err, kv.ErrInvalid) {
			t.Errorf("list limit 1001: %v", err)
		}
		if _, err := s.List(ctx, "ns", kv.ListOptions{Cursor: "not a cursor"}); !errors.Is(err, kv.ErrInvalid) {
			t.Errorf("list bad cursor: %v", err)
		}
		many := make([]string, kv.MaxBulkGet+1)
		for i := range many {
			many[i] = fmt.Sprint(i)
		}
		if _, err := s.GetMany(ctx, "ns", many); !errors.Is(err, kv.ErrInvalid) {
			t.Errorf("bulk get 101: %v", err)
		}
		// Exactly the maximum value size is accepted.
		if err := s.Put(ctx, "ns", "big", io.LimitReader(zeros{}, kv.MaxValueSize), kv.PutOptions{}); err != nil {
			t.Errorf("put 25 MiB: %v", err)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s, clock := fresh(t)
		put(t, s, "ns", "ttl", "v", kv.PutOptions{ExpirationTTL: ptr(60)})
		put(t, s, "ns", "abs", "v", kv.PutOptions{Expiration: ptr(start.Unix() + 120), Metadata: json.RawMessage(`1`)})
		put(t, s, "ns", "forever", "v", kv.PutOptions{})
		e, err := s.Get(ctx, "ns", "ttl")
		if err != nil || e.Expiration != start.Unix()+60 {
			t.Fatalf("ttl entry = %+v, %v", e, err)
		}
		l, _ := s.List(ctx, "ns", kv.ListOptions{})
		if len(l.Keys) != 3 || l.Keys[0].Name != "abs" || l.Keys[0].Expiration != start.Unix()+120 || string(l.Keys[0].Metadata) != "1" {
			t.Fatalf("list = %+v", l.Keys)
		}
		clock.Advance(59 * time.Second)
		if _, err := s.Get(ctx, "ns", "ttl"); err != nil {
			t.Fatalf("expired early: %v", err)
		}
		clock.Advance(time.Second)
		if _, err := s.Get(ctx, "ns", "ttl"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("ttl key still readable at expiry: %v", err)
		}
		m, _ := s.GetMany(ctx, "ns", []string{"ttl", "abs", "forever"})
		if len(m) != 2 {
			t.Fatalf("bulk get returned expired: %v", m)
		}
		clock.Advance(time.Hour)
		l, _ = s.List(ctx, "ns", kv.ListOptions{})
		if len(l.Keys) != 1 || l.Keys[0].Name != "forever" {
			t.Fatalf("list after expiry = %+v", l.Keys)
		}
		// Re-putting an expired key works and clears the old expiration.
		put(t, s, "ns", "ttl", "new", kv.PutOptions{})
		if e, err := s.Get(ctx, "ns", "ttl"); err != nil || string(e.Value) != "new" || e.Expiration != 0 {
			t.Fatalf("re-put = %+v, %v", e, err)
		}
	})

	t.Run("ListOrderPrefixCursor", func(t *testing.T) {
		s, _ := fresh(t)
		keys := []string{"b", "a", "a\x00", "a\xff", "ab", "aa", "B", "é", "z", "user:1", "user:2", "user:10", "user;"}
		for _, k := range keys {
			put(t, s, "ns", k, k, kv.PutOptions{})
		}
		put(t, s, "zz", "user:other", "x", kv.PutOptions{})
		var all []string
		cursor := ""
		pages := 0
		for {
			l, err := s.List(ctx, "ns", kv.ListOptions{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, k := range l.Keys {
				all = append(all, k.Name)
			}
			if l.ListComplete {
				if l.Cursor != "" {
					t.Fatalf("complete page has cursor %q", l.Cursor)
				}
				break
			}
			if l.Cursor == "" || len(l.Keys) != 3 {
				t.Fatalf("incomplete page %+v", l)
			}
			cursor = l.Cursor
		}
		want := []string{"B", "a", "a\x00", "aa", "ab", "a\xff", "b", "user:1", "user:10", "user:2", "user;", "z", "é"}
		if fmt.Sprintf("%q", all) != fmt.Sprintf("%q", want) || pages != 5 {
			t.Fatalf("paged list = %q in %d pages, want %q", all, pages, want)
		}
		l, err := s.List(ctx, "ns", kv.ListOptions{Prefix: "user:"})
		if err != nil || len(l.Keys) != 3 || !l.ListComplete || l.Keys[0].Name != "user:1" || l.Keys[2].Name != "user:2" {
			t.Fatalf("prefix list = %+v, %v", l, err)
		}
		l, _ = s.List(ctx, "ns", kv.ListOptions{Prefix: "a\xff"})
		if len(l.Keys) != 1 {
			t.Fatalf("prefix a\\xff = %+v", l.Keys)
		}
		l, _ = s.List(ctx, "empty", kv.ListOptions{})
		if l.Keys == nil || len(l.Keys) != 0 || !l.ListComplete {
			t.Fatalf("empty list = %#v", l)
		}
		// Exactly limit keys left: complete, no cursor.
		l, _ = s.List(ctx, "ns", kv.ListOptions{Prefix: "user:", Limit: 3})
		if !l.ListComplete {
			t.Fatalf("exact page not complete: %+v", l)
		}
	})

	t.Run("ListDefaultLimit", func(t *testing.T) {
		s, _ := fresh(t)
		for i := range kv.MaxListLimit + 5 {
			put(t, s, "ns", fmt.Sprintf("k%05d", i), "v", kv.PutOptions{})
		}
		l, err := s.List(ctx, "ns", kv.ListOptions{})
		if err != nil || len(l.Keys) != kv.MaxListLimit || l.ListComplete || l.Cursor == "" {
			t.Fatalf("first page: %d keys, complete %v, %v", len(l.Keys), l.ListComplete, err)
		}
		l, err = s.List(ctx, "ns", kv.ListOptions{Cursor: l.Cursor})
		if err != nil || len(l.Keys) != 5 || !l.ListComplete || l.Keys[0].Name != "k01000" {
			t.Fatalf("second page: %+v, %v", l, err)
		}
	})

	t.Run("BulkGet", func(t *testing.T) {
		s, _ := fresh(t)
		put(t, s, "ns", "a", "1", kv.PutOptions{Metadata: json.RawMessage(`{"m":true}`)})
		put(t, s, "ns", "b", "2", kv.PutOptions{})
		m, err := s.GetMany(ctx, "ns", []string{"a", "b", "c"})
		if err != nil || len(m) != 2 || string(m["a"].Value) != "1" || string(m["a"].Metadata) != `{"m":true}` || string(m["b"].Value) != "2" {
			t.Fatalf("bulk = %v, %v", m, err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s, _ := fresh(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					k := fmt.Sprintf("w%d-%d", w, i)
					if err := s.Put(ctx, "ns", k, strings.NewReader(k), kv.PutOptions{}); err != nil {
						errs <- err
						return
					}
					if e, err := s.Get(ctx, "ns", k); err != nil || string(e.Value) != k {
						errs <- fmt.Errorf("read-your-write %s: %q %v", k, e.Value, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("Namespaces", func(t *testing.T) {
		s, _ := fresh(t)
		nss, ok := s.(kv.Namespaces)
		if !ok {
			t.Skip("store does not manage namespaces")
		}
		a, err := nss.CreateNamespace(ctx, "", "alpha")
		if err != nil || len(a.ID) != 32 {
			t.Fatalf("create = %+v, %v", a, err)
		}
		if _, err := nss.CreateNamespace(ctx, "", "alpha"); !errors.Is(err, kv.ErrNamespaceExists) {
			t.Fatalf("duplicate title: %v", err)
		}
		if _, err := nss.CreateNamespace(ctx, "fixed", "beta"); err != nil {
			t.Fatal(err)
		}
		list, err := nss.ListNamespaces(ctx)
		if err != nil || len(list) != 2 || list[0].Title != "alpha" || list[1].ID != "fixed" {
			t.Fatalf("list = %+v, %v", list, err)
		}
		put(t, s, "fixed", "k", "v", kv.PutOptions{})
		if err := nss.DeleteNamespace(ctx, "fixed"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "fixed", "k"); !errors.Is(err, kv.ErrNotFound) {
			t.Fatalf("data survived namespace delete: %v", err)
		}
		if err := nss.DeleteNamespace(ctx, "fixed"); !errors.Is(err, kv.ErrNamespaceNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
