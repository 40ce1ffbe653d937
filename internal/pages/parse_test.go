package pages

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseHeadersInvalidLines(t *testing.T) {
	long := "/" + strings.Repeat("a", MaxLineLength)
	cases := []struct {
		name, in string
		want     []Invalid
	}{
		{"header before path", "X-A: b\n", []Invalid{{Line: 1, Text: "X-A: b", Message: "Path should come before header (x-a: b)"}}},
		{"no colon, no rule", "hello\n", []Invalid{{Line: 1, Text: "hello", Message: "Expected a path beginning with at least one forward-slash"}}},
		{"no colon in rule", "/a\n  hello\n  X: y\n", []Invalid{{Line: 2, Text: "hello", Message: "Expected a colon-separated header pair (e.g. name: value)"}}},
		{"space in name", "/a\n  X Y: z\n  A: b\n", []Invalid{{Line: 2, Text: "X Y: z", Message: "Header name cannot include spaces"}}},
		{"no name", "/a\n  : z\n  A: b\n", []Invalid{{Line: 2, Text: ": z", Message: "No header name specified"}}},
		{"no value", "/a\n  A:\n  B: c\n", []Invalid{{Line: 2, Text: "A:", Message: "No header value specified"}}},
		{"empty rule then rule", "/a\n/b\n  A: b\n", []Invalid{{Line: 2, Text: "/a", Message: "No headers specified"}}},
		{"empty rule at end", "/a\n  A: b\n/c\n", []Invalid{{Text: "/c", Message: "No headers specified"}}},
		{"absolute with port", "https://example.com:8443/a\n  A: b\n", []Invalid{
			{Line: 1, Text: "https://example.com:8443/a", Message: "Specifying ports is not supported. Skipping absolute URL https://example.com:8443/a."},
			{Line: 2, Text: "A: b", Message: "Path should come before header (a: b)"},
		}},
		{"http URL", "http://example.com/a\n  A: b\n", []Invalid{
			{Line: 1, Text: "http://example.com/a", Message: `URLs should either be relative (e.g. begin with a forward-slash), or use HTTPS (e.g. begin with "https://").`},
			{Line: 2, Text: "A: b", Message: "Path should come before header (a: b)"},
		}},
		{"too long", long + "\n", []Invalid{{Message: "Ignoring line 1 as it exceeds the maximum allowed length of 2000."}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got := ParseHeaders(c.in)
			if len(got) != len(c.want) {
				t.Fatalf("invalid = %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("invalid[%d] = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestParseHeadersRuleLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxHeaderRules+2; i++ {
		b.WriteString("/p" + itoa(i) + "\n  X: y\n")
	}
	h, invalid := ParseHeaders(b.String())
	// A rule is counted once the next path line closes it, so the limit
	// is noticed at the 102nd path line (line 203 of 205, counting the
	// empty string after the final newline as wrangler's split does).
	// wrangler then still keeps the 101st rule; zerostack keeps 100.
	if len(h.Rules) != MaxHeaderRules {
		t.Errorf("rules = %d, want %d", len(h.Rules), MaxHeaderRules)
	}
	want := "Maximum number of rules supported is 100. Skipping remaining 3 lines of file."
	if len(invalid) != 1 || invalid[0].Message != want {
		t.Errorf("invalid = %+v, want %q", invalid, want)
	}
}

func TestHeadersApply(t *testing.T) {
	h, invalid := ParseHeaders(`
# comment
/*
  X-Frame-Options: DENY
  X-Multi: a
  X-Multi: b
/secure/*
  ! X-Frame-Options
  Content-Security-Policy: default-src 'self'
/blog/:slug
  X-Slug: :slug
/static/*
  Cache-Control: public, max-age=31536000, immutable
https://:sub.example.com/*
  X-Sub: :sub
/*
  X-Frame-Options: SAMEORIGIN
`)
	if len(invalid) != 0 {
		t.Fatalf("invalid: %v", invalid)
	}
	cases := []struct {
		host, path string
		want       map[string]string
	}{
		{"localhost", "/", map[string]string{"X-Frame-Options": "DENY, SAMEORIGIN", "X-Multi": "a, b", "Content-Security-Policy": ""}},
		{"localhost", "/secure/page", map[string]string{"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": "default-src 'self'"}},
		{"localhost", "/blog/hello-world", map[string]string{"X-Slug": "hello-world"}},
		{"localhost", "/blog/a/b", map[string]string{"X-Slug": ""}},
		{"localhost", "/static/app.js", map[string]string{"Cache-Control": "public, max-age=31536000, immutable"}},
		{"shop.example.com", "/x", map[string]string{"X-Sub": "shop"}},
		{"a.b.example.com", "/x", map[string]string{"X-Sub": ""}},
	}
	for _, c := range cases {
		hdr := http.Header{"Cache-Control": {CacheControl}}
		h.Apply(hdr, c.host, c.path)
		for k, v := range c.want {
			if got := strings.Join(hdr.Values(k), ", "); got != v {
				t.Errorf("%s%s: %s = %q, want %q", c.host, c.path, k, got, v)
			}
		}
	}
}

func TestParseRedirectsInvalidLines(t *testing.T) {
	cases := []struct {
		name, in, html string
		want           string
	}{
		{"one token", "/a\n", "", "Expected exactly 2 or 3 whitespace-separated tokens. Got 1."},
		{"four tokens", "/a /b 301 extra\n", "", "Expected exactly 2 or 3 whitespace-separated tokens. Got 4."},
		{"absolute from", "https://example.com/a /b\n", "", "Only relative URLs are allowed. Skipping absolute URL https://example.com/a."},
		{"bad to", "/a ftp://example.com/b\n", "", `URLs should either be relative (e.g. begin with a forward-slash), or use HTTPS (e.g. begin with "https://").`},
		{"bad status", "/a /b 404\n", "", "Valid status codes are 200, 301, 302 (default), 303, 307, or 308. Got 404."},
		{"non-numeric status", "/a /b abc\n", "", "Valid status codes are 200, 301, 302 (default), 303, 307, or 308. Got abc."},
		{"splat to index", "/* /index.html 200\n", "", "Infinite loop detected in this rule and has been ignored. This will cause a redirect to strip `.html` or `/index` and end up triggering this rule again. Please fix or remove this rule to silence this warning."},
		{"root to index", "/ /index 301\n", "", "Infinite loop detected in this rule and has been ignored. This will cause a redirect to strip `.html` or `/index` and end up triggering this rule again. Please fix or remove this rule to silence this warning."},
		{"duplicate", "/a /b\n/a /c\n", "", "Ignoring duplicate rule for path /a."},
		{"absolute proxy", "/a https://example.com/b 200\n", "", "Proxy (200) redirects can only point to relative paths. Got https://example.com/b"},
		{"too long", "/a /" + strings.Repeat("b", MaxLineLength) + "\n", "", "Ignoring line 1 as it exceeds the maximum allowed length of 2000."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, invalid := ParseRedirects(c.in, RedirectOptions{HTMLHandling: c.html})
			if len(invalid) != 1 || invalid[0].Message != c.want {
				t.Fatalf("invalid = %+v, want one with %q", invalid, c.want)
			}
		})
	}
	// With html_handling none, "/ /index.html" is a plain rewrite.
	if _, invalid := ParseRedirects("/ /index.html 200\n", RedirectOptions{HTMLHandling: "none"}); len(invalid) != 0 {
		t.Errorf("html_handling none: %v", invalid)
	}
}

func TestParseRedirectsLimits(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 4; i++ {
		b.WriteString("/s" + itoa(i) + " /t\n")
	}
	for i := 0; i < 3; i++ {
		b.WriteString("/d" + itoa(i) + "/* /t\n")
	}
	rd, invalid := ParseRedirects(b.String(), RedirectOptions{MaxStatic: 3, MaxDynamic: 2})
	want := []string{
		"Maximum number of static rules supported is 3. Skipping line.",
		"Maximum number of dynamic rules supported is 2. Skipping remaining 2 lines of file.",
	}
	if len(invalid) != 2 || invalid[0].Message != want[0] || invalid[1].Message != want[1] {
		t.Fatalf("invalid = %+v, want %q", invalid, want)
	}
	if len(rd.Rules) != 5 {
		t.Errorf("rules = %d, want 5", len(rd.Rules))
	}
}

func TestRedirectsMatch(t *testing.T) {
	rd, invalid := ParseRedirects(`
/home / 301
/old-blog/* /blog/:splat 308
/users/:id/profile /u/:id 302 # an inline comment
/news/:year/:month/* /archive/:year-:month/:splat
/search /find?q=all 303
/docs /documentation#intro 307
/proxy/* /assets/:splat 200
/ext https://example.com/path
/moved/* https://new.example.com/:splat 301
/a//b///c /x
/home /ignored 302
`, RedirectOptions{})
	if len(invalid) != 1 || invalid[0].Message != "Ignoring duplicate rule for path /home." {
		t.Fatalf("invalid = %v", invalid)
	}
	cases := []struct {
		host, path, query string
		status            int
		to, location      string
	}{
		{"localhost", "/home", "", 301, "/", "/"},
		{"localhost", "/home", "x=1", 301, "/", "/?x=1"},
		{"localhost", "/old-blog/2020/post", "", 308, "/blog/2020/post", "/blog/2020/post"},
		{"localhost", "/users/42/profile", "", 302, "/u/42", "/u/42"},
		{"localhost", "/news/2024/05/a/b", "", 302, "/archive/2024-05/a/b", "/archive/2024-05/a/b"},
		{"localhost", "/search", "q=x", 303, "/find?q=all", "/find?q=all"},
		{"localhost", "/docs", "", 307, "/documentation#intro", "/documentation#intro"},
		{"localhost", "/proxy/img.png", "", 200, "/assets/img.png", ""},
		{"localhost", "/ext", "a=b", 302, "https://example.com/path", "https://example.com/path?a=b"},
		{"localhost", "/moved/p/q", "", 301, "https://new.example.com/p/q", "https://new.example.com/p/q"},
		{"localhost", "/none", "", 0, "", ""},
	}
	for _, c := range cases {
		r, to := rd.Match(c.host, c.path)
		if c.status == 0 {
			if r != nil {
				t.Errorf("%s: matched %+v", c.path, r)
			}
			continue
		}
		if r == nil || r.Status != c.status || to != c.to {
			t.Errorf("%s%s: got %+v %q, want %d %q", c.host, c.path, r, to, c.status, c.to)
			continue
		}
		if c.location != "" {
			u := &url.URL{Scheme: "https", Host: c.host, Path: c.path, RawQuery: c.query}
			if loc := Location(u, to); loc != c.location {
				t.Errorf("%s: Location = %q, want %q", c.path, loc, c.location)
			}
		}
	}
}

func TestParseRoutes(t *testing.T) {
	r, err := ParseRoutes([]byte(`{"version":1,"include":["/api/*","/login"],"exclude":["/api/static/*"]}`), "_routes.json")
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"/api/x": true, "/api/static/a.js": false, "/login": true, "/login/x": false, "/": false} {
		if got := r.Match(p); got != want {
			t.Errorf("Match(%s) = %v, want %v", p, got, want)
		}
	}
	bad := map[string]string{
		`{`:                          "valid JSON",
		`{"version":1,"include":[]}`: "following format",
		`{"version":2,"include":["/*"],"exclude":[]}`:                                "version 1",
		`{"version":1,"include":[],"exclude":[]}`:                                    "at least one include rule",
		`{"version":1,"include":["api/*"],"exclude":[]}`:                             "must start with '/'",
		`{"version":1,"include":["/` + strings.Repeat("a", 100) + `"],"exclude":[]}`: "at most 100 characters",
	}
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, `"/r`+itoa(i)+`"`)
	}
	bad[`{"version":1,"include":[`+strings.Join(many, ",")+`],"exclude":[]}`] = "over the 100 rule limit"
	for in, want := range bad {
		_, err := ParseRoutes([]byte(in), "dist/_routes.json")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "dist/_routes.json") {
			t.Errorf("%.40s: err = %v, want one containing %q", in, err, want)
		}
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"/*\n  X: y\n", "/a/:b\n  ! X\n  Y: :b\n", "https://:s.x.com/*\n  A: b", "X: y", "/a\n/b\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, _ := ParseHeaders(s)
		if len(h.Rules) > MaxHeaderRules {
			t.Fatalf("%d rules", len(h.Rules))
		}
		for _, r := range h.Rules {
			if len(r.Set) == 0 && len(r.Unset) == 0 {
				t.Fatalf("empty rule %+v", r)
			}
		}
		h.Apply(http.Header{}, "example.com", "/a/b")
	})
}

func FuzzParseRedirects(f *testing.F) {
	for _, s := range []string{"/a /b 301\n", "/a/* /b/:splat\n", "/:x/:y /z/:y/:x 200\n", "/a /b # c\n", "https://a.com/* https://b.com/:splat 308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rd, _ := ParseRedirects(s, RedirectOptions{})
		for _, r := range rd.Rules {
			if !permittedStatus(r.Status) {
				t.Fatalf("status %d", r.Status)
			}
			if r.Status == 200 && urlHasHost(r.To) {
				t.Fatalf("absolute proxy %q", r.To)
			}
		}
		rd.Match("example.com", "/a/b")
	})
}

func FuzzParseRoutes(f *testing.F) {
	f.Add([]byte(`{"version":1,"include":["/*"],"exclude":[]}`))
	f.Add([]byte(`{"version":1,"include":["/a/*"],"exclude":["/a/b"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRoutes(b, "_routes.json")
		if err == nil {
			r.Match("/a/b")
		}
	})
}

func TestExtractPathname(t *testing.T) {
	cases := map[string]string{
		"/a/./b/../c":  "/a/c",
		"/a/b/..":      "/a/",
		"/../x":        "/x",
		"/a b":         "/a%20b",
		"/%zz":         "/%zz",
		"/é":           "/%C3%A9",
		"a/b":          "/a/b",
		"/a?x=1 2#f g": "/a?x=1%202#f%20g",
		"/a?#":         "/a",
		"/:id/*":       "/:id/*",
	}
	for in, want := range cases {
		if got, err := extractPathname(in, true, true); err != nil || got != want {
			t.Errorf("extractPathname(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
