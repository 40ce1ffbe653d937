package webapi

import (
	"testing"
	"time"
)

func TestMemoryCacheEvictsAndExpires(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemoryCache(3000)
	m.now = func() time.Time { return now }
	e := func(n int) CacheEntry {
		return CacheEntry{Status: 200, Body: make([]byte, n), Expires: now.Add(time.Minute)}
	}
	m.Put("", "a", e(1000))
	m.Put("", "b", e(1000))
	if _, ok := m.Get("", "a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	m.Put("", "c", e(1000)) // evicts b, the least recently used
	if _, ok := m.Get("", "b"); ok {
		t.Fatal("b should have been evicted")
	}
	if _, ok := m.Get("", "a"); !ok {
		t.Fatal("a evicted instead of b")
	}
	m.Put("", "huge", e(5000))
	if _, ok := m.Get("", "huge"); ok {
		t.Fatal("an entry larger than the cache was stored")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := m.Get("", "a"); ok {
		t.Fatal("expired entry returned")
	}
	if m.Delete("", "c") {
		t.Fatal("deleting an expired entry reported true")
	}
	if m.size != 0 || m.lru.Len() != 0 {
		t.Fatalf("size %d, %d entries left", m.size, m.lru.Len())
	}
}
