package wrangler

import "fmt"

// MaxDepth is the deepest nesting of arrays and objects (tables) the
// parsers accept. It keeps pathological input from exhausting the stack;
// real configurations nest a handful of levels.
const MaxDepth = 1000

// checkDepth scans data for [ and { nesting deeper than MaxDepth, skipping
// strings and comments (JSON-style // and /* */ when json is set, # when
// not; TOML's triple-quoted strings are skipped as runs of ordinary strings,
// which is close enough for a depth bound). It returns a SyntaxError at the
// first bracket that is too deep.
func checkDepth(data []byte, json bool) *SyntaxError {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"', '\'':
			if c == '\'' && json {
				continue
			}
			for i++; i < len(data) && data[i] != c && data[i] != '\n'; i++ {
				if data[i] == '\\' && c == '"' {
					i++
				}
			}
		case '#':
			if !json {
				for i < len(data) && data[i] != '\n' {
					i++
				}
			}
		case '/':
			if json && i+1 < len(data) && data[i+1] == '/' {
				for i < len(data) && data[i] != '\n' {
					i++
				}
			} else if json && i+1 < len(data) && data[i+1] == '*' {
				for i += 2; i+1 < len(data) && !(data[i] == '*' && data[i+1] == '/'); i++ {
				}
				i++
			}
		case '[', '{':
			depth++
			if depth > MaxDepth {
				p := newLineIndex(data).pos(i)
				return &SyntaxError{Line: p.Line, Col: p.Col, Msg: fmt.Sprintf("nesting deeper than %d levels", MaxDepth)}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
