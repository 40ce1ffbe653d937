package llama

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/zerostack/zerostack/internal/ai"
)

// Handler serves p over the OpenAI API's POST /v1/chat/completions and
// /v1/completions (with server-sent-event streaming), the protocol
// zerostack's openai provider speaks. cmd/zerostack-llama serves it on a
// loopback port for the zerostack process, which keeps llama.cpp (and
// libffi) out of the process that runs V8.
func Handler(p *Provider) http.Handler {
	mux := http.NewServeMux()
	serve := func(chat bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				Messages    []ai.Message `json:"messages"`
				Prompt      string       `json:"prompt"`
				MaxTokens   int          `json:"max_tokens"`
				Temperature *float64     `json:"temperature"`
				TopP        *float64     `json:"top_p"`
				Seed        *int64       `json:"seed"`
				Frequency   *float64     `json:"frequency_penalty"`
				Presence    *float64     `json:"presence_penalty"`
				Stream      bool         `json:"stream"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				httpError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
				return
			}
			req := &ai.GenerateRequest{Messages: body.Messages, Prompt: body.Prompt, Raw: !chat, MaxTokens: body.MaxTokens,
				Temperature: body.Temperature, TopP: body.TopP, Seed: body.Seed, FrequencyPenalty: body.Frequency, PresencePenalty: body.Presence}
			if req.MaxTokens <= 0 {
				req.MaxTokens = ai.DefaultMaxTokens
			}
			if req.Prompt == "" && len(req.Messages) == 0 {
				httpError(w, http.StatusBadRequest, "give messages or prompt")
				return
			}
			choice := func(text string, delta bool) map[string]any {
				switch {
				case !chat:
					return map[string]any{"index": 0, "text": text}
				case delta:
					return map[string]any{"index": 0, "delta": map[string]any{"content": text}}
				}
				return map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}
			}
			if !body.Stream {
				g, err := p.Generate(r.Context(), req, nil)
				if err != nil {
					httpError(w, http.StatusInternalServerError, err.Error())
					return
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"choices": []any{choice(g.Response, false)}, "usage": g.Usage})
				return
			}
			w.Header().Set("Content-Type", "text/event-stream")
			fl, _ := w.(http.Flusher)
			send := func(v any) error {
				b, _ := json.Marshal(v)
				if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
					return err
				}
				if fl != nil {
					fl.Flush()
				}
				return nil
			}
			g, err := p.Generate(r.Context(), req, func(text string) error {
				return send(map[string]any{"choices": []any{choice(text, true)}})
			})
			if err != nil {
				send(map[string]any{"error": map[string]any{"message": err.Error()}})
				return
			}
			send(map[string]any{"choices": []any{}, "usage": g.Usage})
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
	}
	mux.HandleFunc("POST /v1/chat/completions", serve(true))
	mux.HandleFunc("POST /v1/completions", serve(false))
	return mux
}

func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg}})
}
