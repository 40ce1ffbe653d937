package r2local

import (
	"bytes"
	"container/list"
	"io"
	"os"
	"sync"
)

// SmallBody is the largest body (the object, or the range asked for) that
// [Store.Get] returns in memory: the file is opened, read and closed within
// the call (or not opened at all, see below), so such a body holds no file
// descriptor and reading it makes no system call. Larger bodies stream from
// the open file.
//
// Objects of up to SmallBody bytes are also kept in a cache of at most
// smallCacheBytes, by blob: a blob's bytes never change once written (a put
// writes a new blob), so a cached blob is valid for as long as a metadata
// row names it, and the store drops it when it removes the blob.
const SmallBody = 64 << 10

// smallCacheBytes bounds the bytes held by a Store's small-blob cache.
const smallCacheBytes = 16 << 20

// readWhole reads n bytes at off from f and closes f. A file shorter than
// n bytes (a blob truncated behind the store's back) is an error, as it is
// for a streamed body that ends early.
func readWhole(f *os.File, off, n int64) ([]byte, error) {
	defer f.Close()
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	if m, err := f.ReadAt(b, off); m < len(b) {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}

// bytesBody is a body held in memory. Besides io.ReadCloser it has Size
// (the bytes still to read), Bytes (the whole body, for callers that want
// it without a copy; it must not be modified) and WriteTo.
type bytesBody struct {
	b []byte
	r bytes.Reader
}

func newBytesBody(b []byte) *bytesBody {
	bb := &bytesBody{b: b}
	bb.r.Reset(b)
	return bb
}

func (b *bytesBody) Read(p []byte) (int, error)         { return b.r.Read(p) }
func (b *bytesBody) Close() error                       { return nil }
func (b *bytesBody) Size() int64                        { return int64(b.r.Len()) }
func (b *bytesBody) Bytes() []byte                      { return b.b }
func (b *bytesBody) WriteTo(w io.Writer) (int64, error) { return b.r.WriteTo(w) }

// blobCache is a least-recently-used cache of whole small blobs by blob id,
// holding at most max bytes. It is safe for concurrent use. Cached slices
// are shared and must not be modified.
type blobCache struct {
	mu   sync.Mutex
	max  int64
	size int64
	m    map[string]*list.Element // blob id → element holding *blobEntry
	lru  list.List                // front: most recently used
}

type blobEntry struct {
	id string
	b  []byte
}

func newBlobCache(max int64) blobCache {
	return blobCache{max: max, m: map[string]*list.Element{}}
}

func (c *blobCache) get(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*blobEntry).b, true
}

// put caches blob id's bytes b, evicting the least recently used blobs
// beyond max. A blob removed while it was being read may be put after its
// drop; no metadata row names it any more (ids are random and never
// reused), so it is never served and ages out.
func (c *blobCache) put(id string, b []byte) {
	if int64(len(b)) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		c.lru.MoveToFront(e)
		return
	}
	c.m[id] = c.lru.PushFront(&blobEntry{id, b})
	c.size += int64(len(b))
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// drop forgets blob id.
func (c *blobCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		c.remove(e)
	}
}

func (c *blobCache) remove(e *list.Element) {
	be := c.lru.Remove(e).(*blobEntry)
	delete(c.m, be.id)
	c.size -= int64(len(be.b))
}
