package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseDotenv(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		ignored []int
	}{
		{"plain", "A=1\nB=two words\n", map[string]string{"A": "1", "B": "two words"}, nil},
		{"spaces around", "  A  =  padded  \n", map[string]string{"A": "padded"}, nil},
		{"empty value", "A=\nB=\"\"\n", map[string]string{"A": "", "B": ""}, nil},
		{"comments", "# c\nA=1 # trailing\nB=x#y\n  # indented\n", map[string]string{"A": "1", "B": "x"}, nil},
		{"hash in quotes", `A="x # y"` + "\n" + `B='#'`, map[string]string{"A": "x # y", "B": "#"}, nil},
		{"export prefix", "export A=1\nexport  B=\"2\"\nexporter=3\n", map[string]string{"A": "1", "B": "2", "exporter": "3"}, nil},
		{"quotes", `A="double"` + "\n" + `B='single'` + "\n" + "C=`back`\n", map[string]string{"A": "double", "B": "single", "C": "back"}, nil},
		{"double quote escapes", `A="a\nb\rc\td\\e"`, map[string]string{"A": "a\nb\rc\\td\\\\e"}, nil},
		{"single quotes are literal", `A='a\nb'`, map[string]string{"A": `a\nb`}, nil},
		{"multiline double", "A=\"one\ntwo\nthree\"\nB=after\n", map[string]string{"A": "one\ntwo\nthree", "B": "after"}, nil},
		{"multiline single", "A='one\ntwo'\n", map[string]string{"A": "one\ntwo"}, nil},
		{"escaped quote", `A="say \"hi\""`, map[string]string{"A": `say \"hi\"`}, nil},
		{"unclosed quote is literal", "A=\"open\nB=2\n", map[string]string{"A": `"open`, "B": "2"}, nil},
		{"text after closing quote", `A="x" y`, map[string]string{"A": `"x" y`}, nil},
		{"crlf", "A=1\r\nB=\"x\r\ny\"\r\n", map[string]string{"A": "1", "B": "x\ny"}, nil},
		{"colon separator", "A: 1\nB:2\n", map[string]string{"A": "1"}, []int{2}},
		{"dotted and dashed keys", "a.b-c=1\n", map[string]string{"a.b-c": "1"}, nil},
		{"later wins", "A=1\nA=2\n", map[string]string{"A": "2"}, nil},
		{"garbage lines", "just text\n=novalue\nA=1\n", map[string]string{"A": "1"}, []int{1, 2}},
		{"no trailing newline", "A=1", map[string]string{"A": "1"}, nil},
		{"equals in value", "URL=postgres://u:p@h/db?a=b\n", map[string]string{"URL": "postgres://u:p@h/db?a=b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, ignored := ParseDotenv([]byte(tt.in))
			got := map[string]string{}
			for _, e := range entries {
				got[e.Key] = e.Value
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("values = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(ignored, tt.ignored) {
				t.Errorf("ignored = %v, want %v", ignored, tt.ignored)
			}
		})
	}
}

func TestParseDotenvLines(t *testing.T) {
	entries, _ := ParseDotenv([]byte("# c\nA=\"x\ny\"\n\nB=1\n"))
	if len(entries) != 2 || entries[0].Line != 2 || entries[1].Line != 5 || entries[0].Quote != '"' || entries[1].Quote != 0 {
		t.Errorf("entries = %+v", entries)
	}
}

func TestExpandDotenv(t *testing.T) {
	vars := map[string]string{
		"A":      "a",
		"B":      "${A}-$A-${NOPE}-$NOPE",
		"C":      "${B}!",
		"D":      `\$A`,
		"E":      "${NOPE:-def} ${A:-def} ${NOPE-def2}",
		"EMPTY":  "",
		"F":      "${EMPTY:-used} [${EMPTY-unused}]",
		"LOOP1":  "${LOOP2}",
		"LOOP2":  "${LOOP1}x",
		"LIT":    "$A",
		"DOLLAR": "cost $ 5 and ${unterminated",
	}
	got := expandDotenv(vars, map[string]bool{"LIT": true})
	want := map[string]string{
		"A": "a", "B": "a-a--", "C": "a-a--!", "D": "$A", "E": "def a def2", "EMPTY": "",
		"F": "used []", "LOOP1": "x", "LOOP2": "x", "LIT": "$A", "DOLLAR": "cost $ 5 and ${unterminated",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

func FuzzDotenv(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "export A=\"x\ny\"\n", "A='x'#c\n", "# only\n", "A=\"unterminated\n", "A=`b`\r\n", "A: b\n",
		"A=${B:-c}$D\\$E\n", "\"\n'", "export\n", "A=\"\\\"\n",
	} {
		f.Add(s, "key", "value")
	}
	f.Fuzz(func(t *testing.T, data, key, value string) {
		entries, ignored := ParseDotenv([]byte(data))
		lines := strings.Count(data, "\n") + 1
		vars := map[string]string{}
		for _, e := range entries {
			if e.Key == "" || e.Line < 1 || e.Line > lines {
				t.Fatalf("bad entry %+v for %q", e, data)
			}
			vars[e.Key] = e.Value
		}
		for _, l := range ignored {
			if l < 1 || l > lines {
				t.Fatalf("bad ignored line %d for %q", l, data)
			}
		}
		expandDotenv(vars, nil)

		// Round trip: a well-formed key with a double-quoted value that has
		// no quote or backslash comes back unchanged.
		if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r > 127 || !isDotenvKeyChar(byte(r)) }) ||
			strings.HasPrefix(key, "export") || strings.ContainsAny(value, "\"\\\r") {
			return
		}
		entries, _ = ParseDotenv([]byte(key + "=\"" + value + "\"\n"))
		if len(entries) != 1 || entries[0].Key != key || entries[0].Value != value {
			t.Fatalf("round trip of %q=%q: got %+v", key, value, entries)
		}
	})
}
