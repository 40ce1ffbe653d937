package config

import "fmt"

// Warning is a problem in a configuration file that does not stop it from
// loading: an unknown key, a key zerostack ignores, a non-inherited key
// missing from the selected environment. Line is 0 when unknown.
type Warning struct {
	File    string
	Line    int
	Message string
}

// String returns "file:line: message", or "file: message" without a line.
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Message)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Message)
}

// Error is a problem that stops a configuration from loading: a syntax
// error, a value of the wrong type, a missing required field, a duplicate
// binding name. Line and Col are 1-based; 0 means unknown. Msg names the
// offending key path, e.g. "kv_namespaces[0].binding: required field is
// missing".
//
// [Load] may find several problems; it then returns them joined with
// [errors.Join], so use [errors.As] to get the first *Error.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: msg", dropping the parts that are unknown.
func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}
