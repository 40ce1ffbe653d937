package binding

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/zerostack/zerostack/internal/d1"
)

// refDecodeParams is decodeParams written with encoding/json: the reference
// the hand-written scanner must agree with on every valid input.
func refDecodeParams(raw string, blobs []byte) ([]any, bool) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil || dec.More() {
		return nil, false
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
				return nil, false
			}
			vals[i] = f
		case map[string]any:
			b, _ := x["b"].([]any)
			if len(x) != 1 || len(b) != 2 {
				return nil, false
			}
			o, ok1 := b[0].(json.Number)
			n, ok2 := b[1].(json.Number)
			off, err1 := strconv.ParseInt(string(o), 10, 64)
			size, err2 := strconv.ParseInt(string(n), 10, 64)
			if !ok1 || !ok2 || err1 != nil || err2 != nil || off < 0 || size < 0 || off+size > int64(len(blobs)) {
				return nil, false
			}
			vals[i] = blobs[off : off+size : off+size]
		case nil, string:
		default:
			return nil, false
		}
	}
	return vals, true
}

// compact reports whether raw is JSON as JSON.stringify writes it (no
// whitespace outside strings), the only form d1.js sends.
func compact(raw string) bool {
	var buf bytes.Buffer
	return json.Compact(&buf, []byte(raw)) == nil && buf.String() == raw
}

// FuzzDecodeParams feeds arbitrary text to the D1 parameter scanner: it must
// never panic, BLOBs must lie inside the blob buffer, and on every compact
// JSON array of supported values it must decode exactly what encoding/json
// decodes.
func FuzzDecodeParams(f *testing.F) {
	for _, s := range []string{
		``, `[]`, `[1]`, `[-5,2.5,1e+21,null,"a"]`, `["q\"uo\\te\u00e9\n"]`, `[{"b":[0,3]},{"b":[1,2]}]`,
		`[9223372036854775807,9223372036854775808,-9223372036854775808]`, `[1,]`, `[,1]`, `["x`, `[{"b":[0,9]}]`,
		`[{"b":[2,1]}`, `[nul]`, `[0x10]`, `[true]`, `["\ud800"]`, `[1 ,2]`, `[-]`, `[{"b":[-1,1]}]`,
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, raw string, nblobs int) {
		if nblobs < 0 || nblobs > 64 {
			nblobs = 3
		}
		blobs := make([]byte, nblobs)
		got, err := decodeParams(raw, blobs)
		for _, v := range got {
			if b, ok := v.([]byte); ok && len(b) > 0 {
				lo, hi := uintptr(unsafe.Pointer(&blobs[0])), uintptr(unsafe.Pointer(&blobs[len(blobs)-1]))
				if p := uintptr(unsafe.Pointer(&b[0])); p < lo || p+uintptr(len(b))-1 > hi || cap(b) != len(b) {
					t.Fatalf("%q: BLOB outside the buffer", raw)
				}
			}
		}
		if raw == "" || !compact(raw) || !utf8.ValidString(raw) { // V8 hands Go valid UTF-8
			return
		}
		want, ok := refDecodeParams(raw, blobs)
		if !ok {
			if err == nil {
				t.Fatalf("%q: accepted %#v, encoding/json rejects it", raw, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v, encoding/json gives %#v", raw, err, want)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", raw, got, want)
		}
	})
}

// TestAppendShaped checks every result shape against encoding/json's reading
// of the same values.
func TestAppendShaped(t *testing.T) {
	r := d1.Result{
		Columns: []string{"id", "name", "a\"b", "blob", "f"},
		Rows: [][]any{
			{int64(1), "Ann", nil, []byte{0, 255}, 1.5},
			{int64(-2), "é\x00\"\\\n\xff", "x", []byte{}, math.Inf(1)},
		},
		Meta: d1.Meta{Duration: 0.25, Changes: 1, LastRowID: 7, ChangedDB: true, SizeAfter: 4096, RowsRead: 2, RowsWritten: 1},
	}
	parse := func(b []byte) any {
		t.Helper()
		// 1e999 is how ±Infinity crosses; JSON.parse reads it, Go does not.
		b = bytes.ReplaceAll(b, []byte("1e999"), []byte(`"Inf"`))
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return v
	}
	row0 := map[string]any{"id": 1.0, "name": "Ann", "a\"b": nil, "blob": []any{0.0, 255.0}, "f": 1.5}
	row1 := map[string]any{"id": -2.0, "name": "é\x00\"\\\n\uFFFD", "a\"b": "x", "blob": []any{}, "f": "Inf"}
	for _, tc := range []struct {
		shape int
		want  any
	}{
		{shapeFirst, row0},
		{shapeRaw, []any{
			[]any{1.0, "Ann", nil, []any{0.0, 255.0}, 1.5},
			[]any{-2.0, "é\x00\"\\\n\uFFFD", "x", []any{}, "Inf"},
		}},
		{shapeRawCols, []any{
			[]any{"id", "name", "a\"b", "blob", "f"},
			[]any{1.0, "Ann", nil, []any{0.0, 255.0}, 1.5},
			[]any{-2.0, "é\x00\"\\\n\uFFFD", "x", []any{}, "Inf"},
		}},
		{shapeResult, map[string]any{"success": true, "results": []any{row0, row1}, "meta": map[string]any{
			"served_by": "zerostack", "served_by_region": "local", "served_by_primary": true,
			"duration": 0.25, "changes": 1.0, "last_row_id": 7.0, "changed_db": true, "size_after": 4096.0,
			"rows_read": 2.0, "rows_written": 1.0, "timings": map[string]any{"sql_duration_ms": 0.25},
		}}},
	} {
		if got := parse(appendShaped(nil, &r, tc.shape)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("shape %d: got %#v\nwant %#v", tc.shape, got, tc.want)
		}
	}
	empty := d1.Result{Columns: []string{"a"}, Rows: [][]any{}}
	for shape, want := range map[int]string{shapeFirst: "null", shapeRaw: "[]", shapeRawCols: `[["a"]]`} {
		if got := string(appendShaped(nil, &empty, shape)); got != want {
			t.Errorf("empty result, shape %d: %s, want %s", shape, got, want)
		}
	}
}

// FuzzAppendString checks that every string reads back as itself (invalid
// UTF-8 as U+FFFD, as encoding/json writes it).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"b\\s", "\x00\x1f", "é€😀", "\xff\xfe", "</script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want && utf8.ValidString(s) {
			t.Fatalf("%q read back as %q", s, got)
		}
	})
}
