package use

import (
	"math"
)

// The forward pass, written out from model.json's graph (names below are the graph's):
//
//	ClipToMaxLength    keep tokens at positions < 128
//	Encode             e = Embeddings_en[id]; x = e + (e + timing(position)) — the graph adds
//	                   the scattered embeddings to the scattered "embeddings + timing signal",
//	                   so the embedding counts twice; timing(p) = [sin(p·inv), cos(p·inv)]
//	Layer_0            h = LN(x); r = x·dense + b (AdjustResidualInput, 256 → 512);
//	                   x = MHA(h) + r; x = FFN(LN(x)) + x
//	Layer_1            x = MHA(LN(x)) + x; x = FFN(LN(x)) + x
//	MHA                qkv = h·W + b, split in q|k|v, each in heads; q *= 1/√headDim;
//	                   softmax(q·kᵀ + padding bias)·v; heads concatenated; ·W + b
//	FFN                ReLU(h·W1 + b1)·W2 + b2
//	LN                 scale·(x − mean)/√(var + 1e-6) + bias, over the last axis
//	output             mean over the text's tokens (÷ max(len, 1)); tanh(·W + b); L2 normalize
//
// Padding never reaches a text's result: padded keys get a −1e9 bias (exp underflows to
// exactly 0), the FFN and residual projection run on real tokens only, and the mean is
// masked. So each text is computed on its own tokens, batched by concatenating the texts'
// tokens as rows of one matrix for every matrix multiply.

// work is the scratch one forward pass needs; Embed calls reuse them through m.ws.
type work struct {
	x0, h, a, b, qkv, ctx, f, pool, fin []float32
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward embeds ids into out, running matrix multiplies and attention on up to par
// goroutines.
func (m *Model) forward(ids [][]int32, out [][]float32, par int) {
	offs := make([]int, len(ids)+1)
	for i, s := range ids {
		offs[i+1] = offs[i] + len(s)
	}
	tokens := offs[len(ids)]
	rows := (tokens + 3) &^ 3
	embDim := m.layers[0].in
	w, _ := m.ws.Get().(*work)
	if w == nil {
		w = &work{}
	}
	defer m.ws.Put(w)
	w.x0 = grow(w.x0, rows*embDim)
	w.h = grow(w.h, rows*Dim)
	w.a = grow(w.a, rows*Dim)
	w.b = grow(w.b, rows*Dim)
	w.qkv = grow(w.qkv, rows*3*Dim)
	w.ctx = grow(w.ctx, rows*Dim)
	w.f = grow(w.f, rows*3*Dim)

	// Encode: token embeddings (twice, as the graph adds them) plus the timing signal.
	half := embDim / 2
	for s, text := range ids {
		for p, id := range text {
			x := w.x0[(offs[s]+p)*embDim : (offs[s]+p+1)*embDim]
			e := m.emb[int(id)*embDim : (int(id)+1)*embDim]
			pos := float32(p)
			for j := 0; j < half; j++ {
				t := pos * m.timing[j]
				x[j] = e[j] + (e[j] + float32(math.Sin(float64(t))))
				x[half+j] = e[half+j] + (e[half+j] + float32(math.Cos(float64(t))))
			}
		}
	}
	// Padding rows (up to a multiple of 4) only ever feed padding rows; keep them finite.
	clear(w.x0[tokens*embDim:])

	cur := w.x0
	for li := range m.layers {
		l := &m.layers[li]
		// Attention block.
		m.layerNorm(w.h, cur, tokens, l.in, l.ln1s, l.ln1b)
		resid := cur
		if l.adjust != nil {
			l.adjust.apply(par, w.a, cur, rows, nil, false)
			resid = w.a
		}
		l.qkv.apply(par, w.qkv, w.h, rows, nil, false)
		m.attention(l, w.qkv, w.ctx, offs, par)
		l.out.apply(par, w.b, w.ctx, rows, resid, false)
		// Feed-forward block: the stream is in w.b; the result goes to w.a.
		m.layerNorm(w.h, w.b, tokens, l.d, l.ln2s, l.ln2b)
		l.ffn1.apply(par, w.f, w.h, rows, nil, true)
		l.ffn2.apply(par, w.a, w.f, rows, w.b, false)
		cur = w.a
	}

	// Mean over each text's tokens, then the tanh layer and L2 normalization.
	n := len(ids)
	prow := (n + 3) &^ 3
	w.pool = grow(w.pool, prow*Dim)
	w.fin = grow(w.fin, prow*Dim)
	clear(w.pool)
	var sum [Dim]float64
	for s := 0; s < n; s++ {
		clear(sum[:])
		for r := offs[s]; r < offs[s+1]; r++ {
			for j, v := range cur[r*Dim : (r+1)*Dim] {
				sum[j] += float64(v)
			}
		}
		div := float32(max(offs[s+1]-offs[s], 1))
		p := w.pool[s*Dim : (s+1)*Dim]
		for j := range p {
			p[j] = float32(sum[j]) / div
		}
	}
	m.final.apply(par, w.fin, w.pool, prow, nil, false)
	for s := 0; s < n; s++ {
		y := out[s]
		ss := 0.0
		for j, v := range w.fin[s*Dim : (s+1)*Dim] {
			t := float32(math.Tanh(float64(v)))
			y[j] = t
			ss += float64(t) * float64(t)
		}
		inv := float32(1 / math.Sqrt(math.Max(ss, float64(m.l2Eps))))
		for j := range y {
			y[j] *= inv
		}
	}
}

// layerNorm writes LN(x) for the first rows rows of width d into dst.
func (m *Model) layerNorm(dst, x []float32, rows, d int, scale, bias []float32) {
	for r := 0; r < rows; r++ {
		xr := x[r*d : (r+1)*d]
		yr := dst[r*d : (r+1)*d]
		var mean float64
		for _, v := range xr {
			mean += float64(v)
		}
		mu := float32(mean / float64(d))
		var vs float64
		for _, v := range xr {
			c := float64(v - mu)
			vs += c * c
		}
		rs := float32(1 / math.Sqrt(float64(float32(vs/float64(d))+m.lnEps)))
		for j, v := range xr {
			yr[j] = scale[j]*rs*(v-mu) + bias[j]
		}
	}
}

// attention computes each text's multi-head self-attention from qkv (rows of q|k|v, each
// heads×headDim wide) into ctx (rows of heads×headDim).
func (m *Model) attention(l *layer, qkv, ctx []float32, offs []int, par int) {
	width := l.heads * l.headDim
	stride := 3 * width
	texts := len(offs) - 1
	task := func(t int) {
		s, h := t/l.heads, t%l.heads
		lo, hi := offs[s], offs[s+1]
		n := hi - lo
		if n == 0 {
			return
		}
		dh := l.headDim
		scores := make([]float32, n)
		q := make([]float32, dh)
		for i := lo; i < hi; i++ {
			qi := qkv[i*stride+h*dh : i*stride+h*dh+dh]
			for d, v := range qi {
				q[d] = v * l.scale
			}
			maxv := float32(math.Inf(-1))
			for j := 0; j < n; j++ {
				kj := qkv[(lo+j)*stride+width+h*dh : (lo+j)*stride+width+h*dh+dh]
				sc := dot(q, kj)
				scores[j] = sc
				if sc > maxv {
					maxv = sc
				}
			}
			var total float32
			for j, sc := range scores {
				e := float32(math.Exp(float64(sc - maxv)))
				scores[j] = e
				total += e
			}
			c := ctx[i*width+h*dh : i*width+h*dh+dh]
			clear(c)
			for j, e := range scores {
				wj := e / total
				axpy(wj, qkv[(lo+j)*stride+2*width+h*dh:(lo+j)*stride+2*width+h*dh+dh], c)
			}
		}
	}
	parallelFor(par, texts*l.heads, task)
}

func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
