package d1

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitExecScript(t *testing.T) {
	got := SplitExecScript("\n  CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  s TEXT DEFAULT 'x;y'\n);\n\nINSERT INTO a VALUES (1, 'a'); INSERT INTO a VALUES (2, 'b');\n-- note\nSELECT 1\n")
	want := []ScriptStatement{
		{1, "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  s TEXT DEFAULT 'x;y'\n);"},
		{6, "INSERT INTO a VALUES (1, 'a'); INSERT INTO a VALUES (2, 'b');"},
		{7, "-- note"},
		{8, "SELECT 1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
}

func TestSplitStatements(t *testing.T) {
	got := SplitStatements(`-- header
CREATE TABLE t (a TEXT DEFAULT ';');
/* block */
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET a = 'x;';
  SELECT 1;
END;
INSERT INTO t VALUES ('it''s; fine');
-- trailing comment
`)
	if len(got) != 3 || !strings.HasPrefix(got[1], "/* block */\nCREATE TRIGGER") || !strings.HasSuffix(got[1], "END;") || got[2] != "INSERT INTO t VALUES ('it''s; fine');" {
		t.Fatalf("got %q", got)
	}
	if got := SplitStatements("SELECT 1"); len(got) != 1 || got[0] != "SELECT 1" {
		t.Fatalf("no semicolon: %q", got)
	}
	if got := SplitStatements("  -- nothing\n/* at all */ ;"); len(got) != 0 {
		t.Fatalf("comments only: %q", got)
	}
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2;", "CREATE TRIGGER x BEGIN SELECT 1; END;", "'unterminated;", "/* ; */ -- ;\n;", "\"a;b\"; [c;d]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		parts := SplitStatements(sql)
		// Splitting never loses or invents non-space text.
		joined := strings.Join(parts, "")
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if len(strip(joined)) > len(strip(sql)) {
			t.Fatalf("split %q into %q", sql, parts)
		}
		for _, l := range SplitExecScript(sql) {
			if l.Line < 1 || strings.TrimSpace(l.SQL) == "" {
				t.Fatalf("bad script statement %+v from %q", l, sql)
			}
		}
	})
}
