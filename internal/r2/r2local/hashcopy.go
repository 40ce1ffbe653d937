package r2local

import (
	"io"
	"sync"
	"sync/atomic"
)

const (
	// copyBufSize is the size of each of the buffers CopyHashing cycles
	// through.
	copyBufSize = 256 << 10
	// copyBufs is how many buffers one copy has in flight (2 MiB): enough
	// for the reader, the hasher and the writer each to run ahead of the
	// others by a few.
	copyBufs = 8
)

// copyBufPool holds copyBufSize buffers.
var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, copyBufSize)
	return &b
}}

// piece is one buffer of a copy and the number of stages (hasher, writer)
// still using it.
type piece struct {
	b    *[]byte
	n    int
	refs atomic.Int32
}

// CopyHashing is the copy r2local stores bodies with (exported for the
// benchmarks that measure its ceiling: the same copy into io.Discard). It
// copies r to f until EOF and writes the same bytes, in order,
// to each hash in hs. Reading, hashing and writing run on three goroutines,
// so the copy takes about as long as the slowest of them (MD5, at ~750 MB/s
// per core here) rather than their sum: a 64 MiB S3 PUT went from 440-470
// to 530-560 MB/s when the writes left the reading goroutine. Every write to
// f but the last is a full copyBufSize buffer. It returns the bytes read
// and the first read or write error; after a write error it stops reading.
// The hashes have seen every byte read when it returns.
func CopyHashing(f io.Writer, r io.Reader, hs []io.Writer) (int64, error) {
	free := make(chan *piece, copyBufs)
	for range copyBufs {
		free <- &piece{b: copyBufPool.Get().(*[]byte)}
	}
	release := func(p *piece) {
		if p.refs.Add(-1) == 0 {
			free <- p
		}
	}
	stages := int32(1)
	if len(hs) > 0 {
		stages = 2
	}
	toHash := make(chan *piece, copyBufs)
	toWrite := make(chan *piece, copyBufs)
	var wg sync.WaitGroup
	if len(hs) > 0 {
		wg.Go(func() {
			for p := range toHash {
				for _, h := range hs {
					h.Write((*p.b)[:p.n]) // hash.Hash writes never fail
				}
				release(p)
			}
		})
	}
	var werr error // set by the writer; read after wg.Wait
	var failed atomic.Bool
	wg.Go(func() {
		for p := range toWrite {
			if werr == nil {
				if _, err := f.Write((*p.b)[:p.n]); err != nil {
					werr = err
					failed.Store(true)
				}
			}
			release(p)
		}
	})
	var n int64
	var rerr error
	for !failed.Load() {
		p := <-free
		m, err := io.ReadFull(r, *p.b)
		if m > 0 {
			n += int64(m)
			p.n = m
			p.refs.Store(stages)
			if len(hs) > 0 {
				toHash <- p
			}
			toWrite <- p
		} else {
			free <- p
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(toHash)
	close(toWrite)
	wg.Wait()
	for range copyBufs {
		copyBufPool.Put((<-free).b)
	}
	if rerr != nil {
		return n, rerr
	}
	return n, werr
}
