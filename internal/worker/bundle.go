package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// BundleOptions says what to bundle.
type BundleOptions struct {
	// Entry is the worker's main module (absolute path).
	Entry string
	// Dir is the project directory; node_modules resolution starts here.
	Dir string
	// Define and Alias are wrangler's define and alias settings.
	Define map[string]string
	Alias  map[string]string
	// Minify minifies the output (wrangler's minify).
	Minify bool
	// NodeCompat enables the node:* built-in modules we provide.
	NodeCompat bool
	// Tsconfig is an optional tsconfig path.
	Tsconfig string
	// EntrySource, when not empty, is the main module's source, bundled
	// as if it were the file Entry (which need not exist; relative
	// imports resolve from its directory). Generated entries use it, such
	// as the Pages Functions router.
	EntrySource string
}

// Bundle is a worker bundled into one classic script.
type Bundle struct {
	// Script is the classic script; running it leaves the module's exports
	// in globalThis.__zs_exports.
	Script string
	// Name is the script's origin as V8 sees it.
	Name string
	// Map maps positions in Script back to the user's sources.
	Map *SourceMap
	// Inputs are the absolute paths of the files read, for reloading on
	// change.
	Inputs []string
}

// BundleError is a bundling failure with esbuild's messages, each with
// file:line:column.
type BundleError struct {
	Messages []string
}

func (e *BundleError) Error() string {
	return "build failed:\n" + strings.Join(e.Messages, "\n")
}

// scriptName is the origin given to V8 for bundled workers.
const scriptName = "worker.js"

// virtualModules are the runtime's built-in modules. Their sources read from
// globals that the prelude defines (see internal/webapi/js/worker.js).
var virtualModules = map[string]string{
	"cloudflare:workers": `const cf = globalThis.__zs_cloudflare;
export const WorkerEntrypoint = cf.WorkerEntrypoint;
export const DurableObject = cf.DurableObject;
export const RpcTarget = cf.RpcTarget;
export const WorkflowEntrypoint = cf.WorkflowEntrypoint;
export const env = new Proxy({}, { get: (_, k) => cf.env[k], has: (_, k) => k in cf.env, ownKeys: () => Reflect.ownKeys(cf.env), getOwnPropertyDescriptor: (_, k) => Reflect.getOwnPropertyDescriptor(cf.env, k) });
export default { WorkerEntrypoint, DurableObject, RpcTarget, WorkflowEntrypoint, env };
`,
	"cloudflare:sockets": `export function connect() { throw new Error("connect() is not supported by zerostack yet."); }
export default { connect };
`,
}

// MakeBundle bundles the worker with esbuild: TypeScript, JSX, npm packages
// from node_modules, ES modules and CommonJS, with an inline source map kept
// in memory.
func MakeBundle(o BundleOptions) (*Bundle, error) {
	if o.Entry == "" {
		return nil, errors.New("worker: no main module: set `main` in wrangler.toml (e.g. main = \"src/index.ts\")")
	}
	if o.EntrySource == "" {
		if _, err := os.Stat(o.Entry); err != nil {
			return nil, fmt.Errorf("worker: main module %s: %w", o.Entry, err)
		}
	}
	virtual := api.Plugin{
		Name: "zerostack-builtins",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: `^cloudflare:`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := virtualModules[a.Path]; !ok {
					return api.OnResolveResult{}, fmt.Errorf("unknown built-in module %q", a.Path)
				}
				return api.OnResolveResult{Path: a.Path, Namespace: "zs-builtin"}, nil
			})
			setupNodeResolution(b, o.NodeCompat) // node:* and bare built-ins (node.go)
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "zs-builtin"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				src := virtualModules[a.Path]
				return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
			})
		},
	}
	opts := api.BuildOptions{
		EntryPoints:       []string{o.Entry},
		AbsWorkingDir:     o.Dir,
		Bundle:            true,
		Write:             false,
		Format:            api.FormatIIFE,
		GlobalName:        "__zs_exports",
		Platform:          api.PlatformBrowser,
		Conditions:        []string{"workerd", "worker", "browser"},
		MainFields:        []string{"browser", "module", "main"},
		Target:            api.ES2022,
		Sourcemap:         api.SourceMapExternal,
		SourcesContent:    api.SourcesContentExclude,
		Outfile:           filepath.Join(o.Dir, ".zerostack", scriptName),
		Define:            o.Define,
		Alias:             o.Alias,
		MinifyWhitespace:  o.Minify,
		MinifySyntax:      o.Minify,
		MinifyIdentifiers: o.Minify,
		KeepNames:         true,
		Metafile:          true,
		LogLevel:          api.LogLevelSilent,
		Charset:           api.CharsetUTF8,
		Tsconfig:          o.Tsconfig,
		Plugins:           []api.Plugin{virtual},
		Loader: map[string]api.Loader{
			".txt":  api.LoaderText,
			".html": api.LoaderText,
			".sql":  api.LoaderText,
			".bin":  api.LoaderBinary,
			".wasm": api.LoaderBinary,
		},
	}
	if o.NodeCompat { // Buffer and process globals (node.go)
		opts.Inject = []string{nodeGlobalsModule}
	}
	if o.EntrySource != "" {
		opts.EntryPoints = nil
		opts.Stdin = &api.StdinOptions{
			Contents:   o.EntrySource,
			ResolveDir: filepath.Dir(o.Entry),
			Sourcefile: o.Entry,
			Loader:     api.LoaderTS,
		}
	}
	res := api.Build(opts)
	if o.NodeCompat && len(res.Errors) == 0 && nodeUsesAsyncContext(res.Metafile) { // AsyncLocalStorage (node.go)
		opts.Supported = nodeAsyncLowering
		res = api.Build(opts)
	}
	if len(res.Errors) > 0 {
		return nil, &BundleError{Messages: formatMessages(res.Errors)}
	}
	b := &Bundle{Name: scriptName}
	for _, f := range res.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".map"):
			m, err := ParseSourceMap(f.Contents, filepath.Join(o.Dir, ".zerostack"))
			if err != nil {
				return nil, fmt.Errorf("worker: source map: %w", err)
			}
			b.Map = m
		case strings.HasSuffix(f.Path, ".js"):
			b.Script = string(f.Contents)
		}
	}
	b.Inputs = metafileInputs(res.Metafile, o.Dir)
	return b, nil
}

func formatMessages(msgs []api.Message) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m.Location != nil {
			out = append(out, fmt.Sprintf("%s:%d:%d: error: %s\n    %s", m.Location.File, m.Location.Line, m.Location.Column+1, m.Text, m.Location.LineText))
		} else {
			out = append(out, "error: "+m.Text)
		}
	}
	return out
}

// metafileInputs extracts the input file paths from esbuild's metafile
// without a full JSON schema: the "inputs" object's keys.
func metafileInputs(meta string, dir string) []string {
	var m struct {
		Inputs map[string]struct{} `json:"inputs"`
	}
	if err := jsonUnmarshal([]byte(meta), &m); err != nil {
		return nil
	}
	var out []string
	for k := range m.Inputs {
		if strings.Contains(k, ":") && !filepath.IsAbs(k) {
			continue // a virtual module
		}
		p := k
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
