package pages

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// HeaderRule is one _headers rule: a path pattern and the headers it sets
// (names lower-cased, repeated names joined with ", ") or detaches ("! name").
type HeaderRule struct {
	Path  string
	Set   [][2]string // in file order
	Unset []string
	pat   *rulePattern
}

// Headers is a parsed _headers file.
type Headers struct {
	Rules []HeaderRule
}

var lineIsProbablyAPath = regexp.MustCompile(`^([^\s]+://|/)`)

// ParseHeaders parses a _headers file as Cloudflare does. Lines it ignores
// come back in invalid with wrangler's messages; the valid rules still
// apply. At most [MaxHeaderRules] rules are read.
func ParseHeaders(text string) (*Headers, []Invalid) {
	lines := strings.Split(text, "\n")
	h := &Headers{}
	var invalid []Invalid
	type pending struct {
		HeaderRule
		line string
		idx  map[string]int
	}
	var rule *pending
	flush := func(lineNo int) {
		if rule == nil {
			return
		}
		if len(rule.Set) > 0 || len(rule.Unset) > 0 {
			rule.pat = compileRule(rule.Path)
			h.Rules = append(h.Rules, rule.HeaderRule)
		} else {
			invalid = append(invalid, Invalid{Line: lineNo, Text: rule.line, Message: "No headers specified"})
		}
	}
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) > MaxLineLength {
			invalid = append(invalid, Invalid{Message: fmt.Sprintf("Ignoring line %d as it exceeds the maximum allowed length of %d.", i+1, MaxLineLength)})
			continue
		}
		if lineIsProbablyAPath.MatchString(line) {
			if len(h.Rules) >= MaxHeaderRules {
				invalid = append(invalid, Invalid{Message: fmt.Sprintf("Maximum number of rules supported is %d. Skipping remaining %d lines of file.", MaxHeaderRules, len(lines)-i)})
				rule = nil
				break
			}
			// wrangler reports an empty rule with the number of the line
			// that follows it.
			flush(i + 1)
			rule = nil
			p, msg := validateURL(line, false, true, false, false)
			if msg != "" {
				invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: msg})
				continue
			}
			rule = &pending{HeaderRule: HeaderRule{Path: p}, line: line, idx: map[string]int{}}
			continue
		}
		if !strings.Contains(line, ":") {
			switch {
			case rule == nil:
				invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: "Expected a path beginning with at least one forward-slash"})
			case strings.HasPrefix(line, "! "):
				rule.Unset = append(rule.Unset, strings.Replace(line, "! ", "", 1))
			default:
				invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: "Expected a colon-separated header pair (e.g. name: value)"})
			}
			continue
		}
		rawName, rawValue, _ := strings.Cut(line, ":")
		name := strings.ToLower(strings.TrimSpace(rawName))
		if strings.Contains(name, " ") {
			invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: "Header name cannot include spaces"})
			continue
		}
		value := strings.TrimSpace(rawValue)
		if name == "" {
			invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: "No header name specified"})
			continue
		}
		if value == "" {
			invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: "No header value specified"})
			continue
		}
		if rule == nil {
			invalid = append(invalid, Invalid{Line: i + 1, Text: line, Message: fmt.Sprintf("Path should come before header (%s: %s)", name, value)})
			continue
		}
		if j, ok := rule.idx[name]; ok {
			rule.Set[j][1] += ", " + value
		} else {
			rule.idx[name] = len(rule.Set)
			rule.Set = append(rule.Set, [2]string{name, value})
		}
	}
	if rule != nil {
		if len(rule.Set) > 0 || len(rule.Unset) > 0 {
			rule.pat = compileRule(rule.Path)
			h.Rules = append(h.Rules, rule.HeaderRule)
		} else {
			invalid = append(invalid, Invalid{Text: rule.line, Message: "No headers specified"})
		}
	}
	return h, invalid
}

// Apply adds the headers of every rule matching host and path to hdr, in
// file order: a rule's "! name" lines remove the header first, then its
// headers replace what the response had, and a header that an earlier rule
// already set is appended to (values joined), as Cloudflare does.
func (h *Headers) Apply(hdr http.Header, host, path string) {
	if h == nil || len(h.Rules) == 0 {
		return
	}
	var setByRules map[string]bool
	for i := range h.Rules {
		r := &h.Rules[i]
		if r.pat == nil {
			continue
		}
		vals, ok := r.pat.match(host, path)
		if !ok {
			continue
		}
		for _, n := range r.Unset {
			hdr.Del(n)
		}
		if setByRules == nil {
			setByRules = map[string]bool{}
		}
		for _, kv := range r.Set {
			v := replacePlaceholders(kv[1], vals)
			if setByRules[kv[0]] {
				hdr.Add(kv[0], v)
			} else {
				hdr.Set(kv[0], v)
				setByRules[kv[0]] = true
			}
		}
	}
}
