package config

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/zerostack/zerostack/internal/config/wrangler"
)

// decoder turns a wrangler.Node tree into Go values, collecting warnings
// and errors with positions instead of stopping at the first problem.
type decoder struct {
	file     string
	warnings []Warning
	errs     []*Error
	seenWarn map[string]bool
	seenErr  map[string]bool
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, seenWarn: map[string]bool{}, seenErr: map[string]bool{}}
}

func (d *decoder) warnf(pos wrangler.Pos, format string, args ...any) {
	w := Warning{File: d.file, Line: pos.Line, Message: fmt.Sprintf(format, args...)}
	if k := w.String(); !d.seenWarn[k] {
		d.seenWarn[k] = true
		d.warnings = append(d.warnings, w)
	}
}

func (d *decoder) errorf(pos wrangler.Pos, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	e := &Error{File: d.file, Line: pos.Line, Col: pos.Col, Msg: msg}
	if k := e.Error(); !d.seenErr[k] {
		d.seenErr[k] = true
		d.errs = append(d.errs, e)
	}
}

// nodeDecoder is implemented by types with their own file syntax (a route
// that may be a string or a table, a list that may be one string).
type nodeDecoder interface {
	decodeNode(d *decoder, n *wrangler.Node, path string)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// joinPath appends a key to a path the way users write it: a.b, or a["x y"]
// for keys that are not identifiers.
func joinPath(path, key string) string {
	if !identRE.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// decode stores n into v (which must be settable), reporting problems at path.
func (d *decoder) decode(n *wrangler.Node, v reflect.Value, path string) {
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == wrangler.Null {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Interface:
		if x := n.Interface(); x != nil {
			v.Set(reflect.ValueOf(x))
		} else {
			v.SetZero()
		}
	case reflect.String:
		if n.Kind != wrangler.String {
			d.typeError(n, path, "a string")
			return
		}
		v.SetString(n.Str)
	case reflect.Bool:
		if n.Kind != wrangler.Bool {
			d.typeError(n, path, "a boolean")
			return
		}
		v.SetBool(n.Bool)
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, ok := intValue(n)
		if !ok || v.OverflowInt(i) {
			d.typeError(n, path, "an integer")
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		switch n.Kind {
		case wrangler.Int:
			v.SetFloat(float64(n.Int))
		case wrangler.Float:
			v.SetFloat(n.Float)
		default:
			d.typeError(n, path, "a number")
		}
	case reflect.Slice:
		if n.Kind != wrangler.Array {
			d.typeError(n, path, "an array")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Elems), len(n.Elems))
		for i, e := range n.Elems {
			d.decode(e, s.Index(i), indexPath(path, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != wrangler.Object {
			d.typeError(n, path, "a table (object)")
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Members))
		for _, mem := range n.Members {
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decode(mem.Value, ev, joinPath(path, mem.Key))
			m.SetMapIndex(reflect.ValueOf(mem.Key), ev)
		}
		v.Set(m)
	case reflect.Struct:
		d.decodeStruct(n, v, path, nil)
	default:
		panic(fmt.Sprintf("config: cannot decode into %s", v.Type()))
	}
}

// intValue returns the integer held by n; floats with an integral value
// count (JSON has only numbers).
func intValue(n *wrangler.Node) (int64, bool) {
	switch n.Kind {
	case wrangler.Int:
		return n.Int, true
	case wrangler.Float:
		if n.Float == math.Trunc(n.Float) && math.Abs(n.Float) < 1<<53 {
			return int64(n.Float), true
		}
	}
	return 0, false
}

func (d *decoder) typeError(n *wrangler.Node, path, want string) {
	d.errorf(n.Pos, path, "expected %s, got %s", want, describe(n))
}

// describe renders a node for an error message: its kind, plus a short
// value for scalars.
func describe(n *wrangler.Node) string {
	switch n.Kind {
	case wrangler.String:
		s := n.Str
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return "string " + strconv.Quote(s)
	case wrangler.Int:
		return "number " + strconv.FormatInt(n.Int, 10)
	case wrangler.Float:
		return "number " + strconv.FormatFloat(n.Float, 'g', -1, 64)
	case wrangler.Bool:
		return "boolean " + strconv.FormatBool(n.Bool)
	}
	return n.Kind.String()
}

// structField describes one decodable field of a struct.
type structField struct {
	index    int
	key      string
	required bool
}

var fieldCache sync.Map // reflect.Type → []structField

func fieldsOf(t reflect.Type) []structField {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]structField)
	}
	var fields []structField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		wtag := f.Tag.Get("wrangler")
		if !f.IsExported() || wtag == "-" {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		fields = append(fields, structField{index: i, key: key, required: wtag == "required"})
	}
	fieldCache.Store(t, fields)
	return fields
}

// memberParent gives the path of the object a member belongs to; it lets
// environment merging keep each key's original path ("env.staging" or "").
type memberParent func(m wrangler.Member) string

// decodeStruct decodes an object into the fields of v. Unknown keys produce
// a warning in wrangler's words; missing required fields an error.
func (d *decoder) decodeStruct(n *wrangler.Node, v reflect.Value, path string, parentOf memberParent) {
	if n.Kind != wrangler.Object {
		d.typeError(n, path, "a table (object)")
		return
	}
	fields := fieldsOf(v.Type())
	byKey := make(map[string]structField, len(fields))
	for _, f := range fields {
		byKey[f.key] = f
	}
	seen := map[string]bool{}
	unknown := map[string][]string{} // parent path → keys, for the warning
	var unknownPos = map[string]wrangler.Pos{}
	var order []string
	for _, m := range n.Members {
		parent := path
		if parentOf != nil {
			parent = parentOf(m)
		}
		p := joinPath(parent, m.Key)
		f, ok := byKey[m.Key]
		if !ok {
			if _, ok := unknownPos[parent]; !ok {
				unknownPos[parent] = m.Pos
				order = append(order, parent)
			}
			unknown[parent] = append(unknown[parent], m.Key)
			continue
		}
		seen[f.key] = true
		d.decode(m.Value, v.Field(f.index), p)
	}
	for _, parent := range order {
		keys := unknown[parent]
		sort.Strings(keys)
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = strconv.Quote(k)
		}
		name := parent
		if name == "" {
			name = "top-level"
		}
		d.warnf(unknownPos[parent], "Unexpected fields found in %s field: %s", name, strings.Join(quoted, ", "))
	}
	for _, f := range fields {
		if !f.required {
			continue
		}
		fv := v.Field(f.index)
		if !seen[f.key] || fv.IsZero() {
			d.errorf(n.Pos, joinPath(path, f.key), "required field is missing")
		}
	}
}

// decodeNode accepts a route given as a pattern string or as a table.
func (r *Route) decodeNode(d *decoder, n *wrangler.Node, path string) {
	if n.Kind == wrangler.String {
		if n.Str == "" {
			d.errorf(n.Pos, path, "route pattern is empty")
		}
		*r = Route{Pattern: n.Str}
		return
	}
	if n.Kind != wrangler.Object {
		d.typeError(n, path, "a route pattern string or a table with \"pattern\"")
		return
	}
	type plain Route // no decodeNode: decode field by field
	var p plain
	d.decodeStruct(n, reflect.ValueOf(&p).Elem(), path, nil)
	*r = Route(p)
}

// decodeNode accepts one string or a list of strings.
func (s *StringList) decodeNode(d *decoder, n *wrangler.Node, path string) {
	if n.Kind == wrangler.String {
		*s = StringList{n.Str}
		return
	}
	var l []string
	d.decode(n, reflect.ValueOf(&l).Elem(), path)
	*s = l
}

// decodeNode accepts a boolean or a list of route patterns.
func (r *RunWorkerFirst) decodeNode(d *decoder, n *wrangler.Node, path string) {
	if n.Kind == wrangler.Bool {
		*r = RunWorkerFirst{All: n.Bool}
		return
	}
	if n.Kind != wrangler.Array {
		d.typeError(n, path, "a boolean or an array of route patterns")
		return
	}
	var l []string
	d.decode(n, reflect.ValueOf(&l).Elem(), path)
	if l == nil {
		l = []string{}
	}
	*r = RunWorkerFirst{Patterns: l}
}

// MarshalJSON writes the boolean or the pattern list, as in the file.
func (r RunWorkerFirst) MarshalJSON() ([]byte, error) {
	if r.Patterns != nil {
		return jsonMarshal(r.Patterns)
	}
	return jsonMarshal(r.All)
}

// ignored is a known wrangler key that zerostack does not act on: it is
// accepted with a warning.
type ignored struct{}

func (*ignored) decodeNode(d *decoder, n *wrangler.Node, path string) {
	d.warnf(n.Pos, "%q is not supported by zerostack and is ignored", path)
}

// skipped is a key handled elsewhere (env, $schema): accepted silently.
type skipped struct{}

func (*skipped) decodeNode(*decoder, *wrangler.Node, string) {}
