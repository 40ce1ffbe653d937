package server

import (
	"fmt"
	"net"
	"sort"
	"strings"
)

// routePattern is one Workers route (wrangler's routes / route) in the form
// Cloudflare matches it (developers.cloudflare.com/workers/configuration/
// routing/routes, "Matching behavior"): an optional scheme, a host that may
// start with "*" and a path that may end with "*", where "*" matches zero or
// more characters of any kind and is allowed nowhere else. The path is
// matched against the path and query of the request URL, so "/api" matches
// only "/api" and "/api*" also "/api?x=1" and "/api/v1".
type routePattern struct {
	pattern  string
	scheme   string // "", "http" or "https"
	hostWild bool   // the host started with "*"
	host     string // the rest of the host, lowercase
	path     string // the path up to the trailing "*"
	pathWild bool
	target   string // worker name
}

// parseRoute parses a route pattern of worker target. A custom domain
// (custom_domain = true) is a bare host and takes every path, as on
// Cloudflare; a plain route without a path is read the same way.
func parseRoute(pattern, target string, customDomain bool) (routePattern, error) {
	r := routePattern{pattern: pattern, target: target}
	s := strings.TrimSpace(pattern)
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			r.scheme = strings.ToLower(scheme)
		default:
			return r, fmt.Errorf("route %q: scheme must be http or https", pattern)
		}
		s = rest
	}
	host, path, hasPath := strings.Cut(s, "/")
	if customDomain && hasPath && path != "" {
		return r, fmt.Errorf("route %q: a custom domain is a host name without a path (remove %q)", pattern, "/"+path)
	}
	if !hasPath || customDomain {
		path = "*"
	}
	path = "/" + path
	if strings.Contains(path, "?") {
		return r, fmt.Errorf("route %q: route patterns may not contain a query string (end the path with * instead)", pattern)
	}
	if strings.HasPrefix(host, "*") {
		r.hostWild = true
		host = host[1:]
	}
	if strings.HasSuffix(path, "*") {
		r.pathWild = true
		path = path[:len(path)-1]
	}
	if strings.Contains(host, "*") || strings.Contains(path, "*") {
		return r, fmt.Errorf("route %q: * may appear only at the start of the host and at the end of the path (e.g. \"*.example.com/api/*\")", pattern)
	}
	host = strings.ToLower(host)
	if host == "" && !r.hostWild {
		return r, fmt.Errorf("route %q: no host name (write e.g. \"example.com/*\")", pattern)
	}
	if strings.ContainsAny(host, " /\\") {
		return r, fmt.Errorf("route %q: %q is not a host name", pattern, host)
	}
	r.host, r.path = host, path
	return r, nil
}

// matches reports whether the request with scheme, host (lowercase, no
// port) and path-and-query matches r.
func (r *routePattern) matches(scheme, host, pathQuery string) bool {
	if r.scheme != "" && r.scheme != scheme {
		return false
	}
	if r.hostWild {
		if !strings.HasSuffix(host, r.host) {
			return false
		}
	} else if host != r.host {
		return false
	}
	if r.pathWild {
		return strings.HasPrefix(pathQuery, r.path)
	}
	return pathQuery == r.path
}

// moreSpecific orders routes as Cloudflare picks among several that match:
// the most specific wins (www.example.com/* over *.example.com/*). The host
// decides first (an exact host, then the longer suffix), then the path (an
// exact path, then the longer prefix), then a pattern with a scheme.
// Cloudflare documents one oddity we do not copy: there, example.com/images*
// beats example.com/images/* even for /images/hello; here the longer prefix
// wins.
func moreSpecific(a, b *routePattern) bool {
	if a.hostWild != b.hostWild {
		return !a.hostWild
	}
	if len(a.host) != len(b.host) {
		return len(a.host) > len(b.host)
	}
	if a.pathWild != b.pathWild {
		return !a.pathWild
	}
	if len(a.path) != len(b.path) {
		return len(a.path) > len(b.path)
	}
	return a.scheme != "" && b.scheme == ""
}

// router picks the worker for a request: by route pattern, then by host
// <worker>.<domain> (as <worker>.<subdomain>.workers.dev), then the default.
type router struct {
	routes  []routePattern // most specific first
	names   map[string]bool
	noDev   map[string]bool // workers_dev = false
	domains []string        // always includes "localhost"
	def     string          // worker for the rest ("" = none)
}

// newRouter checks and sorts the routes. Two workers claiming the same
// pattern is an error, as Cloudflare refuses a second route on a pattern.
func newRouter(routes []routePattern, names []string, noDev map[string]bool, domains []string, def string) (*router, error) {
	rt := &router{names: map[string]bool{}, noDev: noDev, def: def}
	seen := map[string]string{}
	for _, r := range routes {
		key := r.scheme + "://" + map[bool]string{true: "*"}[r.hostWild] + r.host + r.path + map[bool]string{true: "*"}[r.pathWild]
		if other, ok := seen[key]; ok && other != r.target {
			return nil, fmt.Errorf("route %q is claimed by both %s and %s; keep it in one of them", r.pattern, other, r.target)
		}
		seen[key] = r.target
		rt.routes = append(rt.routes, r)
	}
	sort.SliceStable(rt.routes, func(i, j int) bool { return moreSpecific(&rt.routes[i], &rt.routes[j]) })
	for _, n := range names {
		rt.names[n] = true
	}
	rt.domains = append([]string{"localhost"}, domains...)
	return rt, nil
}

// pick returns the worker for a request, or "" when none serves it.
func (rt *router) pick(scheme, hostport, pathQuery string) string {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	for i := range rt.routes {
		if rt.routes[i].matches(scheme, host, pathQuery) {
			return rt.routes[i].target
		}
	}
	for _, d := range rt.domains {
		if name, ok := strings.CutSuffix(host, "."+d); ok && rt.names[name] && !rt.noDev[name] {
			return name
		}
	}
	return rt.def
}
