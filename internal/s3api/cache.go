package s3api

import (
	"context"
	"sync"
	"time"
)

// cacheTTL is how long access keys and bucket existence are remembered.
// A key revoked, or a bucket deleted, by another process (the CLI) is
// therefore refused within cacheTTL; changes made through this Handler
// take effect at once.
const cacheTTL = time.Second

type cached[T any] struct {
	v       T
	expires time.Time
}

// ttlCache is a small map of values that expire after cacheTTL.
type ttlCache[T any] struct {
	mu sync.Mutex
	m  map[string]cached[T]
}

func (c *ttlCache[T]) get(k string, now time.Time) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.After(e.expires) {
		var zero T
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[T]) put(k string, v T, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cached[T]{}
	}
	c.m[k] = cached[T]{v, now.Add(cacheTTL)}
}

func (c *ttlCache[T]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

func (c *ttlCache[T]) drop(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// lookupKey returns a key from the credential source, remembering found
// keys for cacheTTL.
func (h *Handler) lookupKey(ctx context.Context, id string) (AccessKey, error) {
	now := time.Now()
	if g, ok := h.creds.(interface{ Generation() uint64 }); ok {
		if gen := g.Generation(); gen != h.keysGen.Load() {
			h.keys.clear()
			h.keysGen.Store(gen)
		}
	}
	if k, ok := h.keys.get(id, now); ok {
		return k, nil
	}
	k, err := h.creds.LookupKey(ctx, id)
	if err != nil {
		return AccessKey{}, err
	}
	h.keys.put(id, k, now)
	return k, nil
}
