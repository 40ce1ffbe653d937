package pages

import (
	"fmt"
	"regexp"
	"strings"
)

// Limits of _headers, _redirects and _routes.json, Cloudflare's numbers
// (workers-shared's configuration constants, checked in workers-sdk 2026).
const (
	MaxLineLength         = 2000
	MaxHeaderRules        = 100
	MaxStaticRedirects    = 2000
	MaxDynamicRedirects   = 100
	MaxRoutesRules        = 100
	MaxRoutesRuleLength   = 100
	permittedStatusCodesS = "200, 301, 302 (default), 303, 307, or 308"
)

// Invalid is a line of _headers or _redirects that was ignored, with the
// message wrangler prints for it. Line is 0 (and Text empty) for messages
// about the file as a whole, such as a limit being reached.
type Invalid struct {
	Line    int
	Text    string
	Message string
}

func (i Invalid) String() string {
	if i.Line == 0 {
		return i.Message
	}
	return fmt.Sprintf("line %d: %s\n    %s", i.Line, i.Text, i.Message)
}

var (
	urlHostRE          = regexp.MustCompile(`^https://+([^/]+)/?(.*)$`)
	hostWithPortRE     = regexp.MustCompile(`.*:\d+$`)
	placeholderRE      = regexp.MustCompile(`:([A-Za-z]\w*)`)
	multiSlash         = regexp.MustCompile(`/+`)
	absoluteProtocolRE = regexp.MustCompile(`^(\w+://)`)
)

// extractPathname normalizes a rule path as the WHATWG URL parser does
// for the path of a non-special URL (wrangler parses "//"+path against a
// "relative://" base and reads back pathname, and search and hash when
// asked): dot segments resolved, the characters that such a path, query or
// fragment percent-encodes encoded, and nothing else changed (an invalid
// escape such as %zz stays). It never fails: the URL parser accepts any
// path.
func extractPathname(p string, withSearch, withHash bool) (string, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	frag, query := "", ""
	hasFrag, hasQuery := false, false
	if i := strings.IndexByte(p, '#'); i >= 0 {
		frag, p, hasFrag = p[i+1:], p[:i], true
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		query, p, hasQuery = p[i+1:], p[:i], true
	}
	var segs []string
	parts := strings.Split(p[1:], "/")
	for i, seg := range parts {
		last := i == len(parts)-1
		switch strings.ToLower(seg) {
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if last {
				segs = append(segs, "")
			}
		case ".", "%2e":
			if last {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, percentEncode(seg, "\"\x20<>`{}"))
		}
	}
	out := "/" + strings.Join(segs, "/")
	if withSearch && hasQuery && query != "" {
		out += "?" + percentEncode(query, "\"\x20<>#")
	}
	if withHash && hasFrag && frag != "" {
		out += "#" + percentEncode(frag, "\"\x20<>`")
	}
	return out, nil
}

// percentEncode encodes C0 controls, bytes above 0x7E and the bytes in set.
func percentEncode(s, set string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7E || strings.IndexByte(set, c) >= 0 {
			const hexd = "0123456789ABCDEF"
			if b.Len() == 0 {
				b.WriteString(s[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// validateURL checks a rule's path or URL token as wrangler's validateUrl
// does and returns its normalized form or the message for an invalid one.
func validateURL(token string, onlyRelative, disallowPorts, withSearch, withHash bool) (string, string) {
	if m := urlHostRE.FindStringSubmatch(token); m != nil && m[1] != "" {
		if onlyRelative {
			return "", "Only relative URLs are allowed. Skipping absolute URL " + token + "."
		}
		if disallowPorts && hostWithPortRE.MatchString(m[1]) {
			return "", "Specifying ports is not supported. Skipping absolute URL " + token + "."
		}
		p, err := extractPathname(m[2], withSearch, withHash)
		if err != nil {
			return "", "Error parsing URL segment " + token + ". Skipping."
		}
		return "https://" + m[1] + p, ""
	}
	if !strings.HasPrefix(token, "/") && onlyRelative {
		token = "/" + token
	}
	if strings.HasPrefix(token, "/") {
		p, err := extractPathname(token, withSearch, withHash)
		if err != nil {
			return "", "Error parsing URL segment " + token + ". Skipping."
		}
		return p, ""
	}
	if onlyRelative {
		return "", "URLs should begin with a forward-slash."
	}
	return "", `URLs should either be relative (e.g. begin with a forward-slash), or use HTTPS (e.g. begin with "https://").`
}

func urlHasHost(token string) bool {
	m := urlHostRE.FindStringSubmatch(token)
	return m != nil && m[1] != ""
}

// rulePattern is a compiled _headers/_redirects path pattern: "*" is a
// splat (any characters, captured as :splat) and ":name" a placeholder
// (one path segment; in the host of an https:// rule, one label). Rules
// starting with https:// are matched against "https://<host><path>" of the
// request whatever its scheme, as Cloudflare does.
type rulePattern struct {
	crossHost bool
	re        *regexp.Regexp
}

// compileRule compiles a pattern; like Cloudflare, a pattern that cannot
// compile (two splats, or a placeholder name used twice) never matches,
// so it returns nil.
func compileRule(rule string) *rulePattern {
	parts := strings.Split(rule, "*")
	if len(parts) > 2 {
		return nil // a repeated capture name: Cloudflare's RegExp throws
	}
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	s := strings.Join(parts, "(?P<splat>.*)")
	seen := map[string]bool{}
	if len(parts) == 2 {
		seen["splat"] = true
	}
	bad := false
	hostEnd := 0
	if strings.HasPrefix(rule, "https://") {
		// The host is everything up to the first "/" after "https://".
		rest := s[len("https://"):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			hostEnd = len("https://") + i
		} else {
			hostEnd = len(s)
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if seen[name] {
			bad = true
		}
		seen[name] = true
		b.WriteString(s[last:m[0]])
		if m[0] < hostEnd {
			b.WriteString("(?P<" + name + ">[^/.]+)")
		} else {
			b.WriteString("(?P<" + name + ">[^/]+)")
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	if bad {
		return nil
	}
	re, err := regexp.Compile("^" + b.String() + "$")
	if err != nil {
		return nil
	}
	return &rulePattern{crossHost: strings.HasPrefix(rule, "https://"), re: re}
}

// match reports whether the request's host and (encoded) path match, and
// the captured placeholder values.
func (p *rulePattern) match(host, path string) (map[string]string, bool) {
	test := path
	if p.crossHost {
		test = "https://" + host + path
	}
	m := p.re.FindStringSubmatch(test)
	if m == nil {
		return nil, false
	}
	vals := map[string]string{}
	for i, n := range p.re.SubexpNames() {
		if n != "" {
			vals[n] = m[i]
		}
	}
	return vals, true
}

// replacePlaceholders substitutes :name with its captured value; names
// without a value stay as they are.
func replacePlaceholders(s string, vals map[string]string) string {
	if len(vals) == 0 {
		return s
	}
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vals[m[1:]]; ok {
			return v
		}
		return m
	})
}
