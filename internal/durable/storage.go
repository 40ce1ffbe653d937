package durable

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Storage is one object's transactional storage: the key-value API, the SQL
// API and the alarm, all in one SQLite database, as in Cloudflare's
// SQLite-backed Durable Objects (where key-value pairs live in the hidden
// table _cf_KV).
//
// Writes go into the transaction that [Storage.Begin] opens and
// [Storage.Commit] ends; the runtime opens one at the first write of an
// event turn and commits it before anything leaves the object (the output
// gate), which coalesces the writes of one turn into one atomic commit.
// Outside Begin/Commit every write commits on its own.
//
// A Storage is not safe for concurrent use. Close it when done.
type Storage struct {
	c       *sqlitedb.Conn
	tx      bool
	sp      int // savepoints open (storage.transaction nesting)
	onAlarm func(at int64, set bool)
	closed  bool
}

// Schema of the hidden tables. Values are the bytes of the runtime's
// structured serialization; keys sort by their UTF-8 bytes (BINARY
// collation), which is Cloudflare's list order.
const schema = `
CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
`

// OpenStorage opens (creating if needed) an object's database file. onAlarm,
// if not nil, is told of every alarm set (set true, at in Unix ms) or
// deleted, before the change commits; backends keep their alarm index with
// it.
func OpenStorage(path string, onAlarm func(at int64, set bool)) (*Storage, error) {
	c, err := sqlitedb.OpenConn(path, nil)
	if err != nil {
		return nil, fmt.Errorf("durable storage: %w", err)
	}
	if err := c.Exec(context.Background(), schema); err != nil {
		c.Close()
		return nil, fmt.Errorf("durable storage %s: %w", path, err)
	}
	return &Storage{c: c, onAlarm: onAlarm}, nil
}

// Close rolls back an open transaction and closes the database.
func (s *Storage) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.tx {
		s.c.Exec(context.Background(), "ROLLBACK")
	}
	return s.c.Close()
}

// Path returns the database file.
func (s *Storage) Path() string { return s.c.Path() }

// Begin opens the implicit transaction if none is open.
func (s *Storage) Begin() error {
	if s.tx {
		return nil
	}
	if err := s.c.Exec(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("durable begin: %w", err)
	}
	s.tx = true
	return nil
}

// InTransaction reports whether a transaction is open.
func (s *Storage) InTransaction() bool { return s.tx }

// Commit commits the open transaction (a no-op without one). Savepoints
// still open are committed with it.
func (s *Storage) Commit() error {
	if !s.tx {
		return nil
	}
	s.tx, s.sp = false, 0
	if err := s.c.Exec(context.Background(), "COMMIT"); err != nil {
		s.c.Exec(context.Background(), "ROLLBACK")
		return fmt.Errorf("durable commit: %w", err)
	}
	return nil
}

// Rollback abandons the open transaction (a no-op without one).
func (s *Storage) Rollback() error {
	if !s.tx {
		return nil
	}
	s.tx, s.sp = false, 0
	return s.c.Exec(context.Background(), "ROLLBACK")
}

// Savepoint starts a nested transaction (storage.transaction()), opening the
// implicit one first; it returns the nesting depth.
func (s *Storage) Savepoint() (int, error) {
	if err := s.Begin(); err != nil {
		return 0, err
	}
	s.sp++
	if err := s.c.Exec(context.Background(), fmt.Sprintf("SAVEPOINT _cf_sp%d", s.sp)); err != nil {
		s.sp--
		return 0, err
	}
	return s.sp, nil
}

// ReleaseSavepoint ends the nested transaction of depth n, keeping its
// writes (rollback false) or undoing them (rollback true).
func (s *Storage) ReleaseSavepoint(n int, rollback bool) error {
	if !s.tx || n != s.sp || n <= 0 {
		return errors.New("durable: transaction is not the innermost open one")
	}
	name := fmt.Sprintf("_cf_sp%d", n)
	var err error
	if rollback {
		err = s.c.Exec(context.Background(), "ROLLBACK TO "+name+"; RELEASE "+name)
	} else {
		err = s.c.Exec(context.Background(), "RELEASE "+name)
	}
	s.sp--
	return err
}

// Depth is the number of open savepoints.
func (s *Storage) Depth() int { return s.sp }

// write runs fn inside the open transaction, or in one of its own.
func (s *Storage) write(fn func() error) error {
	if s.tx {
		return fn()
	}
	if err := s.Begin(); err != nil {
		return err
	}
	if err := fn(); err != nil {
		s.Rollback()
		return err
	}
	return s.Commit()
}

// ValidateKey checks a key-value API key against Cloudflare's limit.
func ValidateKey(key string) error {
	if len(key) > MaxKeySize {
		return &LimitError{fmt.Sprintf("Keys cannot be larger than %d bytes. Key was %d bytes.", MaxKeySize, len(key))}
	}
	if !utf8.ValidString(key) {
		return &LimitError{"Keys must be valid UTF-8."}
	}
	return nil
}

// LimitError is input Cloudflare's storage refuses (a RangeError in
// JavaScript), with Cloudflare's text.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// Get returns the value stored under key, or ok false.
func (s *Storage) Get(key string) (value []byte, ok bool, err error) {
	if err := ValidateKey(key); err != nil {
		return nil, false, err
	}
	st, _, err := s.c.PrepareCached("SELECT value FROM _cf_KV WHERE key = ?")
	if err != nil {
		return nil, false, err
	}
	defer st.Close()
	if err := st.Bind(key); err != nil {
		return nil, false, err
	}
	has, err := st.Step()
	if err != nil || !has {
		return nil, false, err
	}
	v, _ := st.Row()[0].([]byte)
	if v == nil {
		v = []byte{}
	}
	return v, true, nil
}

// Put stores value under key.
func (s *Storage) Put(key string, value []byte) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if len(value) > MaxValueSize {
		return &LimitError{fmt.Sprintf("Values cannot be larger than %d bytes. A value of size %d was provided.", MaxValueSize, len(value))}
	}
	return s.write(func() error {
		st, _, err := s.c.PrepareCached("INSERT INTO _cf_KV (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
		if err != nil {
			return err
		}
		defer st.Close()
		if value == nil {
			value = []byte{}
		}
		if err := st.Bind(key, value); err != nil {
			return err
		}
		_, err = st.Step()
		return err
	})
}

// Delete removes key and reports whether it existed.
func (s *Storage) Delete(key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	var n int64
	err := s.write(func() error {
		st, _, err := s.c.PrepareCached("DELETE FROM _cf_KV WHERE key = ?")
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.Bind(key); err != nil {
			return err
		}
		if _, err := st.Step(); err != nil {
			return err
		}
		n = s.c.Changes()
		return nil
	})
	return n > 0, err
}

// DeleteAll removes every key-value pair and drops every SQL table, as
// deleteAll() does on a SQLite-backed object. Like Cloudflare's, it leaves
// the alarm alone (use DeleteAlarm).
func (s *Storage) DeleteAll() error {
	return s.write(func() error {
		tables, err := s.userTables()
		if err != nil {
			return err
		}
		stmts := []string{"DELETE FROM _cf_KV"}
		for _, t := range tables {
			stmts = append(stmts, `DROP TABLE IF EXISTS "`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
		for _, q := range stmts {
			if err := s.c.Exec(context.Background(), q); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Storage) userTables() ([]string, error) {
	st, _, err := s.c.Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []string
	for {
		ok, err := st.Step()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, st.Row()[0].(string))
	}
}

// Tables lists the object's SQL tables (not the hidden _cf_ ones).
func (s *Storage) Tables() ([]string, error) { return s.userTables() }

// ListOptions are list()'s options. Start is inclusive, End exclusive;
// StartAfter, when set, excludes itself and wins over Start. Limit <= 0 means
// no limit.
type ListOptions struct {
	Start, StartAfter, End, Prefix string
	Reverse                        bool
	Limit                          int
}

// Entry is one key-value pair.
type Entry struct {
	Key   string
	Value []byte
}

// List returns the pairs in key order (reversed with Reverse), at most
// Limit, stopping early when the returned values pass maxBytes (0: no
// bound); more reports that it stopped early for that reason.
func (s *Storage) List(o ListOptions, maxBytes int) (entries []Entry, more bool, err error) {
	var where []string
	var args []any
	if o.StartAfter != "" {
		where = append(where, "key > ?")
		args = append(args, o.StartAfter)
	} else if o.Start != "" {
		where = append(where, "key >= ?")
		args = append(args, o.Start)
	}
	if o.End != "" {
		where = append(where, "key < ?")
		args = append(args, o.End)
	}
	if o.Prefix != "" {
		where = append(where, "substr(key, 1, ?) = ?")
		args = append(args, int64(len([]rune(o.Prefix))), o.Prefix)
	}
	q := "SELECT key, value FROM _cf_KV"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY key"
	if o.Reverse {
		q += " DESC"
	}
	if o.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", o.Limit)
	}
	st, _, err := s.c.PrepareCached(q)
	if err != nil {
		return nil, false, err
	}
	defer st.Close()
	if err := st.Bind(args...); err != nil {
		return nil, false, err
	}
	size := 0
	for {
		ok, err := st.Step()
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return entries, false, nil
		}
		row := st.Row()
		v, _ := row[1].([]byte)
		k, _ := row[0].(string)
		size += len(v) + len(k) + 8
		if maxBytes > 0 && size > maxBytes && len(entries) > 0 {
			return entries, true, nil
		}
		entries = append(entries, Entry{Key: k, Value: v})
	}
}

// GetAlarm returns the scheduled alarm time in Unix milliseconds, or ok
// false when none is set.
func (s *Storage) GetAlarm() (at int64, ok bool, err error) {
	st, _, err := s.c.PrepareCached("SELECT value FROM _cf_METADATA WHERE key = 'alarm'")
	if err != nil {
		return 0, false, err
	}
	defer st.Close()
	has, err := st.Step()
	if err != nil || !has {
		return 0, false, err
	}
	switch v := st.Row()[0].(type) {
	case int64:
		return v, true, nil
	case float64:
		return int64(v), true, nil
	}
	return 0, false, nil
}

// SetAlarm schedules the object's one alarm at Unix milliseconds at,
// replacing any other.
func (s *Storage) SetAlarm(at int64) error {
	return s.write(func() error {
		st, _, err := s.c.PrepareCached("INSERT INTO _cf_METADATA (key, value) VALUES ('alarm', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.Bind(at); err != nil {
			return err
		}
		if _, err := st.Step(); err != nil {
			return err
		}
		if s.onAlarm != nil {
			s.onAlarm(at, true)
		}
		return nil
	})
}

// DeleteAlarm cancels the alarm, if any.
func (s *Storage) DeleteAlarm() error {
	return s.write(func() error {
		if err := s.c.Exec(context.Background(), "DELETE FROM _cf_METADATA WHERE key = 'alarm'"); err != nil {
			return err
		}
		if s.onAlarm != nil {
			s.onAlarm(0, false)
		}
		return nil
	})
}

// DatabaseSize is the size of the database in bytes (page count × page
// size), as sql.databaseSize reports it.
func (s *Storage) DatabaseSize() int64 {
	var n, size int64
	if st, _, err := s.c.PrepareCached("PRAGMA page_count"); err == nil {
		if ok, _ := st.Step(); ok {
			n, _ = st.Row()[0].(int64)
		}
		st.Close()
	}
	if st, _, err := s.c.PrepareCached("PRAGMA page_size"); err == nil {
		if ok, _ := st.Step(); ok {
			size, _ = st.Row()[0].(int64)
		}
		st.Close()
	}
	return n * size
}

// FileSize returns the size of the database file and its WAL on disk.
func FileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}
