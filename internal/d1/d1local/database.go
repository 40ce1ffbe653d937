package d1local

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Database is one open D1 database. It is safe for concurrent use; calls are
// serialized.
type Database struct {
	mu     sync.Mutex
	conn   *sqlitedb.Conn
	closed bool
	size   int64 // cached page_count*page_size, -1 when unknown

	// budget interrupts a statement run by ExecBudget when it fires, then
	// signals fired; both are made on first use and used under mu.
	budget *time.Timer
	fired  chan struct{}
}

func newDatabase(conn *sqlitedb.Conn) *Database { return &Database{conn: conn, size: -1} }

// errClosed is returned after the database was deleted or its Manager closed.
var errClosed = errors.New("d1: database closed")

func (db *Database) close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	return db.conn.Close()
}

// IntegrityCheck runs PRAGMA integrity_check.
func (db *Database) IntegrityCheck(ctx context.Context) error {
	res, err := db.Exec(ctx, d1.Statement{SQL: "PRAGMA integrity_check"})
	if err != nil {
		return err
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != "ok" {
		return fmt.Errorf("d1 integrity check: %v", res.Rows)
	}
	return nil
}

func sqliteErr(err error) *d1.Error {
	var de *d1.Error
	if errors.As(err, &de) {
		return de
	}
	msg, code := sqlitedb.ErrorMessage(err)
	c, _ := sqlitedb.ErrorCode(err)
	if code != "" {
		msg += ": " + code
	}
	return &d1.Error{Kind: "D1_ERROR", Message: msg, Code: c, Err: err}
}

// Exec implements d1.Database.
func (db *Database) Exec(ctx context.Context, st d1.Statement) (d1.Result, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return d1.Result{}, errClosed
	}
	return db.checkTx(db.run(ctx, st))
}

// errBudget is what ExecBudget returns for a statement it interrupted.
var errBudget = fmt.Errorf("d1: statement ran past its time budget: %w", context.DeadlineExceeded)

// ExecBudget implements d1.BudgetExecer. One timer per database, re-armed for
// each call, does what a context deadline would do without allocating a
// context, a timer and a callback registration per statement.
func (db *Database) ExecBudget(st d1.Statement, budget time.Duration) (d1.Result, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return d1.Result{}, errClosed
	}
	if db.budget == nil {
		db.fired = make(chan struct{}, 1)
		db.budget = time.AfterFunc(budget, func() { db.conn.Interrupt(); db.fired <- struct{}{} })
	} else {
		db.budget.Reset(budget)
	}
	res, err := db.run(context.Background(), st)
	if !db.budget.Stop() {
		// The timer fired: wait until its interrupt is done, so that it
		// cannot land on the connection's next statement.
		<-db.fired
		if err != nil {
			if db.conn.InTransaction() {
				db.conn.Exec(context.Background(), "ROLLBACK")
			}
			return d1.Result{}, errBudget
		}
	}
	return db.checkTx(res, err)
}

// checkTx ends a transaction the statement left open (D1 has no interactive
// transactions; an open one would hold every later write uncommitted).
func (db *Database) checkTx(res d1.Result, err error) (d1.Result, error) {
	if err == nil && db.conn.InTransaction() {
		db.conn.Exec(context.Background(), "ROLLBACK")
		err = &d1.Error{Kind: "D1_ERROR", Message: "Transactions are not supported; use batch(): SQLITE_ERROR"}
	}
	if err != nil {
		return d1.Result{}, err
	}
	return res, nil
}

// run executes one statement; the caller holds mu.
func (db *Database) run(ctx context.Context, st d1.Statement) (d1.Result, error) {
	if err := ctx.Err(); err != nil {
		return d1.Result{}, err
	}
	start := time.Now()
	if ctx.Done() != nil {
		// Wait for an interrupt that ctx started: one that landed after
		// this statement finished would hit the connection's next one.
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { db.conn.Interrupt(); close(fired) })
		defer func() {
			if !stop() {
				<-fired
			}
		}()
	}
	s, tail, err := db.conn.PrepareCached(st.SQL)
	if err != nil {
		return d1.Result{}, sqliteErr(err)
	}
	if s == nil {
		return d1.Result{}, &d1.Error{Kind: "D1_ERROR", Message: "No SQL statements detected."}
	}
	defer s.Close()
	if strings.TrimSpace(tail) != "" {
		next, _, err := db.conn.Prepare(tail)
		if next != nil {
			next.Close()
		}
		if next != nil || err != nil {
			return d1.Result{}, &d1.Error{Kind: "D1_ERROR", Message: "A prepared SQL statement must contain only one statement."}
		}
	}
	if n := s.ParamCount(); n != len(st.Params) {
		return d1.Result{}, &d1.Error{Kind: "D1_ERROR", Message: fmt.Sprintf("Wrong number of parameter bindings for SQL query. Expected %d, got %d.", n, len(st.Params))}
	}
	if err := s.Bind(st.Params...); err != nil {
		if errors.Is(err, sqlitedb.ErrUnsupportedType) {
			return d1.Result{}, &d1.Error{Kind: "D1_TYPE_ERROR", Message: "Type '" + strings.TrimPrefix(err.Error(), sqlitedb.ErrUnsupportedType.Error()+" ") + "' not supported for value", Err: err}
		}
		return d1.Result{}, sqliteErr(err)
	}
	total0 := db.conn.TotalChanges()
	res := d1.Result{Rows: [][]any{}}
	for {
		ok, err := s.Step()
		if err != nil {
			return d1.Result{}, sqliteErr(err)
		}
		if !ok {
			break
		}
		res.Rows = append(res.Rows, s.Row())
		if len(res.Rows)%256 == 0 {
			if err := ctx.Err(); err != nil {
				return d1.Result{}, err
			}
		}
	}
	res.Columns = append([]string(nil), s.Columns()...)
	written := db.conn.TotalChanges() - total0
	m := &res.Meta
	m.RowsWritten = written
	if written > 0 {
		m.Changes = db.conn.Changes()
	}
	m.ChangedDB = written > 0 || !s.Readonly()
	m.RowsRead = int64(len(res.Rows)) + int64(s.Status(sqlitedb.StatusFullscanStep)) + written
	m.LastRowID = db.conn.LastInsertRowID()
	if m.ChangedDB || db.size < 0 {
		db.size = db.pageBytes()
	}
	m.SizeAfter = db.size
	m.Duration = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}

func (db *Database) pageBytes() int64 {
	s, _, err := db.conn.PrepareCached("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
	if err != nil || s == nil {
		return 0
	}
	defer s.Close()
	if ok, _ := s.Step(); ok {
		if v, ok := s.Row()[0].(int64); ok {
			return v
		}
	}
	return 0
}

// Batch implements d1.Database.
func (db *Database) Batch(ctx context.Context, sts []d1.Statement) ([]d1.Result, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	// IMMEDIATE takes the write lock up front, so another process sharing
	// the file makes us wait (busy_timeout) instead of failing mid-batch.
	if err := db.conn.Exec(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, sqliteErr(err)
	}
	out := make([]d1.Result, 0, len(sts))
	for _, st := range sts {
		if isTxControl(st.SQL) {
			db.rollback()
			return nil, &d1.Error{Kind: "D1_ERROR", Message: "Transactions are not supported; use batch(): SQLITE_ERROR"}
		}
		res, err := db.run(ctx, st)
		if err != nil {
			db.rollback()
			return nil, err
		}
		out = append(out, res)
	}
	if !db.conn.InTransaction() {
		// A statement of the batch ended the transaction (COMMIT/ROLLBACK).
		return nil, &d1.Error{Kind: "D1_ERROR", Message: "Transactions are not supported; use batch(): SQLITE_ERROR"}
	}
	if err := db.conn.Exec(context.Background(), "COMMIT"); err != nil {
		db.rollback()
		return nil, sqliteErr(err)
	}
	return out, nil
}

// isTxControl reports whether sql starts with a transaction-control
// keyword (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE).
func isTxControl(sql string) bool {
	for {
		sql = strings.TrimLeft(sql, " \t\r\n\f;")
		switch {
		case strings.HasPrefix(sql, "--"):
			i := strings.IndexByte(sql, '\n')
			if i < 0 {
				return false
			}
			sql = sql[i:]
		case strings.HasPrefix(sql, "/*"):
			i := strings.Index(sql, "*/")
			if i < 0 {
				return false
			}
			sql = sql[i+2:]
		default:
			end := strings.IndexFunc(sql, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(sql)
			}
			switch strings.ToUpper(sql[:end]) {
			case "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
				return true
			}
			return false
		}
	}
}

func (db *Database) rollback() {
	if db.conn.InTransaction() {
		db.conn.Exec(context.Background(), "ROLLBACK")
	}
}

// ExecScript implements d1.Database.
func (db *Database) ExecScript(ctx context.Context, script string) (d1.ExecResult, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return d1.ExecResult{}, errClosed
	}
	start := time.Now()
	var res d1.ExecResult
	for _, st := range d1.SplitExecScript(script) {
		if err := db.conn.Exec(ctx, st.SQL); err != nil {
			if db.conn.InTransaction() {
				db.conn.Exec(context.Background(), "ROLLBACK")
			}
			e := sqliteErr(err)
			return d1.ExecResult{}, &d1.Error{Kind: "D1_EXEC_ERROR", Code: e.Code, Err: err,
				Message: fmt.Sprintf("Error in line %d: %s: %s", st.Line, st.SQL, e.Message)}
		}
		res.Count++
	}
	if db.conn.InTransaction() {
		db.conn.Exec(context.Background(), "ROLLBACK")
		return d1.ExecResult{}, &d1.Error{Kind: "D1_EXEC_ERROR", Message: "Transactions are not supported; use batch(): SQLITE_ERROR"}
	}
	db.size = -1
	res.Duration = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}

type schemaObj struct{ typ, name, tbl, sql string }

// Dump implements d1.Database. The output starts with
// "PRAGMA defer_foreign_keys=TRUE;" (as wrangler's export does), then each
// table's CREATE statement followed by its rows as INSERTs, then indexes,
// triggers and views. SQLite's and D1's internal tables (sqlite_*, _cf_*) and
// FTS shadow tables are left out; an FTS5 table with external content gets a
// 'rebuild' command instead of rows. It reads one consistent snapshot.
func (db *Database) Dump(ctx context.Context, w io.Writer, opts d1.DumpOptions) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return errClosed
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := db.conn.Exec(ctx, "BEGIN"); err != nil {
		return sqliteErr(err)
	}
	defer db.conn.Exec(context.Background(), "ROLLBACK")
	shadow := map[string]bool{}
	if s, _, err := db.conn.Prepare("SELECT name FROM pragma_table_list WHERE type = 'shadow'"); err == nil && s != nil {
		for ok, _ := s.Step(); ok; ok, _ = s.Step() {
			shadow[s.Row()[0].(string)] = true
		}
		s.Close()
	}
	var objs []schemaObj
	s, _, err := db.conn.Prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")
	if err != nil {
		return sqliteErr(err)
	}
	for {
		ok, err := s.Step()
		if err != nil {
			s.Close()
			return sqliteErr(err)
		}
		if !ok {
			break
		}
		r := s.Row()
		o := schemaObj{r[0].(string), r[1].(string), r[2].(string), r[3].(string)}
		if strings.HasPrefix(o.tbl, "sqlite_") || strings.HasPrefix(o.tbl, "_cf_") || shadow[o.tbl] {
			continue
		}
		if len(opts.Tables) > 0 && !contains(opts.Tables, o.tbl) {
			continue
		}
		objs = append(objs, o)
	}
	s.Close()
	fmt.Fprintln(bw, "PRAGMA defer_foreign_keys=TRUE;")
	for _, o := range objs {
		if o.typ != "table" {
			continue
		}
		if !opts.NoSchema {
			fmt.Fprintf(bw, "%s;\n", o.sql)
		}
		if opts.NoData {
			continue
		}
		upper := strings.ToUpper(o.sql)
		if strings.HasPrefix(upper, "CREATE VIRTUAL TABLE") {
			if strings.Contains(upper, "CONTENT=") || strings.Contains(upper, "CONTENT =") {
				fmt.Fprintf(bw, "INSERT INTO %s(%s) VALUES('rebuild');\n", quoteIdent(o.name), quoteIdent(o.name))
				continue
			}
		}
		if err := db.dumpRows(ctx, bw, o.name); err != nil {
			return err
		}
	}
	if !opts.NoSchema {
		for _, o := range objs {
			if o.typ != "table" {
				fmt.Fprintf(bw, "%s;\n", o.sql)
			}
		}
	}
	return bw.Flush()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (db *Database) dumpRows(ctx context.Context, w *bufio.Writer, table string) error {
	s, _, err := db.conn.Prepare("SELECT * FROM " + quoteIdent(table))
	if err != nil {
		return sqliteErr(err)
	}
	defer s.Close()
	prefix := "INSERT INTO " + quoteIdent(table) + " VALUES("
	for n := 0; ; n++ {
		ok, err := s.Step()
		if err != nil {
			return sqliteErr(err)
		}
		if !ok {
			return nil
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		w.WriteString(prefix)
		for i, v := range s.Row() {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(SQLLiteral(v))
		}
		if _, err := w.WriteString(");\n"); err != nil {
			return fmt.Errorf("d1 dump: %w", err)
		}
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// SQLLiteral formats a stored value as an SQL literal that reads back as the
// same value and type.
func SQLLiteral(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		switch {
		case math.IsInf(v, 1):
			return "9e999"
		case math.IsInf(v, -1):
			return "-9e999"
		case math.IsNaN(v):
			return "NULL"
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return "CAST(X'" + hex.EncodeToString([]byte(v)) + "' AS TEXT)"
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case []byte:
		return "X'" + hex.EncodeToString(v) + "'"
	}
	return "NULL"
}
