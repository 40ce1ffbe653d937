package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/pages"
	"github.com/zerostack/zerostack/internal/worker"
)

// PagesOptions describe a Pages project served by `zerostack pages dev`
// (flags as `wrangler pages dev` takes them).
type PagesOptions struct {
	// Dir is the build output directory (the static files); "" takes
	// pages_build_output_dir from the project's wrangler configuration.
	Dir string
	// ProjectDir holds functions/ and the optional wrangler configuration
	// (default: the current directory, as wrangler pages dev).
	ProjectDir string
	// KV, D1 and R2 add bindings from --kv, --d1 and --r2: NAME, or
	// NAME=ID (the namespace id, database name or bucket name).
	KV, D1, R2 []string
	// Bindings are --binding KEY=VALUE variables.
	Bindings map[string]string
	// CompatibilityDate is --compatibility-date.
	CompatibilityDate string
}

// pagesProject is a Pages project being served.
type pagesProject struct {
	outDir       string
	functionsDir string
	// functions seen at the last build, to notice added or removed files.
	functions []pages.FunctionFile
	// advanced is the _worker.js entry (advanced mode), or "".
	advanced string
	// routes is the project's _routes.json, or nil.
	routes *pages.Routes
}

// loadPagesConfig reads the project's wrangler configuration when it has
// one with pages_build_output_dir, or makes a configuration of its own,
// and applies the command-line bindings.
func loadPagesConfig(o *PagesOptions, env string) (*config.Worker, []config.Warning, error) {
	proj := o.ProjectDir
	if proj == "" {
		proj = "."
	}
	proj, err := filepath.Abs(proj)
	if err != nil {
		return nil, nil, err
	}
	var cfg *config.Worker
	var warns []config.Warning
	if _, ferr := config.Find(proj); ferr == nil {
		cfg, warns, err = config.Load(proj, env)
		if err != nil {
			return nil, warns, err
		}
		if cfg.PagesBuildOutputDir == "" && o.Dir == "" {
			return nil, warns, fmt.Errorf("pages dev: %s has no pages_build_output_dir; name the directory to serve: zerostack pages dev <directory>", cfg.File)
		}
	} else {
		cfg = &config.Worker{
			Dir:                proj,
			Name:               filepath.Base(proj),
			CompatibilityFlags: []string{},
			Vars:               map[string]any{},
			Secrets:            map[string]string{},
		}
		cfg.Limits.MemoryMB = config.DefaultMemoryMB
		cfg.Dev.IP = "localhost"
		cfg.Dev.LocalProtocol = "http"
		for _, name := range []string{".dev.vars"} {
			if b, err := os.ReadFile(filepath.Join(proj, name)); err == nil {
				entries, _ := config.ParseDotenv(b)
				for _, e := range entries {
					cfg.Secrets[e.Key] = e.Value
				}
			}
		}
	}
	if o.Dir != "" {
		d, err := filepath.Abs(o.Dir)
		if err != nil {
			return nil, warns, err
		}
		cfg.PagesBuildOutputDir = d
	}
	if cfg.PagesBuildOutputDir == "" {
		return nil, warns, fmt.Errorf("pages dev: no directory to serve: name it (zerostack pages dev <directory>) or set pages_build_output_dir in wrangler.toml")
	}
	if o.CompatibilityDate != "" {
		cfg.CompatibilityDate = o.CompatibilityDate
	}
	split := func(s string) (string, string) {
		k, v, _ := strings.Cut(s, "=")
		return strings.TrimSpace(k), strings.TrimSpace(v)
	}
	for _, s := range o.KV {
		k, v := split(s)
		cfg.KVNamespaces = append(cfg.KVNamespaces, config.KVNamespace{Binding: k, ID: v})
	}
	for _, s := range o.D1 {
		k, v := split(s)
		cfg.D1Databases = append(cfg.D1Databases, config.D1Database{Binding: k, DatabaseID: v, DatabaseName: v, MigrationsDir: filepath.Join(proj, "migrations")})
	}
	for _, s := range o.R2 {
		k, v := split(s)
		cfg.R2Buckets = append(cfg.R2Buckets, config.R2Bucket{Binding: k, BucketName: v})
	}
	for k, v := range o.Bindings {
		cfg.Vars[k] = v
	}
	return cfg, warns, nil
}

// setupPages serves the Pages project of cfg: its output directory as
// static files with the Pages defaults, and a worker for its Functions or
// _worker.js.
func (d *Dev) setupPages(cfg *config.Worker) error {
	srv, err := pages.New(pages.Options{Dir: cfg.PagesBuildOutputDir, Pages: true, Logger: d.log})
	if err != nil {
		return err
	}
	p := &pagesProject{outDir: cfg.PagesBuildOutputDir, functionsDir: filepath.Join(cfg.Dir, "functions")}
	st := &assetsState{static: srv, pages: p, binding: "ASSETS"}
	st.route.Store(&assetsRouting{})
	if fi, err := os.Stat(filepath.Join(p.outDir, "_worker.js")); err == nil {
		if fi.IsDir() {
			p.advanced = filepath.Join(p.outDir, "_worker.js", "index.js")
		} else {
			p.advanced = filepath.Join(p.outDir, "_worker.js")
		}
	}
	routesFile := filepath.Join(p.outDir, "_routes.json")
	if b, err := os.ReadFile(routesFile); err == nil {
		if p.routes, err = pages.ParseRoutes(b, routesFile); err != nil {
			return err
		}
	}
	d.assets = st
	return nil
}

// bundleOptions says how to bundle the project's worker; ok is false when
// it has neither Functions nor _worker.js (a static site).
func (p *pagesProject) bundleOptions(cfg *config.Worker) (worker.BundleOptions, bool, error) {
	if p.advanced != "" {
		return worker.BundleOptions{Entry: p.advanced, Dir: cfg.Dir}, true, nil
	}
	files, err := pages.ScanFunctions(p.functionsDir)
	if err != nil {
		return worker.BundleOptions{}, false, err
	}
	p.functions = files
	if len(files) == 0 {
		return worker.BundleOptions{}, false, nil
	}
	return worker.BundleOptions{
		// A virtual module in the project directory (esbuild resolves
		// imports from an existing directory); it is never written.
		Entry:       filepath.Join(cfg.Dir, "_zerostack_pages_functions.js"),
		Dir:         cfg.Dir,
		EntrySource: pages.EntrySource(files, cfg.Dir),
	}, true, nil
}

// functionsChanged reports whether files were added to or removed from
// functions/ since the last build.
func (p *pagesProject) functionsChanged() bool {
	if p.advanced != "" {
		return false
	}
	files, err := pages.ScanFunctions(p.functionsDir)
	if err != nil || len(files) != len(p.functions) {
		return err == nil
	}
	for i := range files {
		if files[i] != p.functions[i] {
			return true
		}
	}
	return false
}

// routing returns how requests reach the worker: the project's
// _routes.json, else every request for _worker.js, else the Functions
// routes as globs (what wrangler generates: a route's path up to its first
// parameter, followed by /* when it has parameters or is middleware).
func (p *pagesProject) routing(hasWorker bool) *assetsRouting {
	rt := &assetsRouting{hasWorker: hasWorker}
	switch {
	case !hasWorker:
	case p.routes != nil:
		rt.routes = p.routes
	case p.advanced != "":
		rt.workerFirst = true
	default:
		var inc []string
		seen := map[string]bool{}
		for _, f := range p.functions {
			var lit []string
			dynamic := f.Middleware
			for _, s := range strings.Split(strings.Trim(f.RoutePath, "/"), "/") {
				if strings.Contains(s, ":") {
					dynamic = true
					break
				}
				if s != "" {
					lit = append(lit, s)
				}
			}
			g := "/" + strings.Join(lit, "/")
			if dynamic {
				g = strings.TrimSuffix(g, "/") + "/*"
			}
			if !seen[g] {
				seen[g] = true
				inc = append(inc, g)
			}
		}
		rt.routes = pages.NewRoutes(inc, nil)
	}
	return rt
}
