// Package d1 is zerostack's Cloudflare D1 service: serverless SQLite
// databases. It defines what the D1 binding, the CLI (d1 execute, export,
// migrations) and the REST API call — [Database] for statements, batches,
// exec scripts and dumps, [Manager] for creating and finding databases — and
// the helpers around them: exec-script splitting with Cloudflare's rules,
// wrangler-compatible migrations, and D1's error text. The embedded backend is
// d1local (one SQLite file per database); d1test is the conformance suite.
package d1

import (
	"context"
	"errors"
	"io"
	"time"
)

// Statement is one SQL statement with its positional parameters ("?", "?NNN").
// Params hold nil, int64, float64, string, []byte or bool (stored as 1/0);
// int is accepted as int64. Any other type gives an *Error of kind
// "D1_TYPE_ERROR".
type Statement struct {
	SQL    string
	Params []any
}

// Meta is D1's result meta. RowsRead and RowsWritten are approximations (see
// d1local for how they are counted); Duration is in milliseconds.
type Meta struct {
	Duration    float64
	Changes     int64
	LastRowID   int64
	ChangedDB   bool
	SizeAfter   int64
	RowsRead    int64
	RowsWritten int64
}

// Result is the outcome of one statement: column names, rows of values as
// stored (nil, int64, float64, string, []byte), and meta.
type Result struct {
	Columns []string
	Rows    [][]any
	Meta    Meta
}

// ExecResult is the outcome of [Database.ExecScript] (D1ExecResult).
type ExecResult struct {
	Count    int     // statements executed
	Duration float64 // milliseconds
}

// DumpOptions selects what [Database.Dump] writes.
type DumpOptions struct {
	NoSchema bool     // only data (INSERTs)
	NoData   bool     // only schema (CREATE …)
	Tables   []string // only these tables; all when empty
}

// Database is one D1 database. Calls are serialized per database, like D1's
// single-threaded primary; every method is safe for concurrent use.
type Database interface {
	// Exec runs one statement (prepare().bind().run/all/raw/first). SQL that
	// holds more than one statement, a wrong number of parameters or an
	// unsupported parameter type gives an *Error.
	Exec(ctx context.Context, st Statement) (Result, error)
	// Batch runs the statements in one transaction: on the first error
	// every statement is rolled back and the error is returned.
	Batch(ctx context.Context, sts []Statement) ([]Result, error)
	// ExecScript runs a script with D1 exec() rules (see [SplitExecScript]);
	// statements before a failing one stay applied. Errors have kind
	// "D1_EXEC_ERROR".
	ExecScript(ctx context.Context, sql string) (ExecResult, error)
	// Dump writes an SQL text dump that recreates the database (wrangler d1
	// export).
	Dump(ctx context.Context, w io.Writer, opts DumpOptions) error
}

// BudgetExecer is implemented by a [Database] that can bound one statement's
// running time more cheaply than a context deadline can (no allocation, no
// per-call timer): the D1 binding's fast path runs SELECTs on the isolate's
// thread within a budget of a couple of milliseconds.
type BudgetExecer interface {
	// ExecBudget is [Database.Exec] of a statement that is interrupted if
	// it runs longer than budget; it then fails with an error that wraps
	// context.DeadlineExceeded. When it returns, no interrupt of this call
	// can reach a later statement.
	ExecBudget(st Statement, budget time.Duration) (Result, error)
}

// Info describes a database.
type Info struct {
	UUID      string
	Name      string
	Created   time.Time
	FileSize  int64 // bytes of the database file (and its WAL)
	NumTables int
}

// Manager creates, finds and deletes databases (wrangler d1 create|list|info|delete).
// Databases are addressed by UUID or name.
type Manager interface {
	// Create makes an empty database; uuid "" generates one. It returns
	// ErrExists when the name or uuid is taken.
	Create(ctx context.Context, name, uuid string) (Info, error)
	// List returns all databases ordered by name.
	List(ctx context.Context) ([]Info, error)
	// Info returns the database with this UUID or name, or ErrNotFound.
	Info(ctx context.Context, nameOrUUID string) (Info, error)
	// Delete removes the database and its files, or returns ErrNotFound.
	Delete(ctx context.Context, nameOrUUID string) error
	// Open returns the database with this UUID or name, or ErrNotFound. The
	// returned Database stays valid until the Manager is closed or the
	// database deleted.
	Open(ctx context.Context, nameOrUUID string) (Database, error)
}

// Sentinel errors.
var (
	// ErrNotFound is returned for an unknown database.
	ErrNotFound = errors.New("d1: database not found")
	// ErrExists is returned by Create for a taken name or UUID.
	ErrExists = errors.New("d1: database already exists")
	// ErrInvalidName is returned by Create for a name D1 would not accept.
	ErrInvalidName = errors.New("d1: invalid database name")
)

// Error is a statement error as D1 reports it. The binding shows
// Kind + ": " + Message, e.g.
// "D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT".
type Error struct {
	Kind    string // "D1_ERROR", "D1_EXEC_ERROR" or "D1_TYPE_ERROR"
	Message string
	// Code is SQLite's extended result code, 0 when SQLite did not report it.
	Code int
	Err  error // the underlying error, if any
}

func (e *Error) Error() string { return "d1: " + e.Kind + ": " + e.Message }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
