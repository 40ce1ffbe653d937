// Package sqlitedb opens the SQLite databases behind zerostack's embedded
// service backends (Workers KV, D1, R2 metadata): one driver, one set of
// pragmas and one single-writer discipline for the whole project.
//
// # Driver
//
// The project uses modernc.org/sqlite (pure Go, registered as "sqlite"). It was
// chosen over github.com/mattn/go-sqlite3 (cgo) by measurement on the
// development machine (2 vCPU, Go 1.26, SQLite 3.54.1 in both, WAL,
// synchronous=NORMAL, one connection, 10,000-row table):
//
//	                                   modernc    mattn
//	primary-key SELECT, prepared       9.2 µs     7.1-8.2 µs
//	primary-key SELECT, unprepared    12.6-12.9   11.1-12.0 µs
//	single-row INSERT (autocommit)    31-32 µs    25-27 µs
//
// (A rerun while other builds loaded the machine, load average ~7 on 2 vCPU,
// measured select 22.6 µs vs 25.8 µs and insert 89 µs vs 84 µs, medians of
// five: the gap disappears in the noise.)
//
// mattn is 10-25% faster on an idle machine, but its default build has no FTS5 ("no such module:
// fts5" without the sqlite_fts5 build tag), which D1 requires, and it needs a C
// toolchain. modernc has FTS5, JSON1, RETURNING, UPSERT and WITHOUT ROWID with
// a plain `go build`; the gap is small, so modernc wins.
//
// # Durability
//
// Every database runs in WAL mode. With synchronous=NORMAL (the default,
// [SyncNormal]) a commit appends its frames to the WAL with write(2) before
// COMMIT returns but does not fsync them; the bytes are then in the kernel's
// page cache, so an acknowledged write survives the death of the process
// (SIGKILL, panic, OOM kill) and the database is never corrupted. Only a power
// loss or kernel crash can lose the most recent commits (never corrupt the
// file). [SyncFull] fsyncs the WAL on every commit and survives power loss too,
// at several times the commit latency; servers that promise durability beyond
// a process crash should choose it.
//
// # Concurrency
//
// A [DB] has one writer connection ([DB.W], at most one open connection, so
// writers queue in Go instead of spinning on SQLITE_BUSY; transactions begin
// IMMEDIATE) and a pool of read-only connections ([DB.R]) that read the last
// committed state concurrently with the writer. Foreign keys are enforced on
// every connection, as D1 does (PRAGMA foreign_keys = ON).
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// DriverName is the database/sql driver name of the project's SQLite driver.
const DriverName = "sqlite"

// Sync selects PRAGMA synchronous for a database.
type Sync int

const (
	// SyncNormal (the default) survives a process crash; see the package doc.
	SyncNormal Sync = iota
	// SyncFull also survives power loss, at the cost of an fsync per commit.
	SyncFull
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Sync is the PRAGMA synchronous level; default SyncNormal.
	Sync Sync
	// BusyTimeout bounds how long a connection waits for a lock held by
	// another process; default 5 s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read-only pool; default max(2, GOMAXPROCS).
	ReadConns int
}

// DB is an open SQLite database with a single writer connection and a pool
// of readers. It is safe for concurrent use.
type DB struct {
	// W is the writer: at most one open connection. Use it for every
	// statement that may write, and for reads that must see the caller's own
	// uncommitted transaction.
	W *sql.DB
	// R is a pool of read-only connections (PRAGMA query_only).
	R    *sql.DB
	path string
}

// Open opens (creating if needed) the SQLite database file at path with WAL,
// busy_timeout, the chosen synchronous level and foreign keys on. The path
// must not contain '?'.
func Open(path string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if strings.ContainsRune(path, '?') || path == "" {
		return nil, fmt.Errorf("sqlitedb open %q: invalid path", path)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = max(2, runtime.GOMAXPROCS(0))
	}
	syncLevel := "NORMAL"
	if o.Sync == SyncFull {
		syncLevel = "FULL"
	}
	base := fmt.Sprintf("%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)&_pragma=foreign_keys(1)",
		path, o.BusyTimeout.Milliseconds(), syncLevel)
	w, err := sql.Open(DriverName, base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlitedb open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before any reader opens it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitedb open %s: %w", path, err)
	}
	r, err := sql.Open(DriverName, base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitedb open: %w", err)
	}
	r.SetMaxOpenConns(o.ReadConns)
	r.SetMaxIdleConns(o.ReadConns)
	return &DB{W: w, R: r, path: path}, nil
}

// Path returns the file name the database was opened with.
func (db *DB) Path() string { return db.path }

// Close closes both pools. Committed data is durable as described in the
// package doc; Close also checkpoints the WAL when it is the last connection.
func (db *DB) Close() error {
	return errors.Join(db.R.Close(), db.W.Close())
}

// Write runs fn in an IMMEDIATE transaction on the writer connection and
// commits it when fn returns nil; otherwise it rolls back and returns fn's
// error. When Write returns nil the transaction is committed.
func (db *DB) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitedb begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitedb commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error listing the
// problems it reports, or nil when it reports "ok".
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.W.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("sqlitedb integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("sqlitedb integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlitedb integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlitedb integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// ErrorCode returns SQLite's extended result code carried by err (for
// example 2067 for SQLITE_CONSTRAINT_UNIQUE) and true, or 0 and false when err
// does not come from SQLite.
func ErrorCode(err error) (int, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	var re *Error
	if errors.As(err, &re) {
		return re.Code, true
	}
	return 0, false
}

// ErrorMessage returns SQLite's own message for err (sqlite3_errmsg, e.g.
// "UNIQUE constraint failed: users.email") without the driver's decorations,
// and the name of the primary result code (e.g. "SQLITE_CONSTRAINT"). For an
// error that does not come from SQLite it returns err.Error() and "".
func ErrorMessage(err error) (msg, codeName string) {
	var re *Error
	if errors.As(err, &re) {
		return re.Msg, PrimaryCodeName(re.Code)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err.Error(), ""
	}
	msg = se.Error()
	// modernc formats "<errstr>: <errmsg> (<rc>)" or "<errstr> (<rc>)".
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	} else if i := strings.LastIndex(msg, " ("); i >= 0 {
		// "... (5) (SQLITE_BUSY)"
		if j := strings.LastIndex(msg[:i], " ("); j >= 0 {
			msg = msg[:j]
		}
	}
	if i := strings.Index(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg, PrimaryCodeName(se.Code())
}

// PrimaryCodeName returns the symbolic name of the primary result code of an
// (extended) SQLite result code, e.g. "SQLITE_CONSTRAINT" for 2067.
func PrimaryCodeName(code int) string {
	if n, ok := primaryNames[code&0xff]; ok {
		return n
	}
	return fmt.Sprintf("SQLITE_ERROR_%d", code)
}

var primaryNames = map[int]string{
	1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
	5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY",
	9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND",
	13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY",
	17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH",
	21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT",
	25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
}
