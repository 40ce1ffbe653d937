package gguf

import (
	"fmt"
	"math/rand/v2"
)

// Token types of a SentencePiece vocabulary (tokenizer.ggml.token_type).
const (
	tokNormal  = 1
	tokUnknown = 2
	tokControl = 3
	tokByte    = 6
)

// TinyLlamaOptions size a [TinyLlama] model.
type TinyLlamaOptions struct {
	Embd, Heads, FF, Layers, Context int
	// Seed makes the random weights reproducible.
	Seed uint64
	// ChatTemplate, if set, is stored as tokenizer.chat_template.
	ChatTemplate string
}

// TinyWords are the whole-word pieces of the tiny vocabulary (each also
// with SentencePiece's leading "▁" for a preceding space).
var TinyWords = []string{"hello", "world", "cloud", "flare", "haiku", "write", "about", "the", "a", "stream", "token", "model", "edge", "rain", "sky"}

// TinyLlama returns a llama-architecture model with random weights and a
// SentencePiece ("llama") tokenizer of byte-fallback tokens, single
// letters and [TinyWords]. Its output is noise, but llama.cpp loads it,
// tokenizes with it and generates from it like any real model.
func TinyLlama(o TinyLlamaOptions) *File {
	if o.Embd == 0 {
		o.Embd = 64
	}
	if o.Heads == 0 {
		o.Heads = 4
	}
	if o.FF == 0 {
		o.FF = 128
	}
	if o.Layers == 0 {
		o.Layers = 2
	}
	if o.Context == 0 {
		o.Context = 512
	}
	tokens := []string{"<unk>", "<s>", "</s>"}
	types := []int32{tokUnknown, tokControl, tokControl}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", b))
		types = append(types, tokByte)
	}
	seen := map[string]bool{}
	add := func(s string) {
		if seen[s] {
			return // llama.cpp aborts on duplicate pieces
		}
		seen[s] = true
		tokens = append(tokens, s)
		types = append(types, tokNormal)
	}
	add("▁")
	for c := 'a'; c <= 'z'; c++ {
		add(string(c))
		add("▁" + string(c))
	}
	// SentencePiece merges adjacent pieces pairwise, so a word is reachable
	// only through its prefixes: add them all.
	for _, w := range TinyWords {
		for n := 2; n <= len(w); n++ {
			add(w[:n])
			add("▁" + w[:n])
		}
	}
	scores := make([]float32, len(tokens))
	for i, t := range tokens {
		if types[i] == tokNormal {
			// Longer pieces score higher, so the tokenizer prefers them.
			scores[i] = float32(len([]rune(t))) - 10
		}
	}
	n := len(tokens)
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	random := func(name string, dims ...uint64) Tensor {
		size := uint64(1)
		for _, d := range dims {
			size *= d
		}
		data := make([]float32, size)
		scale := 1 / float32(dims[0])
		for i := range data {
			data[i] = (rng.Float32()*2 - 1) * scale * 4
		}
		return Tensor{Name: name, Dims: dims, Data: data}
	}
	ones := func(name string, d int) Tensor {
		data := make([]float32, d)
		for i := range data {
			data[i] = 1
		}
		return Tensor{Name: name, Dims: []uint64{uint64(d)}, Data: data}
	}
	e, ff, v := uint64(o.Embd), uint64(o.FF), uint64(n)
	ts := []Tensor{random("token_embd.weight", e, v), ones("output_norm.weight", o.Embd), random("output.weight", e, v)}
	for l := 0; l < o.Layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			ones(p+"attn_norm.weight", o.Embd),
			random(p+"attn_q.weight", e, e),
			random(p+"attn_k.weight", e, e),
			random(p+"attn_v.weight", e, e),
			random(p+"attn_output.weight", e, e),
			ones(p+"ffn_norm.weight", o.Embd),
			random(p+"ffn_gate.weight", e, ff),
			random(p+"ffn_up.weight", e, ff),
			random(p+"ffn_down.weight", ff, e),
		)
	}
	f := &File{
		Metadata: map[string]any{
			"general.architecture":                   "llama",
			"general.name":                           "zerostack tiny llama (random weights)",
			"general.alignment":                      uint32(alignment),
			"llama.context_length":                   uint32(o.Context),
			"llama.embedding_length":                 uint32(o.Embd),
			"llama.block_count":                      uint32(o.Layers),
			"llama.feed_forward_length":              uint32(o.FF),
			"llama.attention.head_count":             uint32(o.Heads),
			"llama.attention.head_count_kv":          uint32(o.Heads),
			"llama.attention.layer_norm_rms_epsilon": float32(1e-5),
			"llama.rope.dimension_count":             uint32(o.Embd / o.Heads),
			"llama.vocab_size":                       uint32(n),
			"tokenizer.ggml.model":                   "llama",
			"tokenizer.ggml.tokens":                  tokens,
			"tokenizer.ggml.scores":                  scores,
			"tokenizer.ggml.token_type":              types,
			"tokenizer.ggml.bos_token_id":            uint32(1),
			"tokenizer.ggml.eos_token_id":            uint32(2),
			"tokenizer.ggml.unknown_token_id":        uint32(0),
			"tokenizer.ggml.add_bos_token":           true,
			"tokenizer.ggml.add_eos_token":           false,
		},
		Tensors: ts,
	}
	if o.ChatTemplate != "" {
		f.Metadata["tokenizer.chat_template"] = o.ChatTemplate
	}
	return f
}
