package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestPagesCommandErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"pages", "deploy"}, 2, `unknown command "deploy"`},
		{[]string{"pages", "dev", "a", "b"}, 2, "at most one directory"},
		{[]string{"pages", "dev", "--binding", "NOVALUE"}, 2, "--binding wants KEY=VALUE"},
		{[]string{"pages", "dev", "--port", "-1"}, 1, "no directory to serve"},
		{[]string{"pages", "dev", "missing-dir", "--port", "-1"}, 1, "missing-dir"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := Main(c.args, strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.err)
		}
	}
}
