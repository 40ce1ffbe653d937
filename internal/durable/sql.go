package durable

import (
	"strings"

	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// SQLResult is what one sql.exec() call produced: the rows of its last
// statement and the counters of all of them.
type SQLResult struct {
	Columns     []string
	Rows        [][]any // nil, int64, float64, string or []byte per column
	RowsRead    int64
	RowsWritten int64
}

// SQLError is a statement the SQL API refuses before SQLite sees it, with
// Cloudflare's text.
type SQLError struct{ Msg string }

func (e *SQLError) Error() string { return e.Msg }

// errTxStatement is Cloudflare's refusal of transaction control in exec().
const errTxStatement = "To execute a transaction, please use the state.storage.transaction() or " +
	"state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. " +
	"The JavaScript API is safer because it will automatically roll back on exceptions, and because it " +
	"interacts correctly with Durable Objects' automatic atomic write coalescing."

// checkStatement enforces Cloudflare's restrictions on one statement: no
// transaction control (use storage.transaction), no ATTACH/DETACH, and no
// access to the reserved _cf_ tables. (Cloudflare enforces the last with a
// SQLite authorizer; a textual check of identifiers is the same in effect
// for statements a program writes.)
func checkStatement(q string) error {
	first := strings.ToUpper(firstWord(q))
	switch first {
	case "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return &SQLError{errTxStatement}
	case "ATTACH", "DETACH":
		return &SQLError{"not authorized: SQLITE_AUTH"}
	}
	// Only an identifier starting with _cf_ counts, not text inside a
	// string literal.
	if strings.Contains(strings.ToLower(q), "_cf_") && reservedName(q) {
		return &SQLError{"access to _cf_ tables is prohibited (names starting with _cf_ are reserved): SQLITE_AUTH"}
	}
	return nil
}

func firstWord(q string) string {
	q = strings.TrimLeft(q, " \t\r\n;(")
	for strings.HasPrefix(q, "--") || strings.HasPrefix(q, "/*") {
		if strings.HasPrefix(q, "--") {
			if i := strings.IndexByte(q, '\n'); i >= 0 {
				q = q[i+1:]
			} else {
				return ""
			}
		} else if i := strings.Index(q, "*/"); i >= 0 {
			q = q[i+2:]
		} else {
			return ""
		}
		q = strings.TrimLeft(q, " \t\r\n;(")
	}
	end := strings.IndexFunc(q, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	})
	if end < 0 {
		return q
	}
	return q[:end]
}

// reservedName reports whether q names an identifier starting with _cf_
// outside string literals.
func reservedName(q string) bool {
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '\'' {
			quote = c
			continue
		}
		if (c == '_') && i+4 <= len(q) && strings.EqualFold(q[i:i+4], "_cf_") {
			if i == 0 || !isIdent(q[i-1]) || q[i-1] == '"' || q[i-1] == '`' || q[i-1] == '[' || q[i-1] == '.' {
				return true
			}
		}
	}
	return false
}

func isIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

// Exec runs query (one or more statements separated by semicolons) with
// args bound in order across its statements, and returns the rows of the
// last one. Each statement runs inside the open transaction, or commits on
// its own. args are nil, int64, float64, string or []byte.
func (s *Storage) Exec(query string, args []any) (*SQLResult, error) {
	res := &SQLResult{}
	if strings.IndexByte(query, 0) >= 0 {
		// SQLite would stop reading at the NUL and never consume the rest.
		return nil, &SQLError{"SQL query contains a NUL character."}
	}
	rest := query
	ran := false
	for strings.TrimSpace(rest) != "" {
		st, tail, err := s.c.PrepareCached(rest)
		if err != nil {
			return nil, err
		}
		if st == nil {
			if len(tail) >= len(rest) {
				break // no progress: nothing but whitespace or comments left
			}
			rest = tail
			continue
		}
		rest = tail
		if err := checkStatement(st.SQL()); err != nil {
			st.Close()
			return nil, err
		}
		n := st.ParamCount()
		if n > len(args) {
			st.Close()
			return nil, &SQLError{"Wrong number of parameter bindings for SQL query."}
		}
		if err := st.Bind(args[:n]...); err != nil {
			st.Close()
			return nil, err
		}
		args = args[n:]
		readonly := st.Readonly()
		run := func() error {
			res.Columns = append(res.Columns[:0], st.Columns()...)
			res.Rows = res.Rows[:0]
			before := s.c.TotalChanges()
			for {
				ok, err := st.Step()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				res.Rows = append(res.Rows, st.Row())
			}
			res.RowsRead += int64(len(res.Rows)) + int64(st.Status(sqlitedb.StatusFullscanStep))
			if !readonly {
				res.RowsWritten += s.c.TotalChanges() - before
			}
			return nil
		}
		if readonly {
			err = run()
		} else {
			err = s.write(run)
		}
		st.Close()
		if err != nil {
			return nil, err
		}
		ran = true
	}
	if len(args) > 0 {
		return nil, &SQLError{"Wrong number of parameter bindings for SQL query."}
	}
	if !ran {
		return nil, &SQLError{"SQL query did not contain a statement."}
	}
	return res, nil
}
