package webapi

import (
	"container/list"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
)

// CacheStore keeps the responses of the Cache API (caches.default and
// caches.open(name)). Entries are whole responses with an expiry; the
// JavaScript side decides what may be stored and for how long, following
// Cloudflare's rules (js/cache.js). Implementations are safe for concurrent
// use by many runtimes.
type CacheStore interface {
	// Get returns the entry stored under cache and key, if it has not
	// expired.
	Get(cache, key string) (CacheEntry, bool)
	// Put stores an entry, replacing any under the same key.
	Put(cache, key string, e CacheEntry)
	// Delete removes an entry and reports whether one existed.
	Delete(cache, key string) bool
}

// CacheEntry is one cached response.
type CacheEntry struct {
	Status  int
	Headers string // the prelude's wire form: "name\nvalue\n"…
	Body    []byte
	Expires time.Time
}

// MemoryCache is a [CacheStore] in memory, bounded in bytes, evicting the
// least recently used entries first. The zero value is not usable; use
// [NewMemoryCache].
type MemoryCache struct {
	mu    sync.Mutex
	max   int
	size  int
	lru   *list.List
	items map[[2]string]*list.Element
	now   func() time.Time
}

type memItem struct {
	k [2]string
	e CacheEntry
}

// NewMemoryCache returns a cache holding at most maxBytes of bodies and
// headers.
func NewMemoryCache(maxBytes int) *MemoryCache {
	return &MemoryCache{max: maxBytes, lru: list.New(), items: map[[2]string]*list.Element{}, now: time.Now}
}

func entrySize(k [2]string, e CacheEntry) int {
	return len(e.Body) + len(e.Headers) + len(k[0]) + len(k[1]) + 64
}

// Get implements [CacheStore].
func (m *MemoryCache) Get(cache, key string) (CacheEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[[2]string{cache, key}]
	if !ok {
		return CacheEntry{}, false
	}
	it := el.Value.(*memItem)
	if !m.now().Before(it.e.Expires) {
		m.remove(el)
		return CacheEntry{}, false
	}
	m.lru.MoveToFront(el)
	return it.e, true
}

// Put implements [CacheStore]. An entry larger than the whole cache is not
// stored.
func (m *MemoryCache) Put(cache, key string, e CacheEntry) {
	k := [2]string{cache, key}
	sz := entrySize(k, e)
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[k]; ok {
		m.remove(el)
	}
	if sz > m.max {
		return
	}
	for m.size+sz > m.max && m.lru.Len() > 0 {
		m.remove(m.lru.Back())
	}
	m.items[k] = m.lru.PushFront(&memItem{k, e})
	m.size += sz
}

// Delete implements [CacheStore].
func (m *MemoryCache) Delete(cache, key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[[2]string{cache, key}]
	if !ok {
		return false
	}
	expired := !m.now().Before(el.Value.(*memItem).e.Expires)
	m.remove(el)
	return !expired
}

func (m *MemoryCache) remove(el *list.Element) {
	it := el.Value.(*memItem)
	m.lru.Remove(el)
	delete(m.items, it.k)
	m.size -= entrySize(it.k, it.e)
}

var _ CacheStore = (*MemoryCache)(nil)

// defaultCache serves runtimes whose Options name no CacheStore.
var defaultCache = NewMemoryCache(256 << 20)

// installCache defines the host functions of js/cache.js:
// cacheGet(cache, key) → [status, headers, bodyReaderId] or null (JSON);
// cachePut(cache, key, status, headers, ttlSeconds, sab, n);
// cacheDelete(cache, key) → boolean.
func installCache(r *Runtime) {
	store := r.opts.Cache
	if store == nil {
		store = defaultCache
	}
	r.Func("cacheGet", func(c *v8.Call) (any, error) {
		e, ok := store.Get(c.String(0), c.String(1))
		if !ok {
			return nil, nil
		}
		id := r.AddReader(&bytesReader{b: e.Body, r: bytesNewReader(e.Body)})
		return itoa(e.Status) + "\n" + itoa(id) + "\n" + e.Headers, nil
	})
	r.Func("cachePut", func(c *v8.Call) (any, error) {
		body, err := c.Bytes(5, int(c.Int(6)))
		if err != nil {
			return nil, err
		}
		ttl := time.Duration(c.Float(4) * float64(time.Second))
		store.Put(c.String(0), c.String(1), CacheEntry{
			Status:  int(c.Int(2)),
			Headers: c.String(3),
			Body:    body,
			Expires: time.Now().Add(ttl),
		})
		return nil, nil
	})
	r.Func("cacheDelete", func(c *v8.Call) (any, error) {
		return store.Delete(c.String(0), c.String(1)), nil
	})
}
