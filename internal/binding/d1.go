package binding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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

// decodeParams decodes the parameters d1.js sends: a JSON array of null,
// numbers, strings and {"b":[offset,length]} for BLOBs, whose bytes are in
// blobs. Integral numbers bind as INTEGER, others as REAL, as D1 does.
func decodeParams(raw json.RawMessage, blobs []byte) ([]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil, fmt.Errorf("D1_TYPE_ERROR: invalid parameters: %v", err)
	}
	for i, v := range vals {
		switch x := v.(type) {
		case json.Number:
			s := string(x)
			if !strings.ContainsAny(s, ".eE") {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					vals[i] = n
					continue
				}
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("D1_TYPE_ERROR: invalid number %s", s)
			}
			vals[i] = f
		case map[string]any:
			b, _ := x["b"].([]any)
			if len(b) != 2 {
				return nil, errors.New("D1_TYPE_ERROR: invalid BLOB parameter")
			}
			off, _ := b[0].(json.Number).Int64()
			n, _ := b[1].(json.Number).Int64()
			if off < 0 || n < 0 || off+n > int64(len(blobs)) {
				return nil, errors.New("D1_TYPE_ERROR: invalid BLOB parameter")
			}
			vals[i] = blobs[off : off+n : off+n]
		case nil, string, bool:
		default:
			return nil, fmt.Errorf("D1_TYPE_ERROR: Type '%T' not supported", v)
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
		s, _ := json.Marshal(x)
		return append(b, s...)
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
	s, _ := json.Marshal(fmt.Sprint(v))
	return append(b, s...)
}

// appendResult appends {"columns":[…],"rows":[[…]…],"meta":{…}}; meta has
// D1's field names.
func appendResult(b []byte, r d1.Result) []byte {
	b = append(b, `{"columns":[`...)
	for i, c := range r.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendValue(b, c)
	}
	b = append(b, `],"rows":[`...)
	for i, row := range r.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, v)
		}
		b = append(b, ']')
	}
	m := r.Meta
	b = append(b, `],"meta":{"served_by":"zerostack","served_by_region":"local","served_by_primary":true,"duration":`...)
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
	return append(b, "}}}"...)
}

// installD1 defines the D1Database host functions:
//
//	d1Exec(p, db, sql, paramsJSON, blobs, blobsLen) → JSON result
//	d1Batch(p, db, stmtsJSON, blobs, blobsLen)      → JSON [result…]
//	d1Script(p, db, sql)                            → JSON {count, duration}
//	d1Dump(p, db)                                   → bytes of a SQLite file
//
// A result is {columns, rows, meta}; d1.js shapes it for all/first/raw/run.
func (h *host) installD1(rt *webapi.Runtime) {
	blobArg := func(c *v8.Call, i int) ([]byte, error) {
		n := int(c.Int(i + 1))
		if n == 0 {
			return nil, nil
		}
		return c.Bytes(i, n)
	}
	fastAsync(rt, "d1Exec", func(c *v8.Call) (func(context.Context) (any, error), webapi.Work, error) {
		id, sql, params := c.String(1), c.String(2), c.String(3)
		blobs, err := blobArg(c, 4)
		if err != nil {
			return nil, nil, err
		}
		exec := func(ctx context.Context) (any, error) {
			db, err := h.database(ctx, id)
			if err != nil {
				return nil, err
			}
			ps, err := decodeParams(json.RawMessage(params), blobs)
			if err != nil {
				return nil, err
			}
			res, err := db.Exec(ctx, d1.Statement{SQL: sql, Params: ps})
			if err != nil {
				return nil, d1Error(err)
			}
			return webapi.JSON(appendResult(make([]byte, 0, 256), res)), nil
		}
		busy := h.busy(id)
		slow := func() (any, error) {
			defer busy.Add(-1)
			return exec(context.Background())
		}
		if isSelect(sql) && busy.Load() == 0 {
			return exec, func() (any, error) { busy.Add(1); return slow() }, nil
		}
		busy.Add(1)
		return nil, slow, nil
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
				if sts[i].Params, err = decodeParams(r[1], blobs); err != nil {
					return nil, err
				}
			}
			res, err := db.Batch(ctx, sts)
			if err != nil {
				return nil, d1Error(err)
			}
			b := append(make([]byte, 0, 256*len(res)), '[')
			for i, r := range res {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendResult(b, r)
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
