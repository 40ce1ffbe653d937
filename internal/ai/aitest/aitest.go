// Package aitest provides a deterministic OpenAI-compatible server for
// tests and benchmarks of package ai: chat completions, completions (both
// with server-sent-event streaming) and embeddings, answering the same
// input with the same output every time.
package aitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is an http.Handler speaking the OpenAI API under /v1.
//
// A generation's text is Reply(input), where input is the prompt or the
// last message's content; streamed, it comes one word per event. The
// fields tune its behaviour; set them before serving.
type Server struct {
	// FailFirst makes the first FailFirst requests answer FailStatus (503
	// when 0), to test retries.
	FailFirst  int32
	FailStatus int
	// TokenDelay is slept before each streamed word after the first.
	TokenDelay time.Duration
	// Dim is the embedding length (0 = 8).
	Dim int
	// Gate, if set, is waited on after the first streamed word: a test
	// that reads the first event downstream before closing Gate proves
	// the stream is not buffered.
	Gate chan struct{}
	// ToolCall, if set, is returned as a tool call when the request has
	// tools.
	ToolCall string

	calls    atomic.Int32
	mu       sync.Mutex
	requests []map[string]any
}

// Reply is the text the server generates for input.
func Reply(input string) string {
	words := strings.Fields(input)
	if len(words) > 6 {
		words = words[len(words)-6:]
	}
	return "Echo: " + strings.Join(words, " ") + "."
}

// Requests returns the JSON bodies received so far.
func (s *Server) Requests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.requests...)
}

// Embedding returns the deterministic unit vector the server gives text: a
// bag of hashed lower-cased words, so texts sharing words are close.
func Embedding(text string, dim int) []float32 {
	if dim <= 0 {
		dim = 8
	}
	v := make([]float32, dim)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New32a()
		h.Write([]byte(strings.Trim(w, ".,!?;:")))
		x := h.Sum32()
		v[int(x%uint32(dim))] += 1
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / math.Sqrt(n))
		}
	}
	return v
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n := s.calls.Add(1); n <= s.FailFirst {
		st := s.FailStatus
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":{"message":"try again"}}`, st)
		return
	}
	if r.URL.Path == "/v1/audio/transcriptions" {
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"no file"}}`, http.StatusBadRequest)
			return
		}
		n, _ := io.Copy(io.Discard, f)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"text":"heard %d bytes with %s"}`, n, r.FormValue("model"))
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, body)
	s.mu.Unlock()
	switch r.URL.Path {
	case "/v1/chat/completions", "/v1/completions":
		s.generate(w, r.URL.Path == "/v1/chat/completions", body)
	case "/v1/images/generations":
		// A PNG signature and the prompt: enough to check the bytes arrive.
		img := append([]byte("\x89PNG\r\n\x1a\n"), fmt.Sprint(body["prompt"], " ", body["size"])...)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": []any{map[string]any{"b64_json": base64.StdEncoding.EncodeToString(img)}}})
	case "/v1/embeddings":
		var inputs []string
		switch x := body["input"].(type) {
		case string:
			inputs = []string{x}
		case []any:
			for _, e := range x {
				s, _ := e.(string)
				inputs = append(inputs, s)
			}
		}
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		out := struct {
			Data []item `json:"data"`
		}{}
		for i, t := range inputs {
			out.Data = append(out.Data, item{i, Embedding(t, s.Dim)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) generate(w http.ResponseWriter, chat bool, body map[string]any) {
	input, _ := body["prompt"].(string)
	if msgs, ok := body["messages"].([]any); ok && len(msgs) > 0 {
		last, _ := msgs[len(msgs)-1].(map[string]any)
		input, _ = last["content"].(string)
	}
	text := Reply(input)
	if mt, ok := body["max_tokens"].(float64); ok {
		if words := strings.Fields(text); int(mt) < len(words) {
			text = strings.Join(words[:int(mt)], " ")
		}
	}
	_, hasTools := body["tools"]
	promptTokens := len(strings.Fields(input))
	completionTokens := len(strings.Fields(text))
	usage := map[string]int{"prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens}
	if stream, _ := body["stream"].(bool); stream {
		w.Header().Set("Content-Type", "text/event-stream")
		fl, _ := w.(http.Flusher)
		words := strings.Fields(text)
		for i, word := range words {
			if i > 0 {
				word = " " + word
				if s.TokenDelay > 0 {
					time.Sleep(s.TokenDelay)
				}
			}
			var ev any
			if chat {
				ev = map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": word}}}}
			} else {
				ev = map[string]any{"choices": []any{map[string]any{"index": 0, "text": word}}}
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "data: %s\n\n", b)
			if fl != nil {
				fl.Flush()
			}
			if i == 0 && s.Gate != nil {
				<-s.Gate
			}
		}
		b, _ := json.Marshal(map[string]any{"choices": []any{}, "usage": usage})
		fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
		return
	}
	var choice map[string]any
	if chat {
		msg := map[string]any{"role": "assistant", "content": text}
		if hasTools && s.ToolCall != "" {
			msg["content"] = ""
			msg["tool_calls"] = []any{map[string]any{"id": "call_1", "type": "function",
				"function": map[string]any{"name": s.ToolCall, "arguments": `{"q":"` + input + `"}`}}}
		}
		choice = map[string]any{"index": 0, "message": msg, "finish_reason": "stop"}
	} else {
		choice = map[string]any{"index": 0, "text": text, "finish_reason": "stop"}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"choices": []any{choice}, "usage": usage})
}
