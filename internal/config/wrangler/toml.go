package wrangler

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// ParseTOML parses a wrangler.toml file. Values come from
// github.com/BurntSushi/toml; positions come from a separate scan of the
// source (see [Node.Pos] for how precise they are).
//
// A malformed file yields a [*SyntaxError].
func ParseTOML(data []byte) (*Node, error) {
	if se := checkDepth(data, false); se != nil {
		return nil, se
	}
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &SyntaxError{Line: pe.Position.Line, Col: pe.Position.Col, Msg: "TOML syntax error: " + pe.Message}
		}
		return nil, &SyntaxError{Line: 1, Col: 1, Msg: "TOML syntax error: " + err.Error()}
	}
	pos := scanTOMLPositions(data)
	return tomlNode(m, nil, Pos{Line: 1, Col: 1}, pos)
}

// tomlNode converts a value decoded by BurntSushi/toml. path is its key path
// (array indexes as decimal strings), fallback the position to use when the
// scanner recorded none for path.
func tomlNode(v any, path []string, fallback Pos, pos map[string]Pos) (*Node, error) {
	p, ok := pos[strings.Join(path, "\x00")]
	if !ok {
		p = fallback
	}
	n := &Node{Pos: p}
	switch t := v.(type) {
	case nil:
		n.Kind = Null
	case bool:
		n.Kind, n.Bool = Bool, t
	case int64:
		n.Kind, n.Int = Int, t
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, &SyntaxError{p.Line, p.Col, fmt.Sprintf("%v cannot be represented in JSON", t)}
		}
		n.Kind, n.Float = Float, t
	case string:
		n.Kind, n.Str = String, t
	case time.Time:
		n.Kind, n.Str = String, formatTOMLTime(t)
	case fmt.Stringer: // toml.LocalDate, LocalTime, LocalDatetime and others
		n.Kind, n.Str = String, t.String()
	case []map[string]any:
		n.Kind = Array
		for i, e := range t {
			c, err := tomlNode(e, appendPath(path, strconv.Itoa(i)), p, pos)
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, c)
		}
	case []any:
		n.Kind = Array
		for i, e := range t {
			c, err := tomlNode(e, appendPath(path, strconv.Itoa(i)), p, pos)
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, c)
		}
	case map[string]any:
		n.Kind = Object
		for k, e := range t {
			kp := appendPath(path, k)
			c, err := tomlNode(e, kp, p, pos)
			if err != nil {
				return nil, err
			}
			n.Members = append(n.Members, Member{Key: k, Pos: c.Pos, Value: c})
		}
		sortMembers(n.Members)
	default:
		return nil, &SyntaxError{p.Line, p.Col, fmt.Sprintf("unsupported TOML value of type %T", v)}
	}
	return n, nil
}

func appendPath(path []string, s string) []string {
	out := make([]string, len(path)+1)
	copy(out, path)
	out[len(path)] = s
	return out
}

// scanTOMLPositions records the position of every key, table header, array
// element and inline-table key it can find, keyed by the key path joined
// with NUL (array indexes as decimal strings). It only runs on input that
// BurntSushi/toml accepted, so it can be lenient: on anything it does not
// understand it skips to the next line, and it never fails.
func scanTOMLPositions(data []byte) map[string]Pos {
	s := &tomlScanner{data: data, idx: newLineIndex(data), pos: map[string]Pos{}, aot: map[string]int{}}
	s.run()
	return s.pos
}

type tomlScanner struct {
	data  []byte
	i     int
	idx   lineIndex
	pos   map[string]Pos
	aot   map[string]int // array-of-tables path → number of elements so far
	table []string       // current table path, indexes resolved
}

func (s *tomlScanner) record(path []string, at int) {
	k := strings.Join(path, "\x00")
	if _, ok := s.pos[k]; !ok {
		s.pos[k] = s.idx.pos(at)
	}
}

func (s *tomlScanner) peek(off int) byte {
	if s.i+off < len(s.data) {
		return s.data[s.i+off]
	}
	return 0
}

func (s *tomlScanner) skipSpace() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t') {
		s.i++
	}
}

// skipSpaceLines skips whitespace, newlines and comments.
func (s *tomlScanner) skipSpaceLines() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		case '#':
			s.skipLine()
		default:
			return
		}
	}
}

func (s *tomlScanner) skipLine() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.i++
	}
}

func (s *tomlScanner) run() {
	for {
		s.skipSpaceLines()
		if s.i >= len(s.data) {
			return
		}
		start := s.i
		if s.data[s.i] == '[' {
			s.header()
		} else {
			s.keyValue(s.table)
		}
		if s.i <= start { // no progress: give up on this line
			s.skipLine()
		}
	}
}

// header handles [a.b] and [[a.b]].
func (s *tomlScanner) header() {
	start := s.i
	array := s.peek(1) == '['
	if array {
		s.i += 2
	} else {
		s.i++
	}
	keys, offs := s.keys()
	if keys == nil {
		s.skipLine()
		return
	}
	var path []string
	for j, k := range keys {
		path = appendPath(path, k)
		at := offs[j]
		if j == len(keys)-1 {
			at = start
		}
		s.record(path, at)
		pk := strings.Join(path, "\x00")
		if n, ok := s.aot[pk]; ok || (array && j == len(keys)-1) {
			if j == len(keys)-1 && array {
				s.aot[pk] = n + 1
				path = appendPath(path, strconv.Itoa(n))
				s.record(path, start)
			} else if n > 0 {
				path = appendPath(path, strconv.Itoa(n-1))
			}
		}
	}
	s.table = path
	s.skipLine()
}

// keyValue handles key = value inside table.
func (s *tomlScanner) keyValue(table []string) {
	keys, offs := s.keys()
	if keys == nil {
		s.skipLine()
		return
	}
	s.skipSpace()
	if s.peek(0) != '=' {
		s.skipLine()
		return
	}
	s.i++
	path := table
	for j, k := range keys {
		path = appendPath(path, k)
		s.record(path, offs[j])
	}
	s.skipSpace()
	s.value(path)
}

// keys reads a dotted key and returns its parts with their offsets, or nil.
func (s *tomlScanner) keys() ([]string, []int) {
	var keys []string
	var offs []int
	for {
		s.skipSpace()
		if s.i >= len(s.data) {
			return nil, nil
		}
		start := s.i
		var k string
		switch c := s.data[s.i]; {
		case c == '"':
			end := s.basicStringEnd(s.i + 1)
			if end < 0 {
				return nil, nil
			}
			uq, err := strconv.Unquote(string(s.data[s.i:end]))
			if err != nil {
				uq = string(s.data[s.i+1 : end-1])
			}
			k = uq
			s.i = end
		case c == '\'':
			j := s.i + 1
			for j < len(s.data) && s.data[j] != '\'' && s.data[j] != '\n' {
				j++
			}
			if j >= len(s.data) || s.data[j] != '\'' {
				return nil, nil
			}
			k = string(s.data[s.i+1 : j])
			s.i = j + 1
		case isBareKeyChar(c):
			for s.i < len(s.data) && isBareKeyChar(s.data[s.i]) {
				s.i++
			}
			k = string(s.data[start:s.i])
		default:
			return nil, nil
		}
		keys = append(keys, k)
		offs = append(offs, start)
		s.skipSpace()
		if s.peek(0) != '.' {
			return keys, offs
		}
		s.i++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// basicStringEnd returns the offset just past the closing quote of a
// single-line basic string whose content starts at from, or -1.
func (s *tomlScanner) basicStringEnd(from int) int {
	for j := from; j < len(s.data); j++ {
		switch s.data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return -1
		}
	}
	return -1
}

// value skips one value starting at s.i, recording positions inside arrays
// and inline tables.
func (s *tomlScanner) value(path []string) {
	if s.i >= len(s.data) {
		return
	}
	switch s.data[s.i] {
	case '"':
		if s.peek(1) == '"' && s.peek(2) == '"' {
			s.i += 3
			for s.i < len(s.data) {
				if s.data[s.i] == '\\' {
					s.i += 2
					continue
				}
				if s.data[s.i] == '"' && s.peek(1) == '"' && s.peek(2) == '"' {
					s.i += 3
					for s.peek(0) == '"' { // up to two quotes may end the content
						s.i++
					}
					return
				}
				s.i++
			}
			return
		}
		if end := s.basicStringEnd(s.i + 1); end > 0 {
			s.i = end
		} else {
			s.skipLine()
		}
	case '\'':
		if s.peek(1) == '\'' && s.peek(2) == '\'' {
			s.i += 3
			for s.i < len(s.data) {
				if s.data[s.i] == '\'' && s.peek(1) == '\'' && s.peek(2) == '\'' {
					s.i += 3
					for s.peek(0) == '\'' {
						s.i++
					}
					return
				}
				s.i++
			}
			return
		}
		s.i++
		for s.i < len(s.data) && s.data[s.i] != '\'' && s.data[s.i] != '\n' {
			s.i++
		}
		if s.i < len(s.data) && s.data[s.i] == '\'' {
			s.i++
		}
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.skipSpaceLines()
			if s.i >= len(s.data) {
				return
			}
			if s.data[s.i] == ']' {
				s.i++
				return
			}
			ep := appendPath(path, strconv.Itoa(n))
			s.record(ep, s.i)
			before := s.i
			s.value(ep)
			s.skipSpaceLines()
			if s.peek(0) == ',' {
				s.i++
			} else if s.i == before {
				s.i++ // unknown byte: make progress
			}
		}
	case '{':
		s.i++
		for {
			s.skipSpace()
			if s.i >= len(s.data) || s.data[s.i] == '\n' {
				return
			}
			if s.data[s.i] == '}' {
				s.i++
				return
			}
			before := s.i
			keys, offs := s.keys()
			if keys == nil || s.skipSpaceByte('=') != nil {
				if s.i == before {
					s.i++
				}
				continue
			}
			kp := path
			for j, k := range keys {
				kp = appendPath(kp, k)
				s.record(kp, offs[j])
			}
			s.skipSpace()
			s.value(kp)
			s.skipSpace()
			if s.peek(0) == ',' {
				s.i++
			}
		}
	default: // number, bool, date: up to a delimiter
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.i++
		}
	}
}

var errNoByte = errors.New("expected byte")

// skipSpaceByte skips spaces and then the byte c, or returns an error.
func (s *tomlScanner) skipSpaceByte(c byte) error {
	s.skipSpace()
	if s.peek(0) != c {
		return errNoByte
	}
	s.i++
	return nil
}

// formatTOMLTime renders a TOML date-time as text. BurntSushi/toml marks
// local (zone-less) values with special locations; they keep their form.
func formatTOMLTime(t time.Time) string {
	switch t.Location().String() {
	case "date-local":
		return t.Format(time.DateOnly)
	case "time-local":
		return t.Format("15:04:05.999999999")
	case "datetime-local":
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}
