// Package wrangler parses Cloudflare wrangler configuration files
// (wrangler.toml, wrangler.json and wrangler.jsonc) into a format-neutral
// tree of [Node] values that remember where in the file each value and key
// came from.
//
// The tree is deliberately untyped: it is the JSON data model (null, bool,
// number, string, array, object) plus source positions. Interpreting keys,
// applying environments and validating bindings is the job of the parent
// package config; this package only turns bytes into a tree, or reports a
// [*SyntaxError] with a line and column.
package wrangler

import (
	"fmt"
	"sort"
)

// Kind is the type of a [Node], named after the JSON data model.
type Kind int

// The kinds of values a configuration file can hold. TOML dates and times
// become [String] nodes holding their RFC 3339 text, as they would after a
// round trip through JSON.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	Array
	Object
)

// String returns the JSON-style name of k ("string", "number", "boolean",
// "array", "object", "null"), for error messages.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Int, Float:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pos is a 1-based line and column (in bytes) in a configuration file. The
// zero Pos means "unknown".
type Pos struct {
	Line, Col int
}

// Node is one value of a parsed configuration file. Exactly one of the value
// fields is meaningful, chosen by Kind.
//
// Pos is where the value starts. For TOML, where values and keys are often
// far apart (tables, arrays of tables), Pos is the position of the key or
// table header that introduced the value; when the scanner cannot tell, it
// falls back to the position of the closest enclosing key.
type Node struct {
	Kind    Kind
	Pos     Pos
	Bool    bool
	Int     int64
	Float   float64
	Str     string
	Elems   []*Node  // Array elements
	Members []Member // Object members, in file order, keys unique
}

// Member is one key of an object [Node].
type Member struct {
	Key   string
	Pos   Pos // position of the key
	Value *Node
}

// Get returns the member with the given key, or nil if n is not an object or
// has no such key.
func (n *Node) Get(key string) *Member {
	if n == nil || n.Kind != Object {
		return nil
	}
	for i := range n.Members {
		if n.Members[i].Key == key {
			return &n.Members[i]
		}
	}
	return nil
}

// Interface returns the value of n as a JSON-compatible Go value: nil, bool,
// int64, float64, string, []any or map[string]any. A nil n yields nil.
func (n *Node) Interface() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Bool:
		return n.Bool
	case Int:
		return n.Int
	case Float:
		return n.Float
	case String:
		return n.Str
	case Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = e.Interface()
		}
		return out
	case Object:
		out := make(map[string]any, len(n.Members))
		for _, m := range n.Members {
			out[m.Key] = m.Value.Interface()
		}
		return out
	}
	return nil
}

// SyntaxError reports a file that is not well-formed TOML or JSON. Line and
// Col are 1-based; Col is 0 when the parser did not say.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

// Error returns "line:col: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// sortMembers orders members by position, then key, so that every parser
// yields file order and ties are deterministic.
func sortMembers(ms []Member) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i].Pos, ms[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return ms[i].Key < ms[j].Key
	})
}

// lineIndex converts byte offsets to positions.
type lineIndex []int // byte offset of the start of each line

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) pos(off int) Pos {
	line := sort.Search(len(idx), func(i int) bool { return idx[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return Pos{Line: line + 1, Col: off - idx[line] + 1}
}
