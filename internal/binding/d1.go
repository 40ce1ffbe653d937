package binding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

// d1Error returns the error D1Database methods reject with. Its message is
// "<KIND>: <SQLite's text>"; d1.js turns it into an Error whose cause holds
// the text without the prefix, as Cloudflare's binding does.
func d1Error(err error) error {
	var de *d1.Error
	if errors.As(err, &de) {
		return errors.New(de.Kind + ": " + de.Message)
	}
	if strings.HasPrefix(err.Error(), "D1_") {
		return err
	}
	return errors.New("D1_ERROR: " + err.Error())
}

// decodeParams decodes the parameters d1.js sends: a JSON array (as
// JSON.stringify writes it) of null, numbers, strings and {"b":[offset,
// length]} for BLOBs, whose bytes are in blobs. Integral numbers bind as
// INTEGER, others as REAL, as D1 does.
//
// The common case is scanned by hand (one primary-key SELECT binds a number
// or two, and encoding/json's reflection and allocations were a tenth of
// the binding's cost); anything the scanner does not expect, such as a
// string with escapes, is handed to encoding/json value by value.
func decodeParams(raw string, blobs []byte) ([]any, error) {
	if raw == "" {
		return nil, nil
	}
	bad := func(what string) error { return fmt.Errorf("D1_TYPE_ERROR: invalid parameters: %s", what) }
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return nil, bad("not an array")
	}
	vals := make([]any, 0, 4)
	s := raw[1 : len(raw)-1]
	for len(s) > 0 {
		var v any
		var n int // bytes of s the value took
		switch c := s[0]; {
		case c == 'n':
			if !strings.HasPrefix(s, "null") {
				return nil, bad("unexpected " + strconv.Quote(s[:1]))
			}
			n = 4
		case c == '"':
			n = 1
			esc := false
			for n < len(s) && s[n] != '"' {
				if s[n] == '\\' {
					esc = true
					n++
				}
				n++
			}
			if n >= len(s) {
				return nil, bad("unterminated string")
			}
			n++
			if !esc {
				v = s[1 : n-1]
				break
			}
			var str string
			if err := json.Unmarshal([]byte(s[:n]), &str); err != nil {
				return nil, bad(err.Error())
			}
			v = str
		case c == '-' || c >= '0' && c <= '9':
			integral := true
			for n < len(s) && s[n] != ',' {
				switch d := s[n]; d {
				case '.', 'e', 'E':
					integral = false
				case '+', '-':
				default:
					if d < '0' || d > '9' {
						return nil, bad("invalid number")
					}
				}
				n++
			}
			num := s[:n]
			if integral {
				if i, err := strconv.ParseInt(num, 10, 64); err == nil {
					v = i
					break
				}
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return nil, fmt.Errorf("D1_TYPE_ERROR: invalid number %s", num)
			}
			v = f
		case c == '{':
			// {"b":[offset,length]}
			end := strings.IndexByte(s, '}')
			if end < 0 || !strings.HasPrefix(s, `{"b":[`) || s[end-1] != ']' {
				return nil, errors.New("D1_TYPE_ERROR: invalid BLOB parameter")
			}
			offS, lenS, ok := strings.Cut(s[len(`{"b":[`):end-1], ",")
			off, err1 := strconv.ParseInt(offS, 10, 64)
			size, err2 := strconv.ParseInt(lenS, 10, 64)
			if !ok || err1 != nil || err2 != nil || off < 0 || size < 0 || off+size > int64(len(blobs)) {
				return nil, errors.New("D1_TYPE_ERROR: invalid BLOB parameter")
			}
			v = blobs[off : off+size : off+size]
			n = end + 1
		default:
			return nil, bad("unexpected " + strconv.Quote(s[:1]))
		}
		vals = append(vals, v)
		s = s[n:]
		if len(s) > 0 {
			if s[0] != ',' || len(s) == 1 {
				return nil, bad("expected ','")
			}
			s = s[1:]
		}
	}
	return vals, nil
}

// appendValue appends v (a SQLite value as d1 returns it) as JSON: BLOBs
// become arrays of byte values, as D1 returns them; infinities become
// numbers JSON.parse reads as ±Infinity.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return append(b, "1e999"...)
		case math.IsInf(x, -1):
			return append(b, "-1e999"...)
		case x != x:
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case string:
		return appendString(b, x)
	case []byte:
		b = append(b, '[')
		for i, c := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(c), 10)
		}
		return append(b, ']')
	case bool:
		if x {
			return append(b, '1')
		}
		return append(b, '0')
	}
	return appendString(b, fmt.Sprint(v))
}

// appendString appends s as a JSON string. Printable ASCII without quotes
// or backslashes (nearly every column name and most text) is copied as is;
// anything else goes through encoding/json, which also replaces invalid
// UTF-8 with U+FFFD.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Result shapes, chosen by the D1PreparedStatement method (d1.js).
const (
	shapeResult  = 0 // all(), run(): {"success":true,"meta":{…},"results":[{…}…]}
	shapeFirst   = 1 // first(): the first row as an object, or null
	shapeRaw     = 2 // raw(): [[…]…]
	shapeRawCols = 3 // raw({columnNames: true}): [[column…],[…]…]
)

// appendShaped appends r as JSON in the shape JavaScript returns, so that
// one JSON.parse builds the whole result (rows as objects included).
// Objects repeat the column names per row, as D1's own wire format does;
// a column named twice keeps the last value, as assigning in order would.
func appendShaped(b []byte, r *d1.Result, shape int) []byte {
	row := func(b []byte, vals []any) []byte {
		b = append(b, '{')
		for j, v := range vals {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, r.Columns[j])
			b = append(b, ':')
			b = appendValue(b, v)
		}
		return append(b, '}')
	}
	arr := func(b []byte, vals []any) []byte {
		b = append(b, '[')
		for j, v := range vals {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, v)
		}
		return append(b, ']')
	}
	switch shape {
	case shapeFirst:
		if len(r.Rows) == 0 {
			return append(b, "null"...)
		}
		return row(b, r.Rows[0])
	case shapeRaw, shapeRawCols:
		b = append(b, '[')
		if shape == shapeRawCols {
			b = append(b, '[')
			for i, c := range r.Columns {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, c)
			}
			b = append(b, ']')
			if len(r.Rows) > 0 {
				b = append(b, ',')
			}
		}
		for i, vals := range r.Rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = arr(b, vals)
		}
		return append(b, ']')
	}
	b = append(b, `{"success":true,"meta":`...)
	b = appendMeta(b, &r.Meta)
	b = append(b, `,"results":[`...)
	for i, vals := range r.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = row(b, vals)
	}
	return append(b, "]}"...)
}

// appendMeta appends D1's result meta object.
func appendMeta(b []byte, m *d1.Meta) []byte {
	b = append(b, `{"served_by":"zerostack","served_by_region":"local","served_by_primary":true,"duration":`...)
	b = strconv.AppendFloat(b, m.Duration, 'g', -1, 64)
	b = append(b, `,"changes":`...)
	b = strconv.AppendInt(b, m.Changes, 10)
	b = append(b, `,"last_row_id":`...)
	b = strconv.AppendInt(b, m.LastRowID, 10)
	b = append(b, `,"changed_db":`...)
	b = strconv.AppendBool(b, m.ChangedDB)
	b = append(b, `,"size_after":`...)
	b = strconv.AppendInt(b, m.SizeAfter, 10)
	b = append(b, `,"rows_read":`...)
	b = strconv.AppendInt(b, m.RowsRead, 10)
	b = append(b, `,"rows_written":`...)
	b = strconv.AppendInt(b, m.RowsWritten, 10)
	b = append(b, `,"timings":{"sql_duration_ms":`...)
	b = strconv.AppendFloat(b, m.Duration, 'g', -1, 64)
	return append(b, "}}"...)
}

// installD1 defines the D1Database host functions:
//
//	d1Query(shape+db+"\0"+paramsJSON+"\0"+sql, blobs, blobsLen) → JSON | undefined
//	d1Exec(p, shape, db, sql, paramsJSON, blobs, blobsLen) → JSON (async)
//	d1Batch(p, db, stmtsJSON, blobs, blobsLen)      → JSON [result…]
//	d1Script(p, db, sql)                            → JSON {count, duration}
//	d1Dump(p, db)                                   → bytes of a SQLite file
//
// d1Query is the fast path of one statement: a SELECT runs at once on the
// isolate's thread, within syncBudget, and its result comes back as the
// call's return value, already in the shape the JavaScript method returns
// (see appendShaped), so a query costs one host call and one JSON.parse.
// It returns undefined, having done nothing, for statements that must run on
// a goroutine (writes; any statement while a write is in flight; a SELECT
// that overran its budget, whose interrupted attempt changed nothing): d1.js
// then calls d1Exec with the same arguments.
func (h *host) installD1(rt *webapi.Runtime) {
	blobArg := func(c *v8.Call, i int) ([]byte, error) {
		n := int(c.Int(i + 1))
		if n == 0 {
			return nil, nil
		}
		return c.Bytes(i, n)
	}
	// exec runs one statement and encodes its result in shape; a budget
	// above 0 bounds its time (see d1.BudgetExecer), and expired reports
	// that it ran out.
	exec := func(budget time.Duration, shape int, id, sql, params string, blobs []byte) (res any, expired bool, err error) {
		ctx := context.Background()
		db, err := h.database(ctx, id)
		if err != nil {
			return nil, false, err
		}
		ps, err := decodeParams(params, blobs)
		if err != nil {
			return nil, false, err
		}
		st := d1.Statement{SQL: sql, Params: ps}
		var r d1.Result
		switch be, ok := db.(d1.BudgetExecer); {
		case budget <= 0:
			r, err = db.Exec(ctx, st)
		case ok:
			r, err = be.ExecBudget(st, budget)
			expired = errors.Is(err, context.DeadlineExceeded)
		default:
			bctx, cancel := context.WithTimeout(ctx, budget)
			r, err = db.Exec(bctx, st)
			expired = bctx.Err() != nil
			cancel()
		}
		if err != nil {
			return nil, expired, d1Error(err)
		}
		return appendShaped(make([]byte, 0, 256), &r, shape), false, nil
	}
	rt.Func("d1Query", func(c *v8.Call) (any, error) {
		// Every argument costs a handle and a conversion (about a
		// microsecond together), so the statement comes packed in one:
		// shape digit, database id, NUL, parameters JSON, NUL, SQL. Neither
		// an id nor JSON text holds a NUL; the SQL, last, may.
		packed := c.String(0)
		id, rest, ok1 := strings.Cut(packed[min(1, len(packed)):], "\x00")
		params, sql, ok2 := strings.Cut(rest, "\x00")
		if !ok1 || !ok2 || packed[0] < '0' || packed[0] > '9' {
			return nil, &v8.TypeError{Msg: "D1: malformed statement"}
		}
		if !isSelect(sql) {
			return nil, nil
		}
		busy := h.busy(id)
		if busy.Load() != 0 {
			return nil, nil
		}
		shape := int(packed[0] - '0')
		blobs, err := blobArg(c, 1)
		if err != nil {
			return nil, err
		}
		res, expired, err := exec(syncBudget, shape, id, sql, params, blobs)
		if err != nil {
			if expired {
				return nil, nil // overran: d1.js retries on a goroutine
			}
			return nil, err
		}
		return string(res.([]byte)), nil
	})
	rt.Async("d1Exec", func(c *v8.Call) (webapi.Work, error) {
		shape, id, sql, params := int(c.Int(1)), c.String(2), c.String(3), c.String(4)
		blobs, err := blobArg(c, 5)
		if err != nil {
			return nil, err
		}
		busy := h.busy(id)
		busy.Add(1)
		return func() (any, error) {
			defer busy.Add(-1)
			res, _, err := exec(0, shape, id, sql, params, blobs)
			if err != nil {
				return nil, err
			}
			return webapi.JSON(res.([]byte)), nil
		}, nil
	})
	rt.Async("d1Batch", func(c *v8.Call) (webapi.Work, error) {
		id, stmts := c.String(1), c.String(2)
		blobs, err := blobArg(c, 3)
		if err != nil {
			return nil, err
		}
		busy := h.busy(id)
		busy.Add(1)
		return func() (any, error) {
			defer busy.Add(-1)
			ctx := context.Background()
			db, err := h.database(ctx, id)
			if err != nil {
				return nil, err
			}
			var raw [][2]json.RawMessage
			if err := json.Unmarshal([]byte(stmts), &raw); err != nil {
				return nil, &v8.TypeError{Msg: "D1 batch: invalid statements"}
			}
			sts := make([]d1.Statement, len(raw))
			for i, r := range raw {
				if err := json.Unmarshal(r[0], &sts[i].SQL); err != nil {
					return nil, &v8.TypeError{Msg: "D1 batch: invalid statement"}
				}
				if sts[i].Params, err = decodeParams(string(r[1]), blobs); err != nil {
					return nil, err
				}
			}
			res, err := db.Batch(ctx, sts)
			if err != nil {
				return nil, d1Error(err)
			}
			b := append(make([]byte, 0, 256*len(res)), '[')
			for i := range res {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendShaped(b, &res[i], shapeResult)
			}
			return webapi.JSON(append(b, ']')), nil
		}, nil
	})
	rt.Async("d1Script", func(c *v8.Call) (webapi.Work, error) {
		id, sql := c.String(1), c.String(2)
		busy := h.busy(id)
		busy.Add(1)
		return func() (any, error) {
			defer busy.Add(-1)
			ctx := context.Background()
			db, err := h.database(ctx, id)
			if err != nil {
				return nil, err
			}
			res, err := db.ExecScript(ctx, sql)
			if err != nil {
				return nil, d1Error(err)
			}
			return webapi.JSON(fmt.Sprintf(`{"count":%d,"duration":%g}`, res.Count, res.Duration)), nil
		}, nil
	})
	rt.Async("d1Dump", func(c *v8.Call) (webapi.Work, error) {
		id := c.String(1)
		busy := h.busy(id)
		busy.Add(1)
		return func() (any, error) {
			defer busy.Add(-1)
			ctx := context.Background()
			db, err := h.database(ctx, id)
			if err != nil {
				return nil, err
			}
			dir, err := os.MkdirTemp("", "zerostack-d1-dump-")
			if err != nil {
				return nil, d1Error(err)
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "dump.sqlite")
			if _, err := db.Exec(ctx, d1.Statement{SQL: "VACUUM INTO ?", Params: []any{path}}); err != nil {
				return nil, d1Error(err)
			}
			return os.ReadFile(path)
		}, nil
	})
}

// isSelect reports whether sql is a plain SELECT, which cannot change the
// database and so may run on the fast path (and run again if it overruns).
func isSelect(sql string) bool {
	s := strings.TrimLeft(sql, " \t\r\n(")
	return len(s) >= 6 && strings.EqualFold(s[:6], "select")
}
