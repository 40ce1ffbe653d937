package webapi

import (
	"strconv"
	"strings"

	"github.com/zerostack/zerostack/internal/v8"
)

// Canonicalizer ids of the URLPattern Standard's encoding callbacks, shared
// with js/urlpattern.js.
const (
	canonProtocol = iota
	canonUsername
	canonPassword
	canonHostname
	canonPort
	canonPathname
	canonOpaquePathname
	canonSearch
	canonHash
	canonHostnamePattern
)

// installURLPattern defines urlCanon(kind, value, protocol?) for
// js/urlpattern.js: the URLPattern Standard's "canonicalize a …"
// algorithms, which run the URL parser with a state override on a dummy
// URL. It returns the canonical string, or undefined where the standard
// throws a TypeError. protocol (may be undefined) is the protocol the
// hostname and port belong to, when known.
func installURLPattern(r *Runtime) {
	r.Func("urlCanon", func(c *v8.Call) (any, error) {
		protocol, hasProtocol := "", !c.IsNullish(2)
		if hasProtocol {
			protocol = c.String(2)
		}
		s, ok := canonicalize(int(c.Int(0)), c.String(1), protocol, hasProtocol)
		if !ok {
			return nil, nil
		}
		return s, nil
	})
}

// canonicalize runs the URLPattern canonicalizer kind on value.
func canonicalize(kind int, value, protocol string, hasProtocol bool) (string, bool) {
	if value == "" {
		return "", true
	}
	u := &urlRecord{port: -1}
	switch kind {
	case canonProtocol:
		p := parseURL(value+"://dummy.invalid/", nil)
		if p == nil {
			return "", false
		}
		return p.scheme, true
	case canonUsername, canonPassword:
		return encodeString(value, &userinfoSet), true
	case canonHostnamePattern:
		// Fixed text of a hostname pattern must be a whole hostname: the
		// URL parser would stop at "/", "?", "#" or "\\" and drop the
		// rest, which a pattern must not do silently.
		if strings.ContainsFunc(value, isForbiddenHost) {
			return "", false
		}
		return canonicalize(canonHostname, value, protocol, hasProtocol)
	case canonHostname:
		// A hostname of a special (or not yet known) protocol is a domain
		// (UTS #46 applies); an opaque host is accepted where the domain
		// form fails and the protocol is unknown, as browsers do for
		// patterns such as "bad%hostname".
		if hasProtocol && protocol != "" && !isSpecial(protocol) {
			u.scheme = protocol
		} else {
			u.scheme = "https"
			if hasProtocol && protocol == "file" {
				u.scheme = "file"
			}
		}
		if !runOverride(u, value, stHostname) {
			if hasProtocol && protocol != "" {
				return "", false
			}
			u = &urlRecord{scheme: "zs-dummy", port: -1}
			if !runOverride(u, value, stHostname) {
				return "", false
			}
		}
		return u.host, true
	case canonPort:
		u.scheme = protocol
		if !runOverride(u, value, stPort) {
			return "", false
		}
		if u.port < 0 {
			return "", true
		}
		return strconv.Itoa(u.port), true
	case canonPathname:
		lead := strings.HasPrefix(value, "/")
		mod := value
		if !lead {
			mod = "/-" + value
		}
		runOverride(u, mod, stPathStart)
		res := u.pathname()
		if !lead && len(res) >= 2 {
			res = res[2:]
		}
		return res, true
	case canonOpaquePathname:
		u.opaque = true
		runOverride(u, value, stOpaquePath)
		return u.opath, true
	case canonSearch:
		u.hasQuery = true
		runOverride(u, value, stQuery)
		return u.query, true
	case canonHash:
		u.hasFrag = true
		runOverride(u, value, stFragment)
		return u.frag, true
	}
	return "", false
}
