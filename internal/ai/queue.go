package ai

import (
	"context"
	"io"
	"sync"
)

// eventQueue is the stream of a streaming generation: the generator
// appends events without waiting for the reader (so a stream nobody reads
// still finishes and frees its provider slot; its size is bounded by
// max_tokens), and Read returns whatever has arrived, blocking only when
// nothing has. Closing the reader cancels the generation.
type eventQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	off    int
	err    error // set once the writer is done (io.EOF on success)
	cancel context.CancelFunc
	closed bool
}

func newEventQueue(cancel context.CancelFunc) *eventQueue {
	q := &eventQueue{cancel: cancel}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// write appends b; it fails once the reader has closed.
func (q *eventQueue) write(b []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return io.ErrClosedPipe
	}
	if q.off > 0 && q.off == len(q.buf) {
		q.buf, q.off = q.buf[:0], 0
	}
	q.buf = append(q.buf, b...)
	q.cond.Signal()
	return nil
}

// finish ends the stream with err (nil = success).
func (q *eventQueue) finish(err error) {
	if err == nil {
		err = io.EOF
	}
	q.mu.Lock()
	q.err = err
	q.cond.Broadcast()
	q.mu.Unlock()
}

// Read returns the events that have arrived, waiting for one if none has.
func (q *eventQueue) Read(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.off == len(q.buf) && q.err == nil && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return 0, io.ErrClosedPipe
	}
	if q.off < len(q.buf) {
		n := copy(p, q.buf[q.off:])
		q.off += n
		return n, nil
	}
	return 0, q.err
}

// Close stops the generation and discards what is left.
func (q *eventQueue) Close() error {
	q.mu.Lock()
	q.closed = true
	q.buf = nil
	q.cond.Broadcast()
	q.mu.Unlock()
	q.cancel()
	return nil
}

// Live tells the runtime (webapi.Live) that each Read returns what has
// arrived so far, so that events are handed on one by one.
func (q *eventQueue) Live() {}
