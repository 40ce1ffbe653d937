package pages

import "strings"

// The html handling below follows Cloudflare's asset server rule for rule
// (workers-shared's asset-worker handler, 2026): for each mode, which file
// a path serves and which paths redirect to their canonical form. A
// redirect is only made when the canonical path really serves the same
// file (see safeRedirect), so no rule can loop.

type resolver struct {
	sn       *snapshot
	mode     string
	notFound string
}

// intentFor resolves a decoded path under the server's html handling and
// the given not-found handling.
func (s *Server) intentFor(sn *snapshot, p string, skip bool, notFound string) *intent {
	rv := resolver{sn: sn, mode: s.opts.HTMLHandling, notFound: notFound}
	if s.opts.Pages {
		rv.mode = AutoTrailingSlash
	}
	return rv.resolve(p, skip)
}

func (rv *resolver) exists(p string) *asset { return rv.sn.files[p] }

func found(a *asset) *intent { return &intent{asset: a, status: 200} }

// safeRedirect returns a redirect to dest when dest does not name a file
// itself and resolves (without further redirects) to the same file as file.
func (rv *resolver) safeRedirect(file, dest string, skip bool) *intent {
	if skip || rv.exists(dest) != nil {
		return nil
	}
	in := rv.resolve(dest, true)
	f := rv.exists(file)
	if in != nil && in.asset != nil && f != nil && in.asset.etag == f.etag && in.status == 200 {
		return &intent{redirect: dest}
	}
	return nil
}

func (rv *resolver) resolve(p string, skip bool) *intent {
	switch rv.mode {
	case ForceTrailingSlash:
		return rv.force(p, skip)
	case DropTrailingSlash:
		return rv.drop(p, skip)
	case HTMLHandlingNone:
		if a := rv.exists(p); a != nil {
			return found(a)
		}
		return rv.notFoundIntent(p)
	}
	return rv.auto(p, skip)
}

// first returns the first non-nil intent.
func first(fs ...func() *intent) *intent {
	for _, f := range fs {
		if in := f(); in != nil {
			return in
		}
	}
	return nil
}

func (rv *resolver) auto(p string, skip bool) *intent {
	exact := rv.exists(p)
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return found(exact)
		}
		in = first(
			func() *intent { return rv.safeRedirect(p+".html", strings.TrimSuffix(p, "index"), skip) },
			func() *intent {
				return rv.safeRedirect(strings.TrimSuffix(p, "/index")+".html", strings.TrimSuffix(p, "/index"), skip)
			},
		)
	case strings.HasSuffix(p, "/index.html"):
		in = first(
			func() *intent { return rv.safeRedirect(p, strings.TrimSuffix(p, "index.html"), skip) },
			func() *intent {
				return rv.safeRedirect(strings.TrimSuffix(p, "/index.html")+".html", strings.TrimSuffix(p, "/index.html"), skip)
			},
		)
	case strings.HasSuffix(p, "/"):
		if a := rv.exists(p + "index.html"); a != nil {
			return found(a)
		}
		in = rv.safeRedirect(strings.TrimSuffix(p, "/")+".html", strings.TrimSuffix(p, "/"), skip)
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		in = first(
			func() *intent { return rv.safeRedirect(p, base, skip) },
			func() *intent { return rv.safeRedirect(base+"/index.html", base+"/", skip) },
		)
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return found(exact)
	}
	if a := rv.exists(p + ".html"); a != nil {
		return found(a)
	}
	if in := rv.safeRedirect(p+"/index.html", p+"/", skip); in != nil {
		return in
	}
	return rv.notFoundIntent(p)
}

func (rv *resolver) force(p string, skip bool) *intent {
	exact := rv.exists(p)
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return found(exact)
		}
		in = first(
			func() *intent { return rv.safeRedirect(p+".html", strings.TrimSuffix(p, "index"), skip) },
			func() *intent {
				return rv.safeRedirect(strings.TrimSuffix(p, "/index")+".html", strings.TrimSuffix(p, "index"), skip)
			},
		)
	case strings.HasSuffix(p, "/index.html"):
		in = first(
			func() *intent { return rv.safeRedirect(p, strings.TrimSuffix(p, "index.html"), skip) },
			func() *intent {
				return rv.safeRedirect(strings.TrimSuffix(p, "/index.html")+".html", strings.TrimSuffix(p, "index.html"), skip)
			},
		)
	case strings.HasSuffix(p, "/"):
		if a := rv.exists(p + "index.html"); a != nil {
			return found(a)
		}
		if a := rv.exists(strings.TrimSuffix(p, "/") + ".html"); a != nil {
			return found(a)
		}
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		in = first(
			func() *intent { return rv.safeRedirect(p, base+"/", skip) },
			func() *intent {
				if exact != nil {
					return found(exact)
				}
				return nil
			},
			func() *intent { return rv.safeRedirect(base+"/index.html", base+"/", skip) },
		)
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return found(exact)
	}
	if in := first(
		func() *intent { return rv.safeRedirect(p+".html", p+"/", skip) },
		func() *intent { return rv.safeRedirect(p+"/index.html", p+"/", skip) },
	); in != nil {
		return in
	}
	return rv.notFoundIntent(p)
}

func (rv *resolver) drop(p string, skip bool) *intent {
	exact := rv.exists(p)
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return found(exact)
		}
		if p == "/index" {
			in = rv.safeRedirect("/index.html", "/", skip)
		} else {
			base := strings.TrimSuffix(p, "/index")
			in = first(
				func() *intent { return rv.safeRedirect(base+".html", base, skip) },
				func() *intent { return rv.safeRedirect(p+".html", base, skip) },
			)
		}
	case strings.HasSuffix(p, "/index.html"):
		if p == "/index.html" {
			in = rv.safeRedirect("/index.html", "/", skip)
		} else {
			base := strings.TrimSuffix(p, "/index.html")
			in = first(
				func() *intent { return rv.safeRedirect(p, base, skip) },
				func() *intent {
					if exact != nil {
						return found(exact)
					}
					return nil
				},
				func() *intent { return rv.safeRedirect(base+".html", base, skip) },
			)
		}
	case strings.HasSuffix(p, "/"):
		if p == "/" {
			if a := rv.exists("/index.html"); a != nil {
				return found(a)
			}
		} else {
			base := strings.TrimSuffix(p, "/")
			in = first(
				func() *intent { return rv.safeRedirect(base+".html", base, skip) },
				func() *intent { return rv.safeRedirect(base+"/index.html", base, skip) },
			)
		}
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		in = first(
			func() *intent { return rv.safeRedirect(p, base, skip) },
			func() *intent { return rv.safeRedirect(base+"/index.html", base, skip) },
		)
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return found(exact)
	}
	if a := rv.exists(p + ".html"); a != nil {
		return found(a)
	}
	if a := rv.exists(p + "/index.html"); a != nil {
		return found(a)
	}
	return rv.notFoundIntent(p)
}

func (rv *resolver) notFoundIntent(p string) *intent {
	switch rv.notFound {
	case NotFoundSPA:
		if a := rv.exists("/index.html"); a != nil {
			return found(a)
		}
	case NotFound404:
		for cwd := p; cwd != ""; {
			cwd = cwd[:strings.LastIndexByte(cwd, '/')]
			if a := rv.exists(cwd + "/404.html"); a != nil {
				return &intent{asset: a, status: 404}
			}
		}
	}
	return nil
}
