package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/config/wrangler"
)

// FileNames are the configuration file names [Find] looks for, in order of
// precedence within one directory (wrangler's order).
var FileNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// ErrNotFound is returned (wrapped) by [Find] and [Load] when no
// configuration file exists in the directory or any parent.
var ErrNotFound = errors.New("config: no wrangler.json, wrangler.jsonc or wrangler.toml found")

// Find returns the absolute path of the configuration file for dir: the
// first of [FileNames] present in dir, else in its parent, and so on up to
// the root. Wrangler also searches parents, but it looks for wrangler.json
// in every ancestor before it looks for wrangler.jsonc (and then
// wrangler.toml); Find instead lets the nearest directory win, so a
// wrangler.json in a parent never shadows a wrangler.toml next to the
// project. The error wraps [ErrNotFound] when nothing is found.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("config find: %w", err)
	}
	for d := abs; ; {
		for _, name := range FileNames {
			p := filepath.Join(d, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("%w in %s or its parents", ErrNotFound, abs)
		}
		d = parent
	}
}

// Load reads the wrangler configuration at path (a file, or a directory
// searched with [Find]), applies the environment envName ("" = top level),
// reads dev secrets next to the file, and returns the resolved Worker.
//
// The file format is chosen by extension: .toml is TOML, .json and .jsonc
// are JSON with comments and trailing commas.
//
// Environments follow wrangler: inheritable keys (name, main,
// compatibility_date/flags, routes, triggers, build, limits, assets, rules,
// migrations, ...) come from [env.NAME] when set there, else from the top
// level; name becomes "<name>-<env>" unless the environment sets its own.
// Non-inheritable keys (vars, define, secrets and every binding) come only
// from the environment: a top-level value is ignored with a warning. Keys
// that only exist at the top level (dev, site, alias, keep_vars, ...) are
// always taken from the top level. Selecting an environment the file does
// not define is an error when the file defines others, and a warning (the
// top level is used, with the name suffixed) when it defines none.
//
// Dev secrets: if envName is set and .dev.vars.<envName> exists next to
// the file, it is read; else .dev.vars. If neither exists, the .env files
// are read and merged, later ones winning: .env, .env.local, and with an
// environment .env.<envName>, .env.<envName>.local; ${VAR} references in
// .env files are expanded. Secrets replace vars of the same name. When
// [secrets] required = [...] is declared, only secrets that are declared
// there or that override a var are kept, as in wrangler. Not supported
// (they need process state, which the CLI owns): wrangler's
// CLOUDFLARE_INCLUDE_PROCESS_ENV and CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV
// variables and its --env-file flag. An envName containing a path
// separator selects no env-specific secret file.
//
// Problems that do not stop loading are returned as warnings. Any other
// problem returns a nil Worker and an error: I/O errors are wrapped, file
// content problems are one or more [*Error] values (joined with
// [errors.Join] when there are several).
func Load(path, envName string) (*Worker, []Warning, error) {
	file, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config load: %w", err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return nil, nil, fmt.Errorf("config load: %w", err)
	}
	if fi.IsDir() {
		if file, err = Find(file); err != nil {
			return nil, nil, err
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("config load: %w", err)
	}
	w, warnings, err := parse(file, data, envName)
	if err != nil {
		return nil, warnings, err
	}
	sw, err := loadSecrets(w, envName)
	warnings = append(warnings, sw...)
	if err != nil {
		return nil, warnings, err
	}
	return w, warnings, nil
}

// parse decodes, resolves and validates data read from file, without
// touching the file system. It is what the fuzz tests exercise.
func parse(file string, data []byte, envName string) (*Worker, []Warning, error) {
	d := newDecoder(file)
	var root *wrangler.Node
	var err error
	switch ext := strings.ToLower(filepath.Ext(file)); ext {
	case ".toml":
		root, err = wrangler.ParseTOML(data)
	case ".json", ".jsonc":
		var dups []wrangler.Pos
		root, dups, err = wrangler.ParseJSON(data)
		for _, p := range dups {
			d.warnf(p, "duplicate key; the last value is used")
		}
	default:
		return nil, nil, &Error{File: file, Msg: fmt.Sprintf("unsupported configuration file extension %q (want .toml, .json or .jsonc)", ext)}
	}
	if err != nil {
		var se *wrangler.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, &Error{File: file, Line: se.Line, Col: se.Col, Msg: se.Msg}
		}
		return nil, nil, &Error{File: file, Msg: err.Error()}
	}
	if root.Kind != wrangler.Object {
		d.typeError(root, "top level", "an object")
		d.sortProblems()
		return nil, d.warnings, d.err()
	}

	// The top level is always decoded and validated, as wrangler does, even
	// when an environment is selected.
	top := &rawConfig{}
	d.decodeStruct(root, reflect.ValueOf(top).Elem(), "", nil)
	v := &view{d: d, root: root, parent: map[string]string{}}
	v.validate(top, envName == "")
	raw, rv := top, v
	if envName != "" {
		merged, parent, derived := mergeEnv(d, root, envName)
		if merged != nil {
			raw = &rawConfig{}
			d.decodeStruct(merged, reflect.ValueOf(raw).Elem(), "", func(m wrangler.Member) string { return parent[m.Key] })
			rv = &view{d: d, root: merged, parent: parent, derivedName: derived}
			rv.validate(raw, true)
		}
	}
	d.sortProblems()
	if len(d.errs) > 0 {
		return nil, d.warnings, d.err()
	}
	w := resolve(file, envName, raw, rv)
	return w, d.warnings, nil
}

// sortProblems orders warnings and errors by position so that output reads
// top to bottom; problems without a line come first.
func (d *decoder) sortProblems() {
	slices.SortStableFunc(d.warnings, func(a, b Warning) int { return a.Line - b.Line })
	slices.SortStableFunc(d.errs, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}

func (d *decoder) err() error {
	if len(d.errs) == 1 {
		return d.errs[0]
	}
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// mergeEnv builds the object that [env.NAME] resolves to, with each member
// taken from the environment or the top level by wrangler's rules. parent
// maps each key to the path of the object it came from ("" or
// "env.NAME"); derived reports a name made from the top-level one. It
// returns a nil object when the environment cannot be selected (an
// error has been recorded).
func mergeEnv(d *decoder, top *wrangler.Node, envName string) (merged *wrangler.Node, parent map[string]string, derived bool) {
	envPath := joinPath("env", envName)
	var env *wrangler.Node
	var names []string
	if m := top.Get("env"); m != nil {
		if m.Value.Kind != wrangler.Object {
			d.typeError(m.Value, "env", "a table (object) of environments")
			return nil, nil, false
		}
		for _, e := range m.Value.Members {
			names = append(names, e.Key)
		}
		if e := m.Value.Get(envName); e != nil {
			env = e.Value
			if env.Kind != wrangler.Object {
				d.typeError(env, envPath, "a table (object)")
				return nil, nil, false
			}
		}
	}
	if env == nil {
		if len(names) > 0 {
			d.errorf(wrangler.Pos{}, "", "no environment named %q; the configured environments are %s", envName, strings.Join(quoteAll(names), ", "))
			return nil, nil, false
		}
		d.warnf(wrangler.Pos{}, "no environment named %q is configured; using the top-level configuration", envName)
	}

	merged = &wrangler.Node{Kind: wrangler.Object, Pos: top.Pos}
	parent = map[string]string{}
	add := func(m wrangler.Member, p string) {
		merged.Members = append(merged.Members, m)
		parent[m.Key] = p
	}
	envHas := func(key string) bool { return env != nil && env.Get(key) != nil }
	for _, m := range top.Members {
		class, known := keyClasses[m.Key]
		switch {
		case m.Key == "name":
			if envHas("name") {
				continue
			}
			if m.Value.Kind == wrangler.String && m.Value.Str != "" {
				n := *m.Value
				n.Str = m.Value.Str + "-" + envName
				m.Value = &n
				derived = true
			}
			add(m, "")
		case m.Key == "route" || m.Key == "routes":
			if envHas("route") || envHas("routes") {
				continue
			}
			add(m, "")
		case !known || class == keyInheritable:
			if !envHas(m.Key) {
				add(m, "")
			}
		case class == keyTopLevelOnly:
			add(m, "")
		case class == keyNotInheritable:
			if env == nil {
				add(m, "") // no such environment: the top level stands in for it
			} else if !envHas(m.Key) {
				d.warnf(m.Pos, "%q exists at the top level, but not on %q; it is not inherited by environments, so add it to %q", m.Key, envPath, envPath)
			}
		}
	}
	if env != nil {
		for _, m := range env.Members {
			if c, ok := keyClasses[m.Key]; ok && c == keyTopLevelOnly {
				d.warnf(m.Pos, "%q is only allowed at the top level and is ignored in %q", m.Key, envPath)
				continue
			}
			add(m, envPath)
		}
	}
	return merged, parent, derived
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// view locates keys of a decoded object for validation messages.
type view struct {
	d           *decoder
	root        *wrangler.Node
	parent      map[string]string
	derivedName bool // name is "<top-level name>-<env>"
}

// at returns the position and path of root[key][rest...], where each rest
// element is an int index or a string key. The position is that of the
// deepest node found.
func (v *view) at(key string, rest ...any) (wrangler.Pos, string) {
	path := joinPath(v.parent[key], key)
	pos := v.root.Pos
	n := v.root
	if m := n.Get(key); m != nil {
		n, pos = m.Value, m.Pos
	} else {
		n = nil
	}
	for _, r := range rest {
		switch r := r.(type) {
		case int:
			path = indexPath(path, r)
			if n != nil && n.Kind == wrangler.Array && r < len(n.Elems) {
				n = n.Elems[r]
				pos = n.Pos
			} else {
				n = nil
			}
		case string:
			path = joinPath(path, r)
			if m := n.Get(r); m != nil {
				n, pos = m.Value, m.Pos
			} else {
				n = nil
			}
		}
	}
	return pos, path
}

// has reports whether root[key][rest...] is present in the file.
func (v *view) has(key string, rest ...any) bool {
	n := v.root
	for _, r := range append([]any{key}, rest...) {
		switch r := r.(type) {
		case int:
			if n.Kind != wrangler.Array || r >= len(n.Elems) {
				return false
			}
			n = n.Elems[r]
		case string:
			m := n.Get(r)
			if m == nil {
				return false
			}
			n = m.Value
		}
	}
	return true
}

func (v *view) errorf(msg string, key string, rest ...any) {
	pos, path := v.at(key, rest...)
	v.d.errorf(pos, path, "%s", msg)
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]*$`)
	dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// validate checks the values of r that the decoder cannot check by type.
// Binding names are checked for uniqueness only in the configuration that
// is used (unique), as wrangler does.
func (v *view) validate(r *rawConfig, unique bool) {
	// A "<name>-<env>" name is not checked (wrangler checks the names as
	// written; the top-level one was checked already).
	if r.Name != "" && !nameRE.MatchString(r.Name) && !v.derivedName {
		v.errorf(fmt.Sprintf("invalid name %q: use lowercase letters, digits, dashes and underscores only", r.Name), "name")
	}
	if r.CompatibilityDate != "" {
		if _, err := time.Parse(time.DateOnly, r.CompatibilityDate); err != nil || !dateRE.MatchString(r.CompatibilityDate) {
			v.errorf(fmt.Sprintf("expected a date in the form YYYY-MM-DD, got %q", r.CompatibilityDate), "compatibility_date")
		}
	}
	if r.Route != nil && r.Routes != nil {
		v.errorf(`"route" and "routes" cannot both be set; use "routes"`, "route")
	}
	if r.Limits.CPUMillis < 0 {
		v.errorf("must not be negative", "limits", "cpu_ms")
	}
	if r.Limits.MemoryMB < 0 {
		v.errorf("must not be negative", "limits", "memory_mb")
	}
	if r.Limits.Subrequests < 0 {
		v.errorf("must not be negative", "limits", "subrequests")
	}
	if p := r.Dev.Port; p < 0 || p > 65535 {
		v.errorf(fmt.Sprintf("port %d out of range 0-65535", p), "dev", "port")
	}
	if p := r.Dev.InspectorPort; p < 0 || p > 65535 {
		v.errorf(fmt.Sprintf("port %d out of range 0-65535", p), "dev", "inspector_port")
	}
	v.oneOf(r.Dev.LocalProtocol, []string{"http", "https"}, "dev", "local_protocol")
	v.oneOf(r.Dev.UpstreamProtocol, []string{"http", "https"}, "dev", "upstream_protocol")
	if a := r.Assets; a != nil {
		v.oneOf(a.NotFoundHandling, []string{"none", "404-page", "single-page-application"}, "assets", "not_found_handling")
		v.oneOf(a.HTMLHandling, []string{"auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"}, "assets", "html_handling")
	}
	if p := r.Placement; p != nil {
		v.oneOf(p.Mode, []string{"off", "smart"}, "placement", "mode")
	}
	for i, rule := range r.Rules {
		v.oneOf(rule.Type, []string{"ESModule", "CommonJS", "CompiledWasm", "Text", "Data", "PythonModule", "PythonRequirement"}, "rules", i, "type")
	}
	for i, c := range r.Queues.Consumers {
		if (c.MaxBatchSize < 1 && v.has("queues", "consumers", i, "max_batch_size")) || c.MaxBatchSize > 100 {
			v.errorf(fmt.Sprintf("%d out of range 1-100", c.MaxBatchSize), "queues", "consumers", i, "max_batch_size")
		}
		if c.MaxBatchTimeout < 0 || c.MaxBatchTimeout > 60 {
			v.errorf(fmt.Sprintf("%d out of range 0-60 seconds", c.MaxBatchTimeout), "queues", "consumers", i, "max_batch_timeout")
		}
		if c.MaxRetries < 0 {
			v.errorf("must not be negative", "queues", "consumers", i, "max_retries")
		}
		v.oneOf(c.Type, []string{"worker", "http_pull"}, "queues", "consumers", i, "type")
	}
	for i, p := range r.Queues.Producers {
		if p.DeliveryDelay < 0 {
			v.errorf("must not be negative", "queues", "producers", i, "delivery_delay")
		}
	}
	if unique {
		v.uniqueBindings(r)
	}
}

// oneOf reports s if it is set and not among allowed.
func (v *view) oneOf(s string, allowed []string, key string, rest ...any) {
	if s != "" && !slices.Contains(allowed, s) {
		v.errorf(fmt.Sprintf("invalid value %q; expected one of %s", s, strings.Join(quoteAll(allowed), ", ")), key, rest...)
	}
}

// uniqueBindings reports a binding name used twice, within one kind or
// across kinds (vars included), as wrangler does.
func (v *view) uniqueBindings(r *rawConfig) {
	type use struct {
		key  string
		rest []any
	}
	first := map[string]use{}
	check := func(name string, key string, rest ...any) {
		if name == "" {
			return
		}
		if u, ok := first[name]; ok {
			_, firstPath := v.at(u.key, u.rest...)
			v.errorf(fmt.Sprintf("binding name %q is already used by %s; bindings must have unique names", name, firstPath), key, rest...)
			return
		}
		first[name] = use{key, rest}
	}
	for _, name := range sortedKeys(r.Vars) {
		check(name, "vars", name)
	}
	for i, b := range r.KVNamespaces {
		check(b.Binding, "kv_namespaces", i, "binding")
	}
	for i, b := range r.D1Databases {
		check(b.Binding, "d1_databases", i, "binding")
	}
	for i, b := range r.R2Buckets {
		check(b.Binding, "r2_buckets", i, "binding")
	}
	for i, b := range r.Queues.Producers {
		check(b.Binding, "queues", "producers", i, "binding")
	}
	for i, b := range r.DurableObjects.Bindings {
		check(b.Name, "durable_objects", "bindings", i, "name")
	}
	for i, b := range r.Vectorize {
		check(b.Binding, "vectorize", i, "binding")
		switch b.ReturnMetadataDefault {
		case "", "none", "indexed", "all":
		default:
			v.errorf(fmt.Sprintf(`expected "none", "indexed" or "all", got %q`, b.ReturnMetadataDefault), "vectorize", i, "return_metadata_default")
		}
	}
	if r.AI != nil {
		check(r.AI.Binding, "ai", "binding")
	}
	for i, b := range r.AnalyticsEngine {
		check(b.Binding, "analytics_engine_datasets", i, "binding")
	}
	if r.Browser != nil {
		check(r.Browser.Binding, "browser", "binding")
	}
	for i, b := range r.SendEmail {
		check(b.Name, "send_email", i, "name")
	}
	for i, b := range r.Services {
		check(b.Binding, "services", i, "binding")
	}
	for i, b := range r.Hyperdrive {
		check(b.Binding, "hyperdrive", i, "binding")
	}
	for i, b := range r.Workflows {
		check(b.Binding, "workflows", i, "binding")
	}
	for i, b := range r.DispatchNamespaces {
		check(b.Binding, "dispatch_namespaces", i, "binding")
	}
	for i, b := range r.MTLSCertificates {
		check(b.Binding, "mtls_certificates", i, "binding")
	}
	if r.VersionMetadata != nil {
		check(r.VersionMetadata.Binding, "version_metadata", "binding")
	}
	if r.Assets != nil {
		check(r.Assets.Binding, "assets", "binding")
	}
	for _, name := range sortedKeys(r.TextBlobs) {
		check(name, "text_blobs", name)
	}
	for _, name := range sortedKeys(r.DataBlobs) {
		check(name, "data_blobs", name)
	}
	for _, name := range sortedKeys(r.WasmModules) {
		check(name, "wasm_modules", name)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// resolve turns a validated rawConfig into a Worker: absolute paths,
// defaults, the single route folded into Routes.
func resolve(file, envName string, r *rawConfig, v *view) *Worker {
	dir := filepath.Dir(file)
	abs := func(p string) string {
		if p == "" {
			return ""
		}
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	}
	absMap := func(m map[string]string) map[string]string {
		if m == nil {
			return nil
		}
		out := make(map[string]string, len(m))
		for k, p := range m {
			out[k] = abs(p)
		}
		return out
	}
	w := &Worker{
		Dir:                   dir,
		File:                  file,
		Env:                   envName,
		Name:                  r.Name,
		Main:                  abs(r.Main),
		CompatibilityDate:     r.CompatibilityDate,
		CompatibilityFlags:    r.CompatibilityFlags,
		AccountID:             r.AccountID,
		Vars:                  r.Vars,
		Secrets:               map[string]string{},
		Limits:                r.Limits,
		Dev:                   r.Dev.dev(),
		Triggers:              r.Triggers,
		Routes:                r.Routes,
		WorkersDev:            r.WorkersDev,
		PreviewURLs:           r.PreviewURLs,
		Assets:                r.Assets,
		Build:                 r.Build,
		Rules:                 r.Rules,
		TSConfig:              abs(r.TSConfig),
		BaseDir:               abs(r.BaseDir),
		Define:                r.Define,
		Alias:                 r.Alias,
		Minify:                r.Minify,
		NoBundle:              r.NoBundle,
		KeepNames:             r.KeepNames,
		FindAdditionalModules: r.FindAdditionalModules,
		PreserveFileNames:     r.PreserveFileNames,
		JSXFactory:            r.JSXFactory,
		JSXFragment:           r.JSXFragment,
		UploadSourceMaps:      r.UploadSourceMaps,
		KeepVars:              r.KeepVars,
		Logpush:               r.Logpush,
		UsageModel:            r.UsageModel,
		NodeCompat:            r.NodeCompat,
		Observability:         r.Observability,
		Placement:             r.Placement,
		TailConsumers:         r.TailConsumers,
		PagesBuildOutputDir:   abs(r.PagesBuildOutputDir),
		ComplianceRegion:      r.ComplianceRegion,
		Unsafe:                r.Unsafe,
		TextBlobs:             absMap(r.TextBlobs),
		DataBlobs:             absMap(r.DataBlobs),
		WasmModules:           absMap(r.WasmModules),
		KVNamespaces:          r.KVNamespaces,
		D1Databases:           r.D1Databases,
		R2Buckets:             r.R2Buckets,
		Queues:                r.Queues,
		DurableObjects:        r.DurableObjects,
		Migrations:            r.Migrations,
		Vectorize:             r.Vectorize,
		AI:                    r.AI,
		AnalyticsEngine:       r.AnalyticsEngine,
		Browser:               r.Browser,
		SendEmail:             r.SendEmail,
		Services:              r.Services,
		Hyperdrive:            r.Hyperdrive,
		Workflows:             r.Workflows,
		DispatchNamespaces:    r.DispatchNamespaces,
		MTLSCertificates:      r.MTLSCertificates,
		VersionMetadata:       r.VersionMetadata,
	}
	if r.Secrets != nil {
		w.RequiredSecrets = r.Secrets.Required
	}
	if w.CompatibilityFlags == nil {
		w.CompatibilityFlags = []string{}
	}
	if w.Vars == nil {
		w.Vars = map[string]any{}
	}
	if r.Route != nil {
		w.Routes = []Route{*r.Route}
	}
	if w.Limits.MemoryMB == 0 {
		w.Limits.MemoryMB = DefaultMemoryMB
	}
	if w.Dev.IP == "" {
		w.Dev.IP = DefaultDevIP
	}
	if w.Dev.LocalProtocol == "" {
		w.Dev.LocalProtocol = "http"
	}
	if w.Assets != nil {
		a := *w.Assets
		a.Directory = abs(a.Directory)
		if a.NotFoundHandling == "" {
			a.NotFoundHandling = "none"
		}
		if a.HTMLHandling == "" {
			a.HTMLHandling = "auto-trailing-slash"
		}
		w.Assets = &a
	}
	if r.Site != nil {
		w.Site = &Site{Bucket: abs(r.Site.Bucket), Include: r.Site.Include, Exclude: r.Site.Exclude}
	}
	if w.Build.Command != "" {
		if w.Build.Cwd == "" {
			w.Build.Cwd = dir
		}
		if w.Build.WatchDir == nil {
			w.Build.WatchDir = StringList{"./src"}
		}
	}
	w.Build.Cwd = abs(w.Build.Cwd)
	if w.Build.WatchDir != nil {
		wd := make(StringList, len(w.Build.WatchDir))
		for i, p := range w.Build.WatchDir {
			wd[i] = abs(p)
		}
		w.Build.WatchDir = wd
	}
	w.D1Databases = slices.Clone(w.D1Databases)
	for i := range w.D1Databases {
		db := &w.D1Databases[i]
		if db.MigrationsDir == "" {
			db.MigrationsDir = "migrations"
		}
		db.MigrationsDir = abs(db.MigrationsDir)
		if db.MigrationsTable == "" {
			db.MigrationsTable = "d1_migrations"
		}
	}
	w.Queues.Consumers = slices.Clone(w.Queues.Consumers)
	for i := range w.Queues.Consumers {
		c := &w.Queues.Consumers[i]
		if !v.has("queues", "consumers", i, "max_batch_size") {
			c.MaxBatchSize = DefaultMaxBatchSize
		}
		if !v.has("queues", "consumers", i, "max_batch_timeout") {
			c.MaxBatchTimeout = DefaultMaxBatchTimeout
		}
		if !v.has("queues", "consumers", i, "max_retries") {
			c.MaxRetries = DefaultMaxRetries
		}
	}
	return w
}
