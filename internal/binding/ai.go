package binding

import (
	"context"
	"net/url"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

// TypeAI is the binding type of env.AI (Workers AI).
const TypeAI = "ai"

// AI returns the env entry name → an Ai binding (Workers AI).
func AI(name string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeAI, Config: map[string]string{"id": name}}
}

// AIExtension returns the worker extension that serves env.AI from the
// service svc returns. svc is called on every request, so that a
// configuration reloaded by the caller takes effect at once; it returns
// nil when Workers AI is not set up (requests then fail with a hint).
//
// env.AI.run(model, inputs, options) returns Workers AI's output: an
// object or array, or for stream: true a ReadableStream of server-sent
// events. A stream is fed from Go as the provider produces text: each read
// returns what has arrived so far, so the first token reaches the worker as
// soon as the provider emits it.
func AIExtension(svc func() *ai.Service) worker.Extension {
	b, err := jsFiles.ReadFile("js/ai.js")
	if err != nil {
		panic("binding: missing embedded ai.js")
	}
	return worker.Extension{
		Name:   "ai",
		Setup:  func(rt *webapi.Runtime) { installAI(rt, svc) },
		Script: "(() => {\n" + string(b) + "\n})();\n",
	}
}

// installAI defines the Ai host functions:
//
//	aiRun(p, model, inputsJSON) → the output (parsed JSON) | a reader id (number)
//	aiModels(p, searchParams)   → JSON list (AiModelsSearchObject[])
//
// A stream's reader is registered with the runtime (so it belongs to the
// request and is closed when the request ends) and marked live
// ([webapi.Live]): ai.js wraps it with hostStream, so a worker that returns
// it in a Response hands the Go reader straight to the HTTP response, and
// one that reads it in JavaScript gets each event as it arrives.
//
// Errors of the service reject with their Workers AI text ("5007: …");
// ai.js turns them into InferenceUpstreamError.
func installAI(rt *webapi.Runtime, svc func() *ai.Service) {
	service := func() (*ai.Service, error) {
		s := svc()
		if s == nil {
			return nil, &ai.Error{Code: ai.CodeNoSuchModel, Message: "Workers AI is not available",
				Hint: "add [ai] binding = \"AI\" to wrangler.toml"}
		}
		return s, nil
	}
	rt.Async("aiRun", func(c *v8.Call) (webapi.Work, error) {
		model, input := c.String(1), c.String(2)
		return func() (any, error) {
			s, err := service()
			if err != nil {
				return nil, err
			}
			res, err := s.Run(context.Background(), model, []byte(input))
			if err != nil {
				return nil, err
			}
			if res.Stream != nil {
				return webapi.OnLoop(func() (any, error) { return rt.AddReader(res.Stream), nil }), nil
			}
			return webapi.JSON(res.JSON), nil
		}, nil
	})
	rt.Async("aiModels", func(c *v8.Call) (webapi.Work, error) {
		q, err := url.ParseQuery(c.String(1))
		if err != nil {
			return nil, &v8.TypeError{Msg: "models: bad search parameters"}
		}
		return func() (any, error) {
			s, err := service()
			if err != nil {
				return nil, err
			}
			list := s.Search(q.Get("task"), q.Get("author"), q.Get("search"))
			if list == nil {
				list = []ai.SearchObject{}
			}
			return jsonResult(list)
		}, nil
	})
}
