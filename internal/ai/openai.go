package ai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// OpenAI is a [Provider] over an OpenAI-compatible HTTP API (Ollama, vLLM,
// llama.cpp's server, LocalAI, OpenAI itself): chat completions or
// completions for text generation (with server-sent-event streaming) and
// embeddings.
//
// Requests reuse pooled keep-alive connections; at most MaxConcurrency run
// at once (others wait, honouring their context); a request answered 429 or
// 5xx, or whose connection failed before an answer, is retried up to
// Retries times with exponential back-off and jitter (Retry-After is
// honoured up to 10 s). Timeout bounds a whole non-streaming request and a
// streaming request's wait for its response headers.
type OpenAI struct {
	base    string
	key     string
	model   string
	api     string
	timeout time.Duration
	retries int
	sem     chan struct{}
	client  *http.Client
}

// Defaults of [ProviderConfig] for an OpenAI provider.
const (
	DefaultTimeout        = 120 * time.Second
	DefaultRetries        = 2
	DefaultMaxConcurrency = 16
)

// NewOpenAI returns the provider configured by pc (Type "openai").
func NewOpenAI(pc ProviderConfig) (*OpenAI, error) {
	if pc.URL == "" {
		return nil, errors.New("ai: an openai provider needs a url (e.g. http://localhost:11434/v1 for Ollama)")
	}
	p := &OpenAI{
		base:    strings.TrimRight(pc.URL, "/"),
		key:     pc.APIKey,
		model:   pc.Model,
		api:     pc.API,
		timeout: pc.Timeout,
		retries: pc.Retries,
	}
	if p.key == "" && pc.APIKeyEnv != "" {
		p.key = os.Getenv(pc.APIKeyEnv)
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if pc.Retries == 0 {
		p.retries = DefaultRetries
	}
	if pc.Retries < 0 {
		p.retries = 0
	}
	n := pc.MaxConcurrency
	if n <= 0 {
		n = DefaultMaxConcurrency
	}
	p.sem = make(chan struct{}, n)
	p.client = &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          n * 2,
		MaxIdleConnsPerHost:   n,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: p.timeout,
		ForceAttemptHTTP2:     true,
	}}
	return p, nil
}

// Close drops idle connections.
func (p *OpenAI) Close() error {
	p.client.CloseIdleConnections()
	return nil
}

// chatRequest is the body of POST /chat/completions and /completions.
type chatRequest struct {
	Model            string          `json:"model"`
	Messages         []chatMessage   `json:"messages,omitempty"`
	Prompt           string          `json:"prompt,omitempty"`
	MaxTokens        int             `json:"max_tokens,omitempty"`
	Temperature      *float64        `json:"temperature,omitempty"`
	TopP             *float64        `json:"top_p,omitempty"`
	Seed             *int64          `json:"seed,omitempty"`
	FrequencyPenalty *float64        `json:"frequency_penalty,omitempty"`
	PresencePenalty  *float64        `json:"presence_penalty,omitempty"`
	Stream           bool            `json:"stream,omitempty"`
	StreamOptions    *streamOptions  `json:"stream_options,omitempty"`
	Tools            []chatTool      `json:"tools,omitempty"`
	Extra            json.RawMessage `json:"-"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role       string `json:"role"`
	Content    string `json:"content"`
	Name       string `json:"name,omitempty"`
	ToolCallID string `json:"tool_call_id,omitempty"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function Tool   `json:"function"`
}

type chatToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatResponse struct {
	Choices []struct {
		Text    string `json:"text"`
		Message struct {
			Content   string         `json:"content"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"message"`
		Delta struct {
			Content   string         `json:"content"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *TokenUsage `json:"usage"`
}

// Generate implements [Provider].
func (p *OpenAI) Generate(ctx context.Context, req *GenerateRequest, emit func(string) error) (*GenerateResult, error) {
	model := req.Model
	if model == "" {
		model = p.model
	}
	if model == "" {
		model = req.ModelID
	}
	body := chatRequest{
		Model: model, MaxTokens: req.MaxTokens, Temperature: req.Temperature, TopP: req.TopP,
		Seed: req.Seed, FrequencyPenalty: req.FrequencyPenalty, PresencePenalty: req.PresencePenalty,
	}
	path := "/chat/completions"
	if req.Prompt != "" && (req.Raw || p.api == "completions") {
		path, body.Prompt = "/completions", req.Prompt
	} else if req.Prompt != "" {
		body.Messages = []chatMessage{{Role: "user", Content: req.Prompt}}
	} else {
		body.Messages = make([]chatMessage, len(req.Messages))
		for i, m := range req.Messages {
			body.Messages[i] = chatMessage(m)
		}
	}
	for _, t := range req.Tools {
		body.Tools = append(body.Tools, chatTool{Type: "function", Function: t})
	}
	if emit != nil {
		body.Stream = true
		body.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("openai request: %w", err)
	}
	if emit == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	resp, release, err := p.post(ctx, path, "application/json", b)
	if err != nil {
		return nil, err
	}
	defer release()
	defer resp.Body.Close()
	if emit != nil {
		return p.readStream(resp.Body, emit)
	}
	var cr chatResponse
	if err := json.NewDecoder(resp.Body).Decode(&cr); err != nil {
		return nil, fmt.Errorf("openai %s: reading the answer: %w", path, err)
	}
	if len(cr.Choices) == 0 {
		return nil, fmt.Errorf("openai %s: the answer has no choices", path)
	}
	c := cr.Choices[0]
	res := &GenerateResult{Response: c.Message.Content + c.Text}
	for _, tc := range c.Message.ToolCalls {
		res.ToolCalls = append(res.ToolCalls, ToolCall{Name: tc.Function.Name, Arguments: argsJSON(tc.Function.Arguments)})
	}
	if cr.Usage != nil {
		res.Usage = *cr.Usage
	} else {
		res.Usage = estimateUsage(req, res.Response)
	}
	return res, nil
}

// argsJSON returns a tool call's arguments as JSON (servers send them as a
// JSON string; a malformed one is passed on as a string).
func argsJSON(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("{}")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return marshal(s)
}

// readStream reads the server-sent events of a streaming answer, calling
// emit with each text delta as it arrives.
func (p *OpenAI) readStream(body io.Reader, emit func(string) error) (*GenerateResult, error) {
	br := bufio.NewReaderSize(body, 16<<10)
	var all strings.Builder
	var usage *TokenUsage
	calls := map[int]*chatToolCall{}
	var order []int
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A very long event: gather the rest of the line.
			rest, err2 := br.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		line = bytes.TrimRight(line, "\r\n")
		if data, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			data = bytes.TrimSpace(data)
			if string(data) == "[DONE]" {
				break
			}
			var cr chatResponse
			if jerr := json.Unmarshal(data, &cr); jerr != nil {
				return nil, fmt.Errorf("openai stream: bad event %.80q: %w", data, jerr)
			}
			if cr.Usage != nil {
				usage = cr.Usage
			}
			for _, c := range cr.Choices {
				text := c.Delta.Content + c.Text
				for _, tc := range c.Delta.ToolCalls {
					e := calls[tc.Index]
					if e == nil {
						e = &chatToolCall{}
						calls[tc.Index] = e
						order = append(order, tc.Index)
					}
					if tc.Function.Name != "" {
						e.Function.Name = tc.Function.Name
					}
					e.Function.Arguments += tc.Function.Arguments
				}
				if text == "" {
					continue
				}
				all.WriteString(text)
				if eerr := emit(text); eerr != nil {
					return nil, eerr
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("openai stream: %w", err)
		}
	}
	res := &GenerateResult{Response: all.String()}
	for _, i := range order {
		res.ToolCalls = append(res.ToolCalls, ToolCall{Name: calls[i].Function.Name, Arguments: argsJSON(calls[i].Function.Arguments)})
	}
	if usage != nil {
		res.Usage = *usage
	} else {
		res.Usage = TokenUsage{CompletionTokens: estimateTokens(res.Response)}
		res.Usage.TotalTokens = res.Usage.CompletionTokens
	}
	return res, nil
}

type embeddingRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embeddingResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

// Embed implements [Provider] with POST /embeddings.
func (p *OpenAI) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = p.model
	}
	b, err := json.Marshal(embeddingRequest{Model: model, Input: texts})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, release, err := p.post(ctx, "/embeddings", "application/json", b)
	if err != nil {
		return nil, err
	}
	defer release()
	defer resp.Body.Close()
	var er embeddingResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil {
		return nil, fmt.Errorf("openai /embeddings: reading the answer: %w", err)
	}
	if len(er.Data) != len(texts) {
		return nil, fmt.Errorf("openai /embeddings: %d vectors for %d texts", len(er.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for i, d := range er.Data {
		j := d.Index
		if j < 0 || j >= len(out) {
			j = i
		}
		out[j] = d.Embedding
	}
	return out, nil
}

// StatusError is an HTTP error answer of the backend.
type StatusError struct {
	URL    string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered %d: %s", e.URL, e.Status, e.Body)
}

func retryable(status int) bool { return status == 429 || status >= 500 }

// post sends body to path, retrying as the type's doc says, and returns a
// 2xx response; release gives back the concurrency slot (after the body
// has been read).
func (p *OpenAI) post(ctx context.Context, path, contentType string, body []byte) (*http.Response, func(), error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	release := func() { <-p.sem }
	url := p.base + path
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			release()
			return nil, nil, err
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/json, text/event-stream")
		if p.key != "" {
			req.Header.Set("Authorization", "Bearer "+p.key)
		}
		resp, err := p.client.Do(req)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || attempt >= p.retries {
				release()
				return nil, nil, fmt.Errorf("openai %s: %w", url, err)
			}
		case resp.StatusCode/100 == 2:
			return resp, release, nil
		default:
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			if !retryable(resp.StatusCode) || attempt >= p.retries {
				release()
				return nil, nil, &StatusError{URL: url, Status: resp.StatusCode, Body: strings.TrimSpace(string(msg))}
			}
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = min(time.Duration(s)*time.Second, 10*time.Second)
			}
		}
		if wait == 0 {
			base := 100 * time.Millisecond << attempt
			wait = base/2 + rand.N(base)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, nil, ctx.Err()
		}
	}
}

// estimateTokens guesses a token count for text from a backend that
// reports none: about four bytes a token, as for English with BPE.
func estimateTokens(s string) int { return (len(s) + 3) / 4 }

func estimateUsage(req *GenerateRequest, out string) TokenUsage {
	in := estimateTokens(req.Prompt)
	for _, m := range req.Messages {
		in += estimateTokens(m.Content) + 4
	}
	o := estimateTokens(out)
	return TokenUsage{PromptTokens: in, CompletionTokens: o, TotalTokens: in + o}
}

var _ Provider = (*OpenAI)(nil)

// GenerateImage implements [ImageGenerator] with POST /images/generations
// (response_format b64_json).
func (p *OpenAI) GenerateImage(ctx context.Context, req *ImageRequest) ([]byte, error) {
	model := req.Model
	if model == "" {
		model = p.model
	}
	prompt := req.Prompt
	if req.NegativePrompt != "" {
		prompt += "\nAvoid: " + req.NegativePrompt
	}
	b, err := json.Marshal(map[string]any{"model": model, "prompt": prompt, "n": 1,
		"size": fmt.Sprintf("%dx%d", req.Width, req.Height), "response_format": "b64_json"})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, release, err := p.post(ctx, "/images/generations", "application/json", b)
	if err != nil {
		return nil, err
	}
	defer release()
	defer resp.Body.Close()
	var out struct {
		Data []struct {
			B64 string `json:"b64_json"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("openai /images/generations: reading the answer: %w", err)
	}
	if len(out.Data) == 0 || out.Data[0].B64 == "" {
		return nil, errors.New("openai /images/generations: the answer has no image")
	}
	img, err := base64.StdEncoding.DecodeString(out.Data[0].B64)
	if err != nil {
		return nil, fmt.Errorf("openai /images/generations: bad base64: %w", err)
	}
	return img, nil
}

// Transcribe implements [Transcriber] with POST /audio/transcriptions.
func (p *OpenAI) Transcribe(ctx context.Context, model string, audio []byte) (string, error) {
	if model == "" {
		model = p.model
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("model", model)
	mw.WriteField("response_format", "json")
	fw, _ := mw.CreateFormFile("file", "audio")
	fw.Write(audio)
	mw.Close()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, release, err := p.post(ctx, "/audio/transcriptions", mw.FormDataContentType(), body.Bytes())
	if err != nil {
		return "", err
	}
	defer release()
	defer resp.Body.Close()
	var out struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("openai /audio/transcriptions: reading the answer: %w", err)
	}
	return out.Text, nil
}

var (
	_ ImageGenerator = (*OpenAI)(nil)
	_ Transcriber    = (*OpenAI)(nil)
)
