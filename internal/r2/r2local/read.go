package r2local

import (
	"context"
	"fmt"
	"sync"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Object lookups for Get go through low-level read-only connections
// (sqlitedb.Conn) rather than database/sql: a Get is one primary-key
// lookup, and database/sql's per-query machinery (a goroutine watching the
// context, driver value conversion, Rows) cost about as much as SQLite's
// own work on small objects. The connections are pooled; each is used by
// one Get at a time.

// maxIdleReaders bounds the connections kept between Gets; bursts open more
// and close them afterwards. Opening one costs far more than a lookup, so
// the bound is set above the concurrency of a busy server (an S3 client
// with 32 connections keeps up to 32 Gets in flight), not at the CPU count.
const maxIdleReaders = 64

type readers struct {
	mu     sync.Mutex
	idle   []*sqlitedb.Conn
	closed bool
}

// readerConn returns an idle read connection or opens one.
func (s *Store) readerConn() (*sqlitedb.Conn, error) {
	s.readers.mu.Lock()
	if n := len(s.readers.idle); n > 0 {
		c := s.readers.idle[n-1]
		s.readers.idle = s.readers.idle[:n-1]
		s.readers.mu.Unlock()
		return c, nil
	}
	closed := s.readers.closed
	s.readers.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	c, err := sqlitedb.OpenConn(s.db.Path(), nil)
	if err != nil {
		return nil, err
	}
	if err := c.Exec(context.Background(), "PRAGMA query_only = 1"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// releaseReader returns c to the pool, or closes it.
func (s *Store) releaseReader(c *sqlitedb.Conn) {
	s.readers.mu.Lock()
	if !s.readers.closed && len(s.readers.idle) < maxIdleReaders {
		s.readers.idle = append(s.readers.idle, c)
		s.readers.mu.Unlock()
		return
	}
	s.readers.mu.Unlock()
	c.Close()
}

// closeReaders closes the idle connections; those in use close when
// released.
func (s *Store) closeReaders() {
	s.readers.mu.Lock()
	idle := s.readers.idle
	s.readers.idle, s.readers.closed = nil, true
	s.readers.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
}

// lookup returns the object bucket/key with its blob id and, when withData
// is set and the body is inline, its bytes (owned by the caller). A missing
// object is r2.ErrNoSuchKey.
func (s *Store) lookup(bucket, key string, withData bool) (r2.Object, string, []byte, error) {
	c, err := s.readerConn()
	if err != nil {
		return r2.Object{}, "", nil, err
	}
	defer s.releaseReader(c)
	q, cols := headSQL, 10
	if withData {
		q, cols = getSQL, 11
	}
	st, _, err := c.PrepareCached(q)
	if err != nil {
		return r2.Object{}, "", nil, err
	}
	defer st.Close() // resets it and returns it to the connection's cache
	if err := st.Bind(bucket, []byte(key)); err != nil {
		return r2.Object{}, "", nil, err
	}
	ok, err := st.Step()
	if err != nil {
		return r2.Object{}, "", nil, err
	}
	if !ok {
		return r2.Object{}, "", nil, r2.ErrNoSuchKey
	}
	row := st.Row()
	var o r2.Object
	var k, data []byte
	var blob, hm, cm, cs string
	var ms int64
	okTypes := len(row) == cols
	text := func(i int, dst *string) {
		if v, ok := row[i].(string); ok {
			*dst = v
		} else {
			okTypes = false
		}
	}
	if okTypes {
		switch v := row[0].(type) {
		case []byte:
			k = v
		case string:
			k = []byte(v)
		default:
			okTypes = false
		}
		text(1, &o.Version)
		text(2, &blob)
		o.Size, _ = row[3].(int64)
		text(4, &o.ETag)
		ms, _ = row[5].(int64)
		text(6, &hm)
		text(7, &cm)
		text(8, &cs)
		text(9, &o.StorageClass)
		if withData {
			switch v := row[10].(type) {
			case []byte:
				data = v
			case nil:
			default:
				okTypes = false
			}
		}
	}
	if !okTypes {
		return r2.Object{}, "", nil, fmt.Errorf("row of %q has unexpected column types; the metadata database is damaged", key)
	}
	if err := finishObject(&o, k, ms, hm, cm, cs); err != nil {
		return r2.Object{}, "", nil, err
	}
	return o, blob, data, nil
}
