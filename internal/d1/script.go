package d1

import (
	"strings"

	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// ScriptStatement is one unit of an exec() script.
type ScriptStatement struct {
	Line int    // 1-based line where it starts
	SQL  string // may hold several statements on that line
}

// SplitExecScript splits a D1 exec() script. D1 trims the script and sends
// every line as its own query: line N failing reports "Error in line N". A
// line may hold several ';'-separated statements. Real D1 rejects statements
// that span lines ("incomplete input"); zerostack, as a documented extension,
// joins lines until the text is a complete statement (sqlite3_complete), so
// multi-line CREATE TABLE works, and reports the line where it starts. Blank
// lines are skipped.
func SplitExecScript(script string) []ScriptStatement {
	var out []ScriptStatement
	lines := strings.Split(strings.TrimSpace(script), "\n")
	var cur strings.Builder
	start := 0
	for i, line := range lines {
		if cur.Len() == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			start = i + 1
		} else {
			cur.WriteByte('\n')
		}
		cur.WriteString(strings.TrimRight(line, "\r"))
		if sqlitedb.Complete(cur.String()) || onlyComments(cur.String()) {
			out = append(out, ScriptStatement{Line: start, SQL: strings.TrimSpace(cur.String())})
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		out = append(out, ScriptStatement{Line: start, SQL: strings.TrimSpace(cur.String())})
	}
	return out
}

// onlyComments reports whether s holds only "--" line comments.
func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// SplitStatements splits SQL text (a migration or import file) into complete
// statements, keeping trigger bodies whole. Comment-only pieces are dropped.
func SplitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(sql); {
		j := strings.IndexByte(sql[i:], ';')
		if j < 0 {
			cur.WriteString(sql[i:])
			break
		}
		cur.WriteString(sql[i : i+j+1])
		i += j + 1
		if sqlitedb.Complete(cur.String()) {
			if s := strings.TrimSpace(cur.String()); !onlyCommentsOrEmpty(s) {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); !onlyCommentsOrEmpty(s) {
		out = append(out, s)
	}
	return out
}

func onlyCommentsOrEmpty(s string) bool {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";"))
	for s != "" {
		switch {
		case strings.HasPrefix(s, "--"):
			if k := strings.IndexByte(s, '\n'); k >= 0 {
				s = strings.TrimSpace(s[k+1:])
			} else {
				s = ""
			}
		case strings.HasPrefix(s, "/*"):
			k := strings.Index(s, "*/")
			if k < 0 {
				return true
			}
			s = strings.TrimSpace(s[k+2:])
		default:
			return false
		}
	}
	return true
}
