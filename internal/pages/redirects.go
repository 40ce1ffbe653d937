package pages

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// RedirectRule is one _redirects rule. Status 200 rewrites the request to
// To (a "proxy" to another path of the site, the address bar unchanged);
// the others redirect.
type RedirectRule struct {
	From   string
	To     string
	Status int
	Line   int
	pat    *rulePattern
}

// Redirects is a parsed _redirects file: static rules (no splat or
// placeholder, before the first dynamic rule) are looked up by path;
// dynamic rules are tried in file order after them.
type Redirects struct {
	static  map[string]*RedirectRule
	dynamic []*RedirectRule
	// Rules are all valid rules in file order.
	Rules []*RedirectRule
}

// RedirectOptions tune [ParseRedirects].
type RedirectOptions struct {
	// HTMLHandling is the asset server's html_handling ("" means the
	// default, auto-trailing-slash): with "none", "/ /index.html" is not a
	// loop.
	HTMLHandling string
	// Limits (0: Cloudflare's).
	MaxStatic, MaxDynamic int
}

var (
	indexTargetRE  = regexp.MustCompile(`/index(.html)?$`)
	splatOrPlaceRE = regexp.MustCompile(`\*|:[A-Za-z]\w*`)
)

// ParseRedirects parses a _redirects file as Cloudflare does: each line is
// "from to [status]" (status 302 by default; 200, 301, 302, 303, 307 or
// 308), "#" starts a comment line or, from the third token on, an inline
// comment. Lines it ignores come back in invalid with wrangler's messages.
func ParseRedirects(text string, o RedirectOptions) (*Redirects, []Invalid) {
	if o.MaxStatic == 0 {
		o.MaxStatic = MaxStaticRedirects
	}
	if o.MaxDynamic == 0 {
		o.MaxDynamic = MaxDynamicRedirects
	}
	lines := strings.Split(text, "\n")
	rd := &Redirects{static: map[string]*RedirectRule{}}
	var invalid []Invalid
	seen := map[string]bool{}
	staticN, dynamicN := 0, 0
	canStatic := true
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(msg string) { invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: msg}) }
		if len(line) > MaxLineLength {
			invalid = append(invalid, Invalid{Message: fmt.Sprintf("Ignoring line %d as it exceeds the maximum allowed length of %d.", i+1, MaxLineLength)})
			continue
		}
		tokens := strings.Fields(line)
		for j := 2; j < len(tokens); j++ {
			if strings.HasPrefix(tokens[j], "#") {
				tokens = tokens[:j]
				break
			}
		}
		if len(tokens) < 2 || len(tokens) > 3 {
			bad(fmt.Sprintf("Expected exactly 2 or 3 whitespace-separated tokens. Got %d.", len(tokens)))
			continue
		}
		strStatus := "302"
		if len(tokens) == 3 {
			strStatus = tokens[2]
		}
		from, msg := validateURL(tokens[0], true, true, false, false)
		if msg != "" {
			bad(msg)
			continue
		}
		isStatic := false
		if canStatic && !splatOrPlaceRE.MatchString(from) {
			staticN++
			if staticN > o.MaxStatic {
				invalid = append(invalid, Invalid{Message: fmt.Sprintf("Maximum number of static rules supported is %d. Skipping line.", o.MaxStatic)})
				continue
			}
			isStatic = true
		} else {
			dynamicN++
			canStatic = false
			if dynamicN > o.MaxDynamic {
				invalid = append(invalid, Invalid{Message: fmt.Sprintf("Maximum number of dynamic rules supported is %d. Skipping remaining %d lines of file.", o.MaxDynamic, len(lines)-i)})
				break
			}
		}
		to, msg := validateURL(tokens[1], false, false, true, true)
		if msg != "" {
			bad(msg)
			continue
		}
		status, err := jsNumber(strStatus)
		if err != nil || !permittedStatus(status) {
			bad("Valid status codes are " + permittedStatusCodesS + ". Got " + strStatus + ".")
			continue
		}
		relative := !urlHasHost(to)
		wildcardToIndex := strings.HasSuffix(from, "/*") && indexTargetRE.MatchString(to)
		rootToIndex := strings.HasSuffix(from, "/") && indexTargetRE.MatchString(to)
		if relative && (wildcardToIndex || (rootToIndex && o.HTMLHandling != "none")) {
			bad("Infinite loop detected in this rule and has been ignored. This will cause a redirect to strip `.html` or `/index` and end up triggering this rule again. Please fix or remove this rule to silence this warning.")
			continue
		}
		if seen[from] {
			bad("Ignoring duplicate rule for path " + from + ".")
			continue
		}
		seen[from] = true
		if status == 200 && urlHasHost(to) {
			bad("Proxy (200) redirects can only point to relative paths. Got " + to)
			continue
		}
		r := &RedirectRule{From: from, To: to, Status: status, Line: i + 1}
		rd.Rules = append(rd.Rules, r)
		if isStatic {
			rd.static[from] = r
		} else {
			r.pat = compileRule(from)
			rd.dynamic = append(rd.dynamic, r)
		}
	}
	return rd, invalid
}

// jsNumber converts a status token as JavaScript's Number() would for the
// values that matter here (decimal integers, surrounding space ignored);
// anything else is an error.
func jsNumber(s string) (int, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) && !strings.ContainsAny(s, "xXnN") {
		return int(f), nil
	}
	return 0, strconv.ErrSyntax
}

func permittedStatus(s int) bool {
	switch s {
	case 200, 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// Match finds the rule for a request to host and (encoded) path: a static
// rule for "https://host/path" or "/path" (the earlier line wins when both
// exist), else the first dynamic rule that matches. It returns the rule and
// its destination with :splat and :placeholders substituted; relative
// destinations have repeated slashes collapsed.
func (rd *Redirects) Match(host, path string) (*RedirectRule, string) {
	if rd == nil {
		return nil, ""
	}
	withHost := rd.static["https://"+host+path]
	without := rd.static[path]
	switch {
	case withHost != nil && without != nil:
		if withHost.Line < without.Line {
			return withHost, withHost.To
		}
		return without, without.To
	case withHost != nil:
		return withHost, withHost.To
	case without != nil:
		return without, without.To
	}
	for _, r := range rd.dynamic {
		if r.pat == nil {
			continue
		}
		vals, ok := r.pat.match(host, path)
		if !ok {
			continue
		}
		to := strings.TrimSpace(replacePlaceholders(r.To, vals))
		if !absoluteProtocolRE.MatchString(to) {
			to = multiSlash.ReplaceAllString(to, "/")
		}
		return r, to
	}
	return nil, ""
}

// Location computes the Location header of a redirect to "to" for a
// request URL: a destination on the same origin becomes a path (with the
// request's query string unless the destination has its own), another
// origin an absolute URL, as Cloudflare sends it.
func Location(req *url.URL, to string) string {
	dest, err := req.Parse(to)
	if err != nil {
		return to
	}
	search := ""
	if req.RawQuery != "" {
		search = "?" + req.RawQuery
	}
	if dest.RawQuery != "" {
		search = "?" + dest.RawQuery
	}
	hash := ""
	if dest.Fragment != "" {
		hash = "#" + dest.EscapedFragment()
	}
	if dest.Scheme == req.Scheme && dest.Host == req.Host {
		return dest.EscapedPath() + search + hash
	}
	d := *dest
	d.RawQuery, d.Fragment, d.RawFragment, d.ForceQuery = "", "", "", false
	return d.String() + search + hash
}
