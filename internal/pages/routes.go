package pages

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Routes is a _routes.json file: which request paths invoke Pages
// Functions (include) and which go straight to static assets (exclude,
// which wins). Patterns are paths with "*" wildcards.
type Routes struct {
	Version int      `json:"version"`
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
	// inc and exc are the rules split at their "*"s, matched without a
	// regexp engine (a regexp took ~1 µs a match on the benchmark machine,
	// paid by every request of a project with Functions).
	inc, exc [][]string
}

// ParseRoutes reads and validates a _routes.json as Cloudflare does:
// version 1, at least one include rule, every rule starting with "/", at
// most [MaxRoutesRules] rules in all and [MaxRoutesRuleLength] characters
// each. file names the file in messages.
func ParseRoutes(data []byte, file string) (*Routes, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Please make sure the file contains valid JSON: %v", file, err)
	}
	var r Routes
	okShape := raw["version"] != nil && raw["include"] != nil && raw["exclude"] != nil &&
		json.Unmarshal(raw["version"], &r.Version) == nil &&
		json.Unmarshal(raw["include"], &r.Include) == nil &&
		json.Unmarshal(raw["exclude"], &r.Exclude) == nil && r.Include != nil && r.Exclude != nil
	if !okShape {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Please make sure the JSON object has the following format:\n{\n\tversion: 1;\n\tinclude: string[];\n\texclude: string[];\n}\nand that at least one include rule is provided.", file)
	}
	if r.Version != 1 {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Please make sure the JSON object has the version 1 (got %d).", file, r.Version)
	}
	if len(r.Include) == 0 {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Please make sure that at least one include rule is provided.", file)
	}
	if n := len(r.Include) + len(r.Exclude); n > MaxRoutesRules {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Detected rules that are over the %d rule limit. Please make sure you have a total of %d include and exclude rules combined (got %d).", file, MaxRoutesRules, MaxRoutesRules, n)
	}
	var long, relative []string
	for _, rule := range append(append([]string{}, r.Include...), r.Exclude...) {
		if len(rule) > MaxRoutesRuleLength {
			long = append(long, rule)
		}
		if !strings.HasPrefix(rule, "/") {
			relative = append(relative, rule)
		}
	}
	if len(long) > 0 {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. Please make sure that all rules are at most %d characters long; these are not: %s", file, MaxRoutesRuleLength, strings.Join(long, ", "))
	}
	if len(relative) > 0 {
		return nil, fmt.Errorf("Invalid _routes.json file found at: %s. All rules must start with '/'. Please make sure these rules do: %s", file, strings.Join(relative, ", "))
	}
	r.compile()
	return &r, nil
}

func (r *Routes) compile() {
	r.inc, r.exc = nil, nil
	for _, s := range r.Include {
		r.inc = append(r.inc, strings.Split(s, "*"))
	}
	for _, s := range r.Exclude {
		r.exc = append(r.exc, strings.Split(s, "*"))
	}
}

// globMatch reports whether s matches a rule split at its "*"s, each "*"
// standing for any run of characters (a newline too: Cloudflare matches
// the percent-encoded pathname, where a newline is %0A): the first part is
// a prefix, the last a suffix that does not overlap it, and the parts
// between occur in order (taking each at its first occurrence is enough
// when "*" matches anything).
func globMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// NewRoutes returns routes that include and exclude the given patterns
// (what zerostack assumes when a project has Functions and no
// _routes.json: include "/*").
func NewRoutes(include, exclude []string) *Routes {
	r := &Routes{Version: 1, Include: include, Exclude: exclude}
	r.compile()
	return r
}

// Match reports whether a request for path (the URL's pathname) invokes
// Functions: no exclude rule matches it and an include rule does.
func (r *Routes) Match(path string) bool {
	for _, g := range r.exc {
		if globMatch(g, path) {
			return false
		}
	}
	for _, g := range r.inc {
		if globMatch(g, path) {
			return true
		}
	}
	return false
}
