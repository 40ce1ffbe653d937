package worker

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Node.js compatibility (the nodejs_compat compatibility flag).
//
// With the flag, Cloudflare Workers provide Node.js built-in modules, under
// their node: names and their bare names alike (import { Buffer } from
// "buffer"), and the globals Buffer and process. zerostack provides them as
// esbuild virtual modules whose sources are node/*.js (our own code, written
// from Node's and Cloudflare's documentation; nothing is copied from workerd
// or unenv). The modules run as user code; what must happen in Go (hashing,
// PBKDF2) goes through the prelude's globalThis.__zs_node (see
// internal/webapi/js/node.js), synchronously as Node's API requires.
//
// Decisions:
//   - Without the flag, a node:X import fails the bundle with wrangler's
//     advice; bare names resolve from node_modules as before.
//   - With the flag, a bare name that is a Node built-in we provide resolves
//     to ours even when node_modules has a package of that name (as on
//     Workers, where the runtime's module wins). A bare built-in name we do
//     not provide is first looked up in node_modules (a package.json
//     "browser" map may replace it), and fails with an error naming it only
//     when that fails too.
//   - Buffer and process become globals by an injected module, so they
//     exist before any of the Worker's modules run, as in workerd.

//go:embed node/*.js
var nodeFiles embed.FS

// nodeProvided maps each built-in module name we provide (without node:) to
// its source file in node/.
var nodeProvided = map[string]string{
	"assert":              "assert.js",
	"assert/strict":       "assert_strict.js",
	"async_hooks":         "async_hooks.js",
	"buffer":              "buffer.js",
	"crypto":              "crypto.js",
	"events":              "events.js",
	"path":                "path.js",
	"path/posix":          "path.js",
	"process":             "process.js",
	"stream":              "stream.js",
	"stream/promises":     "stream_promises.js",
	"stream/web":          "stream_web.js",
	"stream/consumers":    "stream_consumers.js",
	"querystring":         "querystring.js",
	"zlib":                "zlib.js",
	"diagnostics_channel": "diagnostics_channel.js",
	"string_decoder":      "string_decoder.js",
	"timers":              "timers.js",
	"timers/promises":     "timers_promises.js",
	"url":                 "url.js",
	"util":                "util.js",
	"util/types":          "util_types.js",
}

// nodeGlobalsModule is the injected module that installs Buffer and
// process on globalThis.
const nodeGlobalsModule = "zerostack:node-globals"

// nodeBuiltins are Node.js's built-in module names (without node:), for
// recognising bare imports of the ones we do not provide.
var nodeBuiltins = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`assert assert/strict async_hooks buffer child_process cluster console
		constants crypto dgram diagnostics_channel dns dns/promises domain events fs fs/promises http http2
		https inspector inspector/promises module net os path path/posix path/win32 perf_hooks process
		punycode querystring readline readline/promises repl stream stream/consumers stream/promises
		stream/web string_decoder sys timers timers/promises tls trace_events tty url util util/types v8 vm
		wasi worker_threads zlib`) {
		nodeBuiltins[n] = true
	}
}

// nodeProvidedList is the sorted list of provided names, for error messages.
func nodeProvidedList() string {
	names := make([]string, 0, len(nodeProvided))
	for n := range nodeProvided {
		names = append(names, "node:"+n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// nodeNotFlagged is the error for a node: import without nodejs_compat,
// worded as wrangler words it.
func nodeNotFlagged(spec string) error {
	return fmt.Errorf("The package %q wasn't found on the file system but is built into node.\n"+
		"Add the \"nodejs_compat\" compatibility flag to your project: compatibility_flags = [\"nodejs_compat\"] in wrangler.toml (with a compatibility_date of 2024-09-23 or later).", spec)
}

// nodeNotProvided is the error for a Node.js built-in zerostack lacks.
func nodeNotProvided(spec string) error {
	return fmt.Errorf("The Node.js built-in module %q is not provided by zerostack's nodejs_compat yet.\n"+
		"Provided modules: %s. Use a Web API instead (fetch, crypto.subtle, streams) or an npm package that does not need it.", spec, nodeProvidedList())
}

// nodeModule is where a provided built-in resolves. CommonJS callers
// (require("events")) get a wrapper whose module.exports is the module's
// default export, as Node's require returns it (esbuild would otherwise
// hand them the ES module namespace, which is not callable or
// constructible: new (require("events"))() must work).
func nodeModule(name string, kind api.ResolveKind) api.OnResolveResult {
	if kind == api.ResolveJSRequireCall {
		return api.OnResolveResult{Path: "cjs:" + name, Namespace: "zs-node"}
	}
	return api.OnResolveResult{Path: "node:" + name, Namespace: "zs-node"}
}

// nodeResolveMarker marks the plugin's own nested resolutions, so that they
// fall through to esbuild's node_modules lookup.
type nodeResolveMarker struct{}

// setupNodeResolution registers the node: and bare built-in resolvers on b.
func setupNodeResolution(b api.PluginBuild, enabled bool) {
	b.OnResolve(api.OnResolveOptions{Filter: `^node:`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
		name := strings.TrimPrefix(a.Path, "node:")
		if !enabled {
			return api.OnResolveResult{}, nodeNotFlagged(a.Path)
		}
		if _, ok := nodeProvided[name]; !ok {
			return api.OnResolveResult{}, nodeNotProvided(a.Path)
		}
		return nodeModule(name, a.Kind), nil
	})
	if !enabled {
		return
	}
	b.OnResolve(api.OnResolveOptions{Filter: `^[a-z_]+(/[a-z_]+)?$`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
		if _, ok := a.PluginData.(nodeResolveMarker); ok || !nodeBuiltins[a.Path] {
			return api.OnResolveResult{}, nil
		}
		if _, ok := nodeProvided[a.Path]; ok {
			return nodeModule(a.Path, a.Kind), nil
		}
		// Not ours: let node_modules (or a "browser" map) answer first.
		r := b.Resolve(a.Path, api.ResolveOptions{Importer: a.Importer, ResolveDir: a.ResolveDir, Kind: a.Kind, Namespace: a.Namespace, PluginData: nodeResolveMarker{}})
		if len(r.Errors) > 0 {
			return api.OnResolveResult{}, nodeNotProvided(a.Path)
		}
		return api.OnResolveResult{Path: r.Path, Namespace: r.Namespace, External: r.External, Suffix: r.Suffix}, nil
	})
	// The injected globals module and the modules' shared helpers
	// (zerostack:node/NAME, node/NAME.js), which user code cannot name
	// usefully but may: they are ordinary modules.
	b.OnResolve(api.OnResolveOptions{Filter: `^zerostack:node(-globals|/[a-z_]+|-esm/[a-z_/]+)$`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
		if a.Path == nodeGlobalsModule {
			return api.OnResolveResult{Path: "globals.js", Namespace: "zs-node"}, nil
		}
		if name, ok := strings.CutPrefix(a.Path, "zerostack:node-esm/"); ok {
			if _, ok := nodeProvided[name]; !ok {
				return api.OnResolveResult{}, nodeNotProvided("node:" + name)
			}
			return api.OnResolveResult{Path: "node:" + name, Namespace: "zs-node"}, nil
		}
		return api.OnResolveResult{Path: strings.TrimPrefix(a.Path, "zerostack:node/") + ".js", Namespace: "zs-node"}, nil
	})
	b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "zs-node"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		if name, ok := strings.CutPrefix(a.Path, "cjs:"); ok {
			src := fmt.Sprintf("module.exports = require(%q).default;\n", "zerostack:node-esm/"+name)
			return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
		}
		file := a.Path
		if strings.HasPrefix(file, "node:") {
			file = nodeProvided[strings.TrimPrefix(a.Path, "node:")]
		}
		data, err := nodeFiles.ReadFile(path.Join("node", file))
		if err != nil {
			return api.OnLoadResult{}, err
		}
		s := string(data)
		return api.OnLoadResult{Contents: &s, Loader: api.LoaderJS}, nil
	})
}

// nodeAsyncLowering makes esbuild rewrite async functions and async
// generators into generators driven through Promise.prototype.then, which
// node:async_hooks wraps to carry AsyncLocalStorage's context (native await
// bypasses then, and the runtime has no async-context hook).
var nodeAsyncLowering = map[string]bool{"async-await": false, "async-generator": false, "for-await": false}

// nodeUsesAsyncContext reports whether a bundle's metafile includes
// node:async_hooks, so that it must be built again with nodeAsyncLowering.
func nodeUsesAsyncContext(meta string) bool {
	return strings.Contains(meta, `"zs-node:node:async_hooks"`)
}
