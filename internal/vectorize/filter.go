package vectorize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Filter is a parsed metadata filter: conditions that must all hold (AND).
// The zero Filter matches everything. A Filter is immutable and safe for
// concurrent use.
type Filter struct {
	conds []cond
}

type cond struct {
	key  string   // as written ("a.b")
	path []string // key split at dots
	op   string   // "$eq" … "$gte"
	val  value    // operand of scalar operators
	vals []value  // operands of $in and $nin
}

// value is a filter operand or metadata scalar: null, string, number or bool.
type value struct {
	kind byte // 'z' null, 's' string, 'n' number, 'b' bool
	s    string
	n    float64
	b    bool
}

var operators = map[string]bool{"$eq": true, "$ne": true, "$in": true, "$nin": true, "$lt": true, "$lte": true, "$gt": true, "$gte": true}

func filterErr(format string, args ...any) error {
	return invalidf(OpVectorQuery, CodeInvalidFilter, "invalid filter: "+format, args...)
}

// ParseFilter parses a query's filter, a JSON object as Cloudflare
// documents it: keys are metadata property names (dots select nested
// properties), values are a string, number, boolean or null (implicit $eq)
// or an object of operators: $eq, $ne (string, number, boolean or null),
// $in, $nin (non-empty arrays of those), $lt, $lte, $gt, $gte (string or
// number). All conditions must hold. The compact JSON must be shorter than
// MaxFilterBytes; keys must not be empty, contain '"', start with '$' or
// exceed MaxFilterKeyLength characters.
//
// An empty object or null gives a nil *Filter (no filtering): Cloudflare
// documents filter as a non-empty object, but programs build {} when no
// condition applies (the guide's RecommendationEngine does), and treating it
// as "no filter" is what they mean. Errors are *Error values with op
// VECTOR_QUERY.
func ParseFilter(raw []byte) (*Filter, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, t); err != nil {
		return nil, filterErr("not valid JSON: %v", err)
	}
	if compact.Len() >= MaxFilterBytes {
		return nil, filterErr("the filter's compact JSON is %d bytes; it must be less than %d bytes", compact.Len(), MaxFilterBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(t, &top); err != nil {
		return nil, filterErr("the filter must be a JSON object")
	}
	if len(top) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f := &Filter{}
	for _, k := range keys {
		if err := validateFilterKey(k); err != nil {
			return nil, filterErr("%v", err)
		}
		path := strings.Split(k, ".")
		v := bytes.TrimSpace(top[k])
		if len(v) > 0 && v[0] == '{' {
			var ops map[string]json.RawMessage
			if err := json.Unmarshal(v, &ops); err != nil {
				return nil, filterErr("key %q: %v", k, err)
			}
			if len(ops) == 0 {
				return nil, filterErr("key %q: an operator object must not be empty", k)
			}
			names := make([]string, 0, len(ops))
			for op := range ops {
				names = append(names, op)
			}
			sort.Strings(names)
			for _, op := range names {
				c, err := parseOp(k, path, op, ops[op])
				if err != nil {
					return nil, err
				}
				f.conds = append(f.conds, c)
			}
			continue
		}
		val, err := parseScalar(v)
		if err != nil {
			return nil, filterErr("key %q: %v", k, err)
		}
		f.conds = append(f.conds, cond{key: k, path: path, op: "$eq", val: val})
	}
	return f, nil
}

func validateFilterKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("keys must not be empty")
	case len(k) > MaxFilterKeyLength:
		return fmt.Errorf("key %q is longer than %d characters", truncate(k, 40), MaxFilterKeyLength)
	case strings.HasPrefix(k, "$"):
		return fmt.Errorf("key %q must not start with '$' (operators go inside a property's object, as {\"price\": {\"$lt\": 10}})", k)
	case strings.Contains(k, `"`):
		return fmt.Errorf("key %q must not contain '\"'", k)
	case strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, ".."):
		return fmt.Errorf("key %q has an empty part between dots", k)
	}
	return nil
}

func parseOp(k string, path []string, op string, raw json.RawMessage) (cond, error) {
	if !operators[op] {
		return cond{}, filterErr("key %q: unsupported operator %q (use $eq, $ne, $in, $nin, $lt, $lte, $gt or $gte)", k, op)
	}
	c := cond{key: k, path: path, op: op}
	switch op {
	case "$in", "$nin":
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			return cond{}, filterErr("key %q: %s takes an array of strings, numbers, booleans or null", k, op)
		}
		if len(arr) == 0 {
			return cond{}, filterErr("key %q: %s takes a non-empty array", k, op)
		}
		for _, e := range arr {
			v, err := parseScalar(e)
			if err != nil {
				return cond{}, filterErr("key %q: %s: %v", k, op, err)
			}
			c.vals = append(c.vals, v)
		}
	case "$eq", "$ne":
		v, err := parseScalar(raw)
		if err != nil {
			return cond{}, filterErr("key %q: %s: %v", k, op, err)
		}
		c.val = v
	default: // range
		v, err := parseScalar(raw)
		if err != nil || v.kind != 's' && v.kind != 'n' {
			return cond{}, filterErr("key %q: %s takes a string or a number", k, op)
		}
		c.val = v
	}
	return c, nil
}

func parseScalar(raw []byte) (value, error) {
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return value{}, fmt.Errorf("not valid JSON")
	}
	v, ok := scalar(x)
	if !ok {
		return value{}, fmt.Errorf("values must be strings, numbers, booleans or null, got %s", bytes.TrimSpace(raw))
	}
	return v, nil
}

func scalar(x any) (value, bool) {
	switch t := x.(type) {
	case nil:
		return value{kind: 'z'}, true
	case string:
		return value{kind: 's', s: t}, true
	case float64:
		return value{kind: 'n', n: t}, true
	case json.Number:
		f, err := t.Float64()
		return value{kind: 'n', n: f}, err == nil
	case bool:
		return value{kind: 'b', b: t}, true
	}
	return value{}, false
}

func (a value) equal(b value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case 's':
		return a.s == b.s
	case 'n':
		return a.n == b.n
	case 'b':
		return a.b == b.b
	}
	return true // both null
}

// compare orders a against b when both are numbers or both strings.
func (a value) compare(b value) (int, bool) {
	if a.kind != b.kind {
		return 0, false
	}
	switch a.kind {
	case 'n':
		switch {
		case a.n < b.n:
			return -1, true
		case a.n > b.n:
			return 1, true
		}
		return 0, true
	case 's':
		return strings.Compare(a.s, b.s), true
	}
	return 0, false
}

// Keys returns the property names the filter uses, in order.
func (f *Filter) Keys() []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, c := range f.conds {
		if len(out) == 0 || out[len(out)-1] != c.key {
			out = append(out, c.key)
		}
	}
	return out
}

// Match reports whether metadata (decoded JSON, nil for none) satisfies
// every condition. A missing property, or one that is an object or array,
// compares as null.
func (f *Filter) Match(meta map[string]any) bool {
	if f == nil {
		return true
	}
	for i := range f.conds {
		if !f.conds[i].match(meta) {
			return false
		}
	}
	return true
}

func (c *cond) match(meta map[string]any) bool {
	v := lookup(meta, c.key, c.path)
	switch c.op {
	case "$eq":
		return v.equal(c.val)
	case "$ne":
		return !v.equal(c.val)
	case "$in", "$nin":
		in := false
		for _, x := range c.vals {
			if v.equal(x) {
				in = true
				break
			}
		}
		return in == (c.op == "$in")
	}
	cmp, ok := v.compare(c.val)
	if !ok {
		return false
	}
	switch c.op {
	case "$lt":
		return cmp < 0
	case "$lte":
		return cmp <= 0
	case "$gt":
		return cmp > 0
	}
	return cmp >= 0 // $gte
}

func lookup(meta map[string]any, key string, path []string) value {
	if meta == nil {
		return value{kind: 'z'}
	}
	var x any
	if len(path) > 1 {
		if lit, ok := meta[key]; ok { // a literal dotted key, if a vector has one
			x = lit
		} else {
			var cur any = meta
			for _, p := range path {
				m, ok := cur.(map[string]any)
				if !ok {
					return value{kind: 'z'}
				}
				cur = m[p]
			}
			x = cur
		}
	} else {
		x = meta[key]
	}
	v, ok := scalar(x)
	if !ok {
		return value{kind: 'z'}
	}
	return v
}

// DecodeMetadata decodes a vector's metadata JSON for [Filter.Match]; nil
// or empty metadata gives nil.
func DecodeMetadata(m json.RawMessage) (map[string]any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	var out map[string]any
	if err := json.Unmarshal(m, &out); err != nil {
		return nil, fmt.Errorf("vectorize: metadata: %w", err)
	}
	return out, nil
}

// IndexedMetadata returns the part of metadata (compact JSON) that
// returnMetadata: "indexed" returns: the properties named by metadata
// indexes (dotted names select nested properties, returned nested). It
// returns nil when none is present.
func IndexedMetadata(meta map[string]any, idx []MetadataIndex) json.RawMessage {
	if meta == nil || len(idx) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, m := range idx {
		path := strings.Split(m.PropertyName, ".")
		var cur any = meta
		found := true
		for _, p := range path {
			mm, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = mm[p]; !ok {
				found = false
				break
			}
		}
		if !found {
			continue
		}
		dst := out
		for _, p := range path[:len(path)-1] {
			next, ok := dst[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				dst[p] = next
			}
			dst = next
		}
		dst[path[len(path)-1]] = cur
	}
	if len(out) == 0 {
		return nil
	}
	b, _ := json.Marshal(out)
	return b
}
