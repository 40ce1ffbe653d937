// Package webapi is the Workers runtime's JavaScript environment: the Web
// APIs that Cloudflare Workers offer (Request, Response, streams, URL,
// crypto, timers, …), written mostly in JavaScript (the prelude, in js/) over
// a small set of Go host functions.
//
// A [Runtime] is one isolate with the prelude loaded and an event loop that
// delivers the results of asynchronous host work. It is owned by one
// goroutine locked to its OS thread (see package v8); internal/worker builds
// request dispatch, pools and limits on top of it.
//
// # Host protocol
//
// JavaScript reaches Go only through host functions, defined with
// [Runtime.Func] (synchronous) and [Runtime.Async] (returns a promise). The
// prelude module js/host.js is the JavaScript half: callAsync(name, ...args)
// passes a fresh promise id as the first argument, and Go settles it later
// with one call into JavaScript. Results cross as:
//   - nil → undefined; bool, numbers, strings as themselves;
//   - []byte → a Uint8Array (through the scratch area, or a larger
//     SharedArrayBuffer that JavaScript allocates and Go fills);
//   - [JSON] → the parsed value;
//   - an error → a rejected promise: *v8.TypeError → TypeError,
//     *v8.DOMError → DOMException with that name, others → Error.
//
// Each web API area keeps its Go host functions in a file of this package
// (crypto.go, url.go, …) registered from [Runtime.install].
package webapi

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
)

//go:embed js
var jsFiles embed.FS

var prelude struct {
	once sync.Once
	src  string
	err  error
}

// Prelude returns the prelude as one classic script, bundled from js/ with
// esbuild once per process.
func Prelude() (string, error) {
	prelude.once.Do(func() { prelude.src, prelude.err = bundlePrelude() })
	return prelude.src, prelude.err
}

func bundlePrelude() (string, error) {
	embedded := api.Plugin{
		Name: "embedded",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				p := a.Path
				if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
					p = path.Join(path.Dir(a.Importer), p)
				}
				return api.OnResolveResult{Path: path.Clean(p), Namespace: "zs"}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "zs"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				data, err := fs.ReadFile(jsFiles, a.Path)
				if err != nil {
					return api.OnLoadResult{}, err
				}
				s := string(data)
				return api.OnLoadResult{Contents: &s, Loader: api.LoaderJS}, nil
			})
		},
	}
	res := api.Build(api.BuildOptions{
		EntryPoints: []string{"js/index.js"},
		Bundle:      true,
		Format:      api.FormatIIFE,
		Target:      api.ES2022,
		Plugins:     []api.Plugin{embedded},
		Write:       false,
		LogLevel:    api.LogLevelSilent,
		Charset:     api.CharsetUTF8,
		Outfile:     "prelude.js",
		// Classes that refer to themselves would be renamed (Headers.name
		// === "_Headers"); users can see names, so keep them.
		KeepNames:         true,
		MinifyWhitespace:  true,
		MinifySyntax:      true,
		MinifyIdentifiers: true,
	})
	if len(res.Errors) > 0 {
		m := res.Errors[0]
		loc := ""
		if m.Location != nil {
			loc = fmt.Sprintf("%s:%d:%d: ", m.Location.File, m.Location.Line, m.Location.Column)
		}
		return "", fmt.Errorf("webapi: prelude: %s%s", loc, m.Text)
	}
	return string(res.OutputFiles[0].Contents), nil
}
