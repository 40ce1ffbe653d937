package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/pages"
	"github.com/zerostack/zerostack/internal/worker"
)

// assetsState is a development server's static assets: a Pages project
// (pages.go) or a Worker's [assets]. Static files are answered by the Go
// asset server (package pages) without entering the JavaScript runtime; the
// worker, when there is one, gets the requests that the routing rules give
// it and reaches the files through its ASSETS binding.
type assetsState struct {
	static *pages.Server
	// pages is set for a Pages project.
	pages *pagesProject
	// binding is the env name of the assets Fetcher ("" for none).
	binding string
	// route is how requests reach the worker; replaced at each build.
	route atomic.Pointer[assetsRouting]
}

// assetsRouting says which requests go to the worker.
type assetsRouting struct {
	// hasWorker is false for static-only projects.
	hasWorker bool
	// workerFirst sends every request to the worker first
	// (run_worker_first = true, or Pages advanced mode without _routes.json).
	workerFirst bool
	// routes sends the requests it matches to the worker first (Pages
	// _routes.json or Functions routes, run_worker_first patterns).
	routes *pages.Routes
	// navigationPrefersAssets is Cloudflare's compatibility flag
	// assets_navigation_prefers_asset_serving (on from compatibility date
	// 2025-04-01, or by name): browser navigations get the not-found
	// handling of the assets (a single-page app's index.html) instead of
	// the worker.
	navigationPrefersAssets bool
}

// loadConfig loads the configuration and, on first use, sets up the
// static assets it names: a Pages project (DevOptions.Pages, or
// pages_build_output_dir) or [assets].
func (d *Dev) loadConfig(path string) (*config.Worker, []config.Warning, error) {
	var cfg *config.Worker
	var warns []config.Warning
	var err error
	if d.opts.Pages != nil {
		cfg, warns, err = loadPagesConfig(d.opts.Pages, d.opts.Env)
	} else {
		if d.cfg != nil && d.cfg.File != "" {
			path = d.cfg.File
		}
		cfg, warns, err = config.Load(path, d.opts.Env)
	}
	if err != nil || d.assets != nil {
		return cfg, warns, err
	}
	switch {
	case cfg.PagesBuildOutputDir != "":
		if d.opts.Pages == nil {
			d.opts.Pages = &PagesOptions{ProjectDir: cfg.Dir}
		}
		err = d.setupPages(cfg)
	case cfg.Assets != nil:
		err = d.setupWorkerAssets(cfg)
	}
	if err != nil {
		return nil, warns, err
	}
	return cfg, warns, nil
}

// setupWorkerAssets serves a Worker's [assets].
func (d *Dev) setupWorkerAssets(cfg *config.Worker) error {
	a := cfg.Assets
	srv, err := pages.New(pages.Options{
		Dir:              a.Directory,
		HTMLHandling:     a.HTMLHandling,
		NotFoundHandling: a.NotFoundHandling,
		Logger:           d.log,
	})
	if err != nil {
		return err
	}
	st := &assetsState{static: srv, binding: a.Binding}
	rt := &assetsRouting{hasWorker: cfg.Main != "", navigationPrefersAssets: cfg.CompatibilityDate >= "2025-04-01"}
	for _, f := range cfg.CompatibilityFlags {
		switch f {
		case "assets_navigation_prefers_asset_serving":
			rt.navigationPrefersAssets = true
		case "assets_navigation_has_no_effect":
			rt.navigationPrefersAssets = false
		}
	}
	if a.RunWorkerFirst.All {
		rt.workerFirst = true
	} else if len(a.RunWorkerFirst.Patterns) > 0 {
		var inc, exc []string
		for _, p := range a.RunWorkerFirst.Patterns {
			if strings.HasPrefix(p, "!") {
				exc = append(exc, p[1:])
			} else {
				inc = append(inc, p)
			}
		}
		rt.routes = pages.NewRoutes(inc, exc)
	}
	st.route.Store(rt)
	d.assets = st
	return nil
}

// assetsChanged is called by the development server's watcher (with
// --watch): it reloads the static files when their directory changed, and
// reports whether the worker must be rebuilt because files were added to or
// removed from functions/ (edits to existing files are among the worker's
// own inputs).
func (d *Dev) assetsChanged() bool {
	if d.assets.static.Changed() {
		if err := d.assets.static.Reload(); err != nil {
			d.log.Error("assets: reload failed; still serving the previous files", "err", err)
		} else {
			d.log.Info("assets reloaded", "dir", d.assets.static.Dir())
		}
	}
	p := d.assets.pages
	return p != nil && p.functionsChanged()
}

// buildAssets builds the worker of a project with static assets (nil when
// it has none) with the ASSETS binding added.
func (d *Dev) buildAssets() (*worker.Worker, map[string]time.Time, error) {
	cfg := d.cfg
	st := d.assets
	var bo worker.BundleOptions
	hasWorker := cfg.Main != ""
	if st.pages != nil {
		var err error
		if bo, hasWorker, err = st.pages.bundleOptions(cfg); err != nil {
			return nil, nil, err
		}
	} else {
		bo = worker.BundleOptions{Entry: cfg.Main, Dir: cfg.Dir}
	}
	inputs := map[string]time.Time{}
	if cfg.File != "" {
		if fi, err := os.Stat(cfg.File); err == nil {
			inputs[cfg.File] = fi.ModTime()
		}
	}
	if !hasWorker {
		if st.pages != nil {
			st.route.Store(st.pages.routing(false))
		}
		return nil, inputs, nil
	}
	bo.Define, bo.Alias, bo.Minify, bo.Tsconfig = cfg.Define, cfg.Alias, cfg.Minify, cfg.TSConfig
	bo.NodeCompat = cfg.NodeJSCompat() // Node.js built-in modules (internal/worker/node.go)
	b, err := worker.MakeBundle(bo)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range b.Inputs {
		if fi, err := os.Stat(p); err == nil {
			inputs[p] = fi.ModTime()
		}
	}
	vars := map[string]any{}
	for k, v := range cfg.Vars {
		vars[k] = v
	}
	for k, v := range d.opts.Vars {
		vars[k] = v
	}
	console := d.opts.Console
	if console == nil {
		console = func(level, msg string) { fmt.Fprintln(os.Stderr, msg) }
	}
	bindings, err := d.state.Bindings(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	exts := d.state.Extensions()
	if st.binding != "" {
		bindings = append(bindings, binding.AssetsBinding(st.binding))
		exts = append(exts, binding.AssetsExtension(st.static))
	}
	w, err := worker.New(worker.Config{
		Name:       cfg.Name,
		Bundle:     b,
		Vars:       vars,
		Secrets:    cfg.Secrets,
		Pending:    pendingBindings(cfg),
		Extensions: exts,
		Bindings:   bindings,
		CPULimit:   time.Duration(cfg.Limits.CPUMillis) * time.Millisecond,
		MemoryMB:   cfg.Limits.MemoryMB,
		Isolates:   d.opts.Isolates,
		Dev:        true,
		Console:    console,
		Logger:     d.log,
	})
	if err != nil {
		return nil, nil, err
	}
	if st.pages != nil {
		// The routing of this build, stored with the worker it goes with
		// (the caller swaps the worker in right after).
		st.route.Store(st.pages.routing(true))
	}
	return w, inputs, nil
}

// serveAssets routes a request of a project with static assets: to the
// worker when the routing rules say so (Pages _routes.json or Functions
// routes, run_worker_first) or when no asset answers it, else to the
// static asset server.
func (d *Dev) serveAssets(rw http.ResponseWriter, r *http.Request) {
	sw := rw
	var stw *statusWriter
	if d.opts.AccessLog != nil {
		start := time.Now()
		stw = &statusWriter{ResponseWriter: rw, status: 200}
		sw = stw
		defer func() { d.opts.AccessLog(r.Method, r.URL.RequestURI(), stw.status, time.Since(start)) }()
	}
	st := d.assets
	rt := st.route.Load()
	w := d.current.Load()
	toWorker := false
	if w != nil && rt.hasWorker {
		switch {
		case rt.workerFirst:
			toWorker = true
		case rt.routes != nil && rt.routes.Match(r.URL.Path):
			toWorker = true
		case st.pages != nil:
			// Pages: requests outside the Functions routes are static.
		case rt.navigationPrefersAssets && r.Header.Get("Sec-Fetch-Mode") == "navigate":
			toWorker = !st.static.MatchesNavigation(r)
		default:
			// Workers [assets]: the worker gets what no asset answers.
			toWorker = !st.static.Matches(r)
		}
	}
	if toWorker {
		w.ServeHTTP(sw, r)
		return
	}
	st.static.ServeHTTP(sw, r)
}
