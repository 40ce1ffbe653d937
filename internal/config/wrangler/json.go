package wrangler

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tailscale/hujson"
)

// ParseJSON parses a wrangler.json or wrangler.jsonc file. Both accept JSON
// with comments (// and /* */) and trailing commas, as wrangler does. A UTF-8
// byte order mark is skipped. When a key repeats in an object the last value
// wins (as in JavaScript); dups reports the position of each repeated key so the caller can
// warn about it.
//
// A malformed file yields a [*SyntaxError].
func ParseJSON(data []byte) (n *Node, dups []Pos, err error) {
	off := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		off = 3
	}
	if se := checkDepth(data, true); se != nil {
		return nil, nil, se
	}
	// hujson wants a line comment to end with a newline, even at the end
	// of the input; wrangler's parser does not.
	src := data[off:]
	if len(src) > 0 && src[len(src)-1] != '\n' {
		src = append(src[:len(src):len(src)], '\n')
	}
	v, err := hujson.Parse(src)
	if err != nil {
		return nil, nil, jsonSyntaxError(data, off, err)
	}
	p := &jsonConv{idx: newLineIndex(data), off: off}
	n, err = p.value(&v)
	if err != nil {
		return nil, nil, err
	}
	return n, p.dups, nil
}

type jsonConv struct {
	idx  lineIndex
	off  int
	dups []Pos
}

func (p *jsonConv) pos(off int) Pos { return p.idx.pos(off + p.off) }

func (p *jsonConv) value(v *hujson.Value) (*Node, error) {
	n := &Node{Pos: p.pos(v.StartOffset)}
	switch t := v.Value.(type) {
	case hujson.Literal:
		switch t.Kind() {
		case 'n':
			n.Kind = Null
		case 't', 'f':
			n.Kind = Bool
			n.Bool = t.Bool()
		case '"':
			n.Kind = String
			n.Str = t.String()
		case '0':
			if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
				n.Kind, n.Int = Int, i
			} else {
				f, err := strconv.ParseFloat(string(t), 64)
				if err != nil || math.IsInf(f, 0) {
					return nil, &SyntaxError{n.Pos.Line, n.Pos.Col, fmt.Sprintf("number %s out of range", t)}
				}
				n.Kind, n.Float = Float, f
			}
		default:
			return nil, &SyntaxError{n.Pos.Line, n.Pos.Col, fmt.Sprintf("invalid literal %q", string(t))}
		}
	case *hujson.Array:
		n.Kind = Array
		n.Elems = make([]*Node, 0, len(t.Elements))
		for i := range t.Elements {
			e, err := p.value(&t.Elements[i])
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, e)
		}
	case *hujson.Object:
		n.Kind = Object
		seen := map[string]int{}
		for i := range t.Members {
			m := &t.Members[i]
			name, ok := m.Name.Value.(hujson.Literal)
			if !ok || name.Kind() != '"' {
				pos := p.pos(m.Name.StartOffset)
				return nil, &SyntaxError{pos.Line, pos.Col, "object key must be a string"}
			}
			val, err := p.value(&m.Value)
			if err != nil {
				return nil, err
			}
			key := name.String()
			mem := Member{Key: key, Pos: p.pos(m.Name.StartOffset), Value: val}
			if j, ok := seen[key]; ok {
				p.dups = append(p.dups, mem.Pos)
				n.Members[j] = mem
				continue
			}
			seen[key] = len(n.Members)
			n.Members = append(n.Members, mem)
		}
		sortMembers(n.Members)
	default:
		return nil, &SyntaxError{n.Pos.Line, n.Pos.Col, "unexpected value"}
	}
	return n, nil
}

// jsonSyntaxError turns hujson's "hujson: line L, column C: msg" error into
// a SyntaxError, correcting the position for a skipped byte order mark.
func jsonSyntaxError(data []byte, off int, err error) *SyntaxError {
	msg := err.Error()
	var line, col int
	rest := strings.TrimPrefix(msg, "hujson: ")
	if _, scanErr := fmt.Sscanf(rest, "line %d, column %d:", &line, &col); scanErr == nil {
		if i := strings.Index(rest, ": "); i >= 0 {
			msg = rest[i+2:]
		}
		if line == 1 {
			col += off
		}
		// Errors at the end of the input may point past the newline that
		// ParseJSON added: report the end of the real last line.
		if idx := newLineIndex(data); line > len(idx) {
			end := idx.pos(len(data))
			line, col = end.Line, end.Col
		}
	} else {
		line, col = 1, 1
		msg = rest
	}
	return &SyntaxError{Line: line, Col: col, Msg: "JSON syntax error: " + msg}
}
