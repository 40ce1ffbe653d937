package ai

import (
	"context"
	"encoding/json"
)

// Usage counts of one request, as a provider reports them (or estimates
// them when its backend does not).
type TokenUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// GenerateResult is a finished text generation.
type GenerateResult struct {
	Response  string
	ToolCalls []ToolCall
	Usage     TokenUsage
}

// Provider runs models. Implementations are safe for concurrent use.
//
// Generate produces text for req. When emit is non-nil the provider calls
// it with each piece of text as soon as its backend produces it (in order,
// from one goroutine) and still returns the whole result; an error from
// emit (the reader went away) stops generation and is returned. Embed
// returns one vector per text, all of the same length. A provider returns
// [ErrUnsupported] (possibly wrapped) for what it does not serve; other
// errors are failures of the backend.
type Provider interface {
	Generate(ctx context.Context, req *GenerateRequest, emit func(text string) error) (*GenerateResult, error)
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
	// Close releases the provider's resources (connections, loaded models).
	Close() error
}

// Classifier is an optional [Provider] interface: providers that run a
// real classifier return one score per label, summing to 1.
type Classifier interface {
	Classify(ctx context.Context, model, text string) ([]LabelScore, error)
}

// LabelScore is one entry of a text-classification result.
type LabelScore struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// generateOutput is the JSON Workers AI returns for text generation.
type generateOutput struct {
	Response  string      `json:"response"`
	ToolCalls []ToolCall  `json:"tool_calls,omitempty"`
	Usage     *TokenUsage `json:"usage,omitempty"`
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("ai: marshal: " + err.Error())
	}
	return b
}

// ImageRequest is a validated text-to-image input.
type ImageRequest struct {
	Model          string
	Prompt         string
	NegativePrompt string
	Width, Height  int
	Steps          int
	Seed           *int64
}

// ImageGenerator is an optional [Provider] interface: providers that make
// images return PNG (or JPEG) bytes.
type ImageGenerator interface {
	GenerateImage(ctx context.Context, req *ImageRequest) ([]byte, error)
}

// Transcriber is an optional [Provider] interface: providers that turn
// speech into text.
type Transcriber interface {
	Transcribe(ctx context.Context, model string, audio []byte) (string, error)
}
