package sqlitedb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Conn is one low-level SQLite connection that bypasses database/sql, for
// services that need what database/sql hides: values exactly as stored
// (database/sql's driver turns TEXT in DATETIME columns into time.Time),
// sqlite3_changes, sqlite3_stmt_readonly, statement status counters and
// statement tails. D1 and Durable Objects' SQL storage use it.
//
// A Conn is not safe for concurrent use; its owner serializes calls. It opens
// the file with the same pragmas as [Open].
type Conn struct {
	tls   *libc.TLS
	db    uintptr
	path  string
	cache map[string]*Stmt
}

// Error is an error reported by SQLite through a [Conn].
type Error struct {
	Code int    // extended result code
	Msg  string // sqlite3_errmsg
}

func (e *Error) Error() string { return "sqlite: " + e.Msg + ": " + PrimaryCodeName(e.Code) }

// OpenConn opens (creating if needed) the database file at path with WAL,
// busy_timeout, the chosen synchronous level and foreign keys on.
func OpenConn(path string, opts *Options) (*Conn, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5e9
	}
	c := &Conn{tls: libc.NewTLS(), path: path, cache: map[string]*Stmt{}}
	name, err := c.cstring(path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	pp := c.tls.Alloc(8)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, pp, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_FULLMUTEX, 0)
	c.db = readPtr(pp)
	c.tls.Free(8)
	libc.Xfree(c.tls, name)
	if rc != sqlite3.SQLITE_OK {
		err := c.err(rc)
		c.Close()
		return nil, fmt.Errorf("sqlitedb open %s: %w", path, err)
	}
	sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
	syncLevel := "NORMAL"
	if o.Sync == SyncFull {
		syncLevel = "FULL"
	}
	pragmas := fmt.Sprintf("PRAGMA busy_timeout=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;",
		o.BusyTimeout.Milliseconds(), syncLevel)
	if err := c.Exec(context.Background(), pragmas); err != nil {
		c.Close()
		return nil, fmt.Errorf("sqlitedb open %s: %w", path, err)
	}
	return c, nil
}

// Path returns the file name the connection was opened with.
func (c *Conn) Path() string { return c.path }

// Close finalizes cached statements and closes the connection.
func (c *Conn) Close() error {
	var err error
	for _, s := range c.cache {
		s.finalize()
	}
	c.cache = nil
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.err(rc)
		}
		c.db = 0
	}
	if c.tls != nil {
		c.tls.Close()
		c.tls = nil
	}
	return err
}

// Interrupt makes the statement running on c (if any) stop with
// SQLITE_INTERRUPT. Unlike every other method it may be called from any
// goroutine while c is in use, but not after Close.
func (c *Conn) Interrupt() {
	tls := libc.NewTLS()
	sqlite3.Xsqlite3_interrupt(tls, c.db)
	tls.Close()
}

// Limit categories for [Conn.SetLimit].
const (
	LimitLength         = sqlite3.SQLITE_LIMIT_LENGTH          // bytes in a string, BLOB or row
	LimitSQLLength      = sqlite3.SQLITE_LIMIT_SQL_LENGTH      // bytes of SQL text
	LimitColumn         = sqlite3.SQLITE_LIMIT_COLUMN          // columns in a table, index, result
	LimitVariableNumber = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER // highest parameter index
)

// SetLimit sets a run-time limit (sqlite3_limit) and returns the old value.
func (c *Conn) SetLimit(id, value int) int {
	return int(sqlite3.Xsqlite3_limit(c.tls, c.db, int32(id), int32(value)))
}

// Changes returns sqlite3_changes64: rows changed by the last INSERT, UPDATE
// or DELETE (not counting triggers).
func (c *Conn) Changes() int64 { return int64(sqlite3.Xsqlite3_changes64(c.tls, c.db)) }

// TotalChanges returns sqlite3_total_changes64 (triggers included).
func (c *Conn) TotalChanges() int64 { return int64(sqlite3.Xsqlite3_total_changes64(c.tls, c.db)) }

// LastInsertRowID returns sqlite3_last_insert_rowid.
func (c *Conn) LastInsertRowID() int64 { return int64(sqlite3.Xsqlite3_last_insert_rowid(c.tls, c.db)) }

// InTransaction reports whether an explicit transaction is open.
func (c *Conn) InTransaction() bool { return sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) == 0 }

// Exec runs every statement of sql (separated by semicolons), without
// parameters, discarding rows. It stops at the first error.
func (c *Conn) Exec(ctx context.Context, sql string) error {
	if strings.IndexByte(sql, 0) >= 0 {
		return errors.New("SQL text contains a NUL byte")
	}
	for strings.TrimSpace(sql) != "" {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, tail, err := c.Prepare(sql)
		if err != nil {
			return err
		}
		if len(tail) >= len(sql) { // no progress: never loop forever
			if s != nil {
				s.Close()
			}
			return errors.New("SQL text could not be parsed past " + strconv.Quote(truncate(sql, 40)))
		}
		sql = tail
		if s == nil {
			continue
		}
		for {
			ok, err := s.Step()
			if err != nil {
				s.Close()
				return err
			}
			if !ok {
				break
			}
		}
		s.Close()
	}
	return nil
}

// Stmt is a prepared statement of a [Conn].
type Stmt struct {
	c      *Conn
	p      uintptr
	sql    string
	cached bool
	cols   []string
}

// Prepare compiles the first statement of sql and returns it with the rest of
// sql. s is nil when sql holds only whitespace or comments. The caller must
// Close s.
func (c *Conn) Prepare(sql string) (s *Stmt, tail string, err error) {
	z, err := c.cstring(sql)
	if err != nil {
		return nil, "", err
	}
	defer libc.Xfree(c.tls, z)
	pp := c.tls.Alloc(16)
	defer c.tls.Free(16)
	rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, z, int32(len(sql)), pp, pp+8)
	if rc != sqlite3.SQLITE_OK {
		return nil, "", c.err(rc)
	}
	p := readPtr(pp)
	consumed := int(readPtr(pp+8) - z)
	if consumed < 0 || consumed > len(sql) {
		consumed = len(sql)
	}
	tail = sql[consumed:]
	if p == 0 {
		return nil, tail, nil
	}
	return &Stmt{c: c, p: p, sql: sql[:consumed]}, tail, nil
}

// PrepareCached is like Prepare for a single statement, but reuses a
// statement compiled earlier for the same text. Close returns it to the cache.
func (c *Conn) PrepareCached(sql string) (s *Stmt, tail string, err error) {
	if s := c.cache[sql]; s != nil {
		delete(c.cache, sql)
		return s, "", nil
	}
	s, tail, err = c.Prepare(sql)
	if s != nil && strings.TrimSpace(tail) == "" {
		s.cached = true
		s.sql = sql
	}
	return s, tail, err
}

// SQL returns the text of the statement.
func (s *Stmt) SQL() string { return s.sql }

// Close resets the statement and returns it to the cache, or finalizes it.
func (s *Stmt) Close() {
	if s.p == 0 {
		return
	}
	if s.cached && s.c.cache != nil {
		sqlite3.Xsqlite3_reset(s.c.tls, s.p)
		sqlite3.Xsqlite3_clear_bindings(s.c.tls, s.p)
		if len(s.c.cache) >= 256 {
			for k, o := range s.c.cache {
				o.finalize()
				delete(s.c.cache, k)
			}
		}
		if old := s.c.cache[s.sql]; old != nil {
			old.finalize()
		}
		s.c.cache[s.sql] = s
		return
	}
	s.finalize()
}

func (s *Stmt) finalize() {
	if s.p != 0 {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
		s.p = 0
	}
}

// ParamCount returns the number of parameters the statement takes.
func (s *Stmt) ParamCount() int { return int(sqlite3.Xsqlite3_bind_parameter_count(s.c.tls, s.p)) }

// Readonly reports whether the statement makes no direct changes to the
// database file (sqlite3_stmt_readonly).
func (s *Stmt) Readonly() bool { return sqlite3.Xsqlite3_stmt_readonly(s.c.tls, s.p) != 0 }

// Status counters for [Stmt.Status].
const (
	StatusFullscanStep = sqlite3.SQLITE_STMTSTATUS_FULLSCAN_STEP
	StatusSort         = sqlite3.SQLITE_STMTSTATUS_SORT
	StatusVMStep       = sqlite3.SQLITE_STMTSTATUS_VM_STEP
)

// Status returns a sqlite3_stmt_status counter.
func (s *Stmt) Status(op int) int {
	return int(sqlite3.Xsqlite3_stmt_status(s.c.tls, s.p, int32(op), 0))
}

// ErrUnsupportedType is returned by Bind for a Go value with no SQLite type.
var ErrUnsupportedType = errors.New("sqlitedb: unsupported parameter type")

// Bind binds args to parameters 1..len(args). Supported: nil, int64, int,
// float64, string, []byte, bool (1/0).
func (s *Stmt) Bind(args ...any) error {
	t := s.c.tls
	for i, a := range args {
		n := int32(i + 1)
		var rc int32
		switch v := a.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(t, s.p, n)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(t, s.p, n, v)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(t, s.p, n, int64(v))
		case bool:
			b := int64(0)
			if v {
				b = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(t, s.p, n, b)
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(t, s.p, n, v)
		case string:
			p, err := s.c.cbytes([]byte(v))
			if err != nil {
				return err
			}
			rc = sqlite3.Xsqlite3_bind_text(t, s.p, n, p, int32(len(v)), ^uintptr(0))
			libc.Xfree(t, p)
		case []byte:
			if len(v) == 0 {
				rc = sqlite3.Xsqlite3_bind_zeroblob(t, s.p, n, 0)
				break
			}
			p, err := s.c.cbytes(v)
			if err != nil {
				return err
			}
			rc = sqlite3.Xsqlite3_bind_blob(t, s.p, n, p, int32(len(v)), ^uintptr(0))
			libc.Xfree(t, p)
		default:
			return fmt.Errorf("%w %T", ErrUnsupportedType, a)
		}
		if rc != sqlite3.SQLITE_OK {
			return s.c.err(rc)
		}
	}
	return nil
}

// Step advances the statement: true when a row is available, false when done.
func (s *Stmt) Step() (bool, error) {
	switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.p); rc {
	case sqlite3.SQLITE_ROW:
		return true, nil
	case sqlite3.SQLITE_DONE:
		return false, nil
	default:
		err := s.c.err(rc)
		sqlite3.Xsqlite3_reset(s.c.tls, s.p)
		return false, err
	}
}

// Columns returns the result column names.
func (s *Stmt) Columns() []string {
	if s.cols == nil {
		n := int(sqlite3.Xsqlite3_column_count(s.c.tls, s.p))
		s.cols = make([]string, n)
		for i := range n {
			s.cols[i] = libc.GoString(sqlite3.Xsqlite3_column_name(s.c.tls, s.p, int32(i)))
		}
	}
	return s.cols
}

// Row returns the current row's values as stored: nil, int64, float64,
// string or []byte.
func (s *Stmt) Row() []any {
	t := s.c.tls
	n := int(sqlite3.Xsqlite3_column_count(t, s.p))
	row := make([]any, n)
	for i := range n {
		c := int32(i)
		switch sqlite3.Xsqlite3_column_type(t, s.p, c) {
		case sqlite3.SQLITE_INTEGER:
			row[i] = int64(sqlite3.Xsqlite3_column_int64(t, s.p, c))
		case sqlite3.SQLITE_FLOAT:
			row[i] = float64(sqlite3.Xsqlite3_column_double(t, s.p, c))
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_column_text(t, s.p, c)
			l := int(sqlite3.Xsqlite3_column_bytes(t, s.p, c))
			row[i] = string(libc.GoBytes(p, l))
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_column_blob(t, s.p, c)
			l := int(sqlite3.Xsqlite3_column_bytes(t, s.p, c))
			b := make([]byte, l)
			if l > 0 {
				copy(b, libc.GoBytes(p, l))
			}
			row[i] = b
		default:
			row[i] = nil
		}
	}
	return row
}

func (c *Conn) err(rc int32) error {
	msg := ""
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
		if ext := sqlite3.Xsqlite3_extended_errcode(c.tls, c.db); ext&0xff == rc&0xff {
			rc = ext
		}
	}
	if msg == "" {
		msg = libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	}
	return &Error{Code: int(rc), Msg: msg}
}

// cstring copies s into C memory with a NUL terminator; free with libc.Xfree.
func (c *Conn) cstring(s string) (uintptr, error) {
	p := libc.Xmalloc(c.tls, uint64(len(s)+1))
	if p == 0 {
		return 0, errors.New("sqlitedb: out of memory")
	}
	dst := unsafe.Slice((*byte)(toPtr(p)), len(s)+1)
	copy(dst, s)
	dst[len(s)] = 0
	return p, nil
}

// cbytes copies b into C memory; free with libc.Xfree.
func (c *Conn) cbytes(b []byte) (uintptr, error) {
	if len(b) > math.MaxInt32 {
		return 0, &Error{Code: sqlite3.SQLITE_TOOBIG, Msg: "string or blob too big"}
	}
	p := libc.Xmalloc(c.tls, uint64(max(len(b), 1)))
	if p == 0 {
		return 0, errors.New("sqlitedb: out of memory")
	}
	copy(unsafe.Slice((*byte)(toPtr(p)), len(b)), b)
	return p, nil
}

// toPtr converts an address of C memory (allocated by modernc's libc, never
// moved by the Go runtime) to a pointer.
func toPtr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

func readPtr(p uintptr) uintptr { return *(*uintptr)(toPtr(p)) }

// Complete reports whether sql ends a complete SQL statement (it ends in a
// semicolon outside any string, identifier, comment or trigger body), as
// sqlite3_complete does.
func Complete(sql string) bool {
	tls := libc.NewTLS()
	defer tls.Close()
	p := libc.Xmalloc(tls, uint64(len(sql)+1))
	if p == 0 {
		return false
	}
	defer libc.Xfree(tls, p)
	dst := unsafe.Slice((*byte)(toPtr(p)), len(sql)+1)
	copy(dst, sql)
	dst[len(sql)] = 0
	return sqlite3.Xsqlite3_complete(tls, p) != 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
