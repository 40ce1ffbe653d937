package pages

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzGlobMatch checks the matcher of _routes.json rules against the
// regexp a rule stands for ("*" is any run of characters, a newline
// included): they must agree on every path.
func FuzzGlobMatch(f *testing.F) {
	for _, c := range [][2]string{
		{"/api/*", "/api/x"}, {"/api/*", "/api"}, {"/*", "/"}, {"/a*b*c", "/abc"}, {"/a*b*c", "/aXbYbZc"},
		{"/a*a", "/a"}, {"/a*a", "/aa"}, {"/**", "/x/y"}, {"/login", "/login"}, {"/login", "/login/"},
		{"*", ""}, {"/x*/y*/z", "/x1/y2/z"}, {"/ab*ba", "/aba"}, {"/api/*", "/api/a\nb"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, rule, path string) {
		parts := strings.Split(rule, "*")
		quoted := make([]string, len(parts))
		for i, p := range parts {
			quoted[i] = regexp.QuoteMeta(p)
		}
		re, err := regexp.Compile("(?s)^" + strings.Join(quoted, ".*") + "$")
		if err != nil {
			return // not UTF-8: the regexp cannot say
		}
		if got, want := globMatch(parts, path), re.MatchString(path); got != want {
			t.Fatalf("rule %q, path %q: glob %v, regexp %v", rule, path, got, want)
		}
	})
}

// TestRoutesMatchRules: exclude wins over include; "*" spans slashes.
func TestRoutesMatchRules(t *testing.T) {
	r := NewRoutes([]string{"/api/*", "/login", "/a*z"}, []string{"/api/static/*"})
	for path, want := range map[string]bool{
		"/api/x": true, "/api/x/y": true, "/api": false, "/api/static/app.js": false, "/login": true,
		"/login/": false, "/abz": true, "/az": true, "/a/b/z": true, "/za": false, "/": false,
	} {
		if got := r.Match(path); got != want {
			t.Errorf("Match(%q) = %v, want %v", path, got, want)
		}
	}
}
