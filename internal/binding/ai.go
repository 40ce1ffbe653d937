package binding

import (
	"context"
	"errors"
	"io"
	"net/url"
	"sync"
	"time"

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

// aiStreams holds one isolate's open AI streams. Entries are removed at
// EOF, on cancel (the JavaScript stream was cancelled or collected), or by
// a sweep of streams left unread for streamIdle.
type aiStreams struct {
	mu   sync.Mutex
	next int
	m    map[int]*aiStream
}

type aiStream struct {
	rc   io.ReadCloser
	last time.Time
}

const streamIdle = 10 * time.Minute

func (s *aiStreams) add(rc io.ReadCloser) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for id, e := range s.m {
		if now.Sub(e.last) > streamIdle {
			e.rc.Close()
			delete(s.m, id)
		}
	}
	s.next++
	s.m[s.next] = &aiStream{rc: rc, last: now}
	return s.next
}

func (s *aiStreams) get(id int) (*aiStream, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if ok {
		e.last = time.Now()
	}
	return e, ok
}

func (s *aiStreams) drop(id int) {
	s.mu.Lock()
	e, ok := s.m[id]
	delete(s.m, id)
	s.mu.Unlock()
	if ok {
		e.rc.Close()
	}
}

// aiStreamChunk bounds one read of a stream (events are small).
const aiStreamChunk = 16 << 10

// installAI defines the Ai host functions:
//
//	aiRun(p, model, inputsJSON)  → JSON text of the output | stream id (number)
//	aiRead(p, id)                → bytes | false at the end
//	aiCancel(id)                 closes a stream
//	aiModels(p, task, author, search) → JSON list (AiModelsSearchObject[])
//
// Errors of the service reject with their Workers AI text ("5007: …");
// ai.js turns them into InferenceUpstreamError.
func installAI(rt *webapi.Runtime, svc func() *ai.Service) {
	streams := &aiStreams{m: map[int]*aiStream{}}
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
				return webapi.OnLoop(func() (any, error) { return streams.add(res.Stream), nil }), nil
			}
			return webapi.JSON(res.JSON), nil
		}, nil
	})
	rt.Async("aiRead", func(c *v8.Call) (webapi.Work, error) {
		id := int(c.Int(1))
		e, ok := streams.get(id)
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is closed."}
		}
		return func() (any, error) {
			buf := make([]byte, aiStreamChunk)
			n, err := e.rc.Read(buf)
			if n > 0 {
				return buf[:n], nil
			}
			streams.drop(id)
			if err == io.EOF || errors.Is(err, io.ErrClosedPipe) {
				return false, nil
			}
			return nil, err
		}, nil
	})
	rt.Func("aiCancel", func(c *v8.Call) (any, error) {
		streams.drop(int(c.Int(0)))
		return nil, nil
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
