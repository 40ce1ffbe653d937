package use

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"unsafe"
)

// modelJSON is the part of a TF.js graph model's model.json that Load reads: the weight
// manifest (the graph topology is not interpreted; forward.go is the forward pass derived
// from it, and Load checks that the weights it needs are there with the shapes it expects).
type modelJSON struct {
	WeightsManifest []struct {
		Paths   []string     `json:"paths"`
		Weights []weightSpec `json:"weights"`
	} `json:"weightsManifest"`
	ModelTopology struct {
		Node []struct {
			Name string `json:"name"`
			Op   string `json:"op"`
		} `json:"node"`
	} `json:"modelTopology"`
}

// weightSpec describes one tensor in the concatenated weight shards, as TF.js writes it.
type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	Dtype        string `json:"dtype"`
	Quantization *struct {
		Dtype string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	} `json:"quantization"`
}

// tensor is a loaded weight: float32 data (int32 and quantized weights are converted;
// float32 weights alias the shard buffer, which newLinear repacks in place) and its shape.
type tensor struct {
	shape []int
	data  []float32
}

// readWeights reads model.json and its shards from dir and returns every weight by name,
// the bytes read, and the function that frees the shard buffers the weights point into
// (call it once nothing uses the weights; readWeights frees them itself when it fails).
func readWeights(dir string) (_ map[string]tensor, _ int, free func(), err error) {
	var frees []func()
	free = func() {
		for _, f := range frees {
			f()
		}
	}
	defer func() {
		if err != nil {
			free()
		}
	}()
	all, total, err := readWeightsInto(dir, &frees)
	return all, total, free, err
}

func readWeightsInto(dir string, frees *[]func()) (map[string]tensor, int, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, 0, err
	}
	var mj modelJSON
	if err := json.Unmarshal(raw, &mj); err != nil {
		return nil, 0, fmt.Errorf("%s/model.json is not a TF.js graph model: %w", dir, err)
	}
	if len(mj.WeightsManifest) == 0 {
		return nil, 0, fmt.Errorf("%s/model.json has no weightsManifest", dir)
	}
	out := make(map[string]tensor)
	total := 0
	for _, group := range mj.WeightsManifest {
		buf, free, err := readShards(dir, group.Paths)
		if err != nil {
			return nil, 0, err
		}
		*frees = append(*frees, free)
		total += len(buf)
		off := 0
		for _, w := range group.Weights {
			n := 1
			for _, d := range w.Shape {
				if d < 0 || (d > 0 && n > math.MaxInt32/d) {
					return nil, 0, fmt.Errorf("weight %s has an invalid shape %v", w.Name, w.Shape)
				}
				n *= d
			}
			dtype, size := w.Dtype, 4
			if w.Quantization != nil {
				dtype = w.Quantization.Dtype
				switch dtype {
				case "uint8":
					size = 1
				case "uint16", "float16":
					size = 2
				default:
					return nil, 0, fmt.Errorf("weight %s: quantization %q is not supported", w.Name, dtype)
				}
			}
			if off+n*size > len(buf) {
				return nil, 0, fmt.Errorf("weight %s runs past the end of its shards (%d bytes): the model files are truncated; reinstall them with `make deps`", w.Name, len(buf))
			}
			b := buf[off : off+n*size]
			off += n * size
			t := tensor{shape: w.Shape}
			if dtype == "float32" && w.Quantization == nil {
				// Most of the model: used in place, in the shard buffer (no copy).
				if v, ok := float32View(b); ok {
					t.data = v
					out[w.Name] = t
					continue
				}
			}
			t.data = make([]float32, n)
			switch {
			case w.Quantization != nil && dtype == "float16":
				for i := range t.data {
					t.data[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
				}
			case w.Quantization != nil:
				if w.Quantization.Scale == nil || w.Quantization.Min == nil {
					return nil, 0, fmt.Errorf("weight %s: %s quantization without scale and min", w.Name, dtype)
				}
				scale, min := float32(*w.Quantization.Scale), float32(*w.Quantization.Min)
				for i := range t.data {
					var q uint16
					if size == 1 {
						q = uint16(b[i])
					} else {
						q = binary.LittleEndian.Uint16(b[2*i:])
					}
					t.data[i] = float32(q)*scale + min
				}
			case dtype == "float32":
				for i := range t.data {
					t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
				}
			case dtype == "int32":
				for i := range t.data {
					t.data[i] = float32(int32(binary.LittleEndian.Uint32(b[4*i:])))
				}
			default:
				return nil, 0, fmt.Errorf("weight %s has dtype %q, which this loader does not read", w.Name, dtype)
			}
			out[w.Name] = t
		}
	}
	return out, total, nil
}

// readShards reads a weight group's shards, in order, into one buffer from allocBig, and
// returns it with the function that frees it.
func readShards(dir string, paths []string) (_ []byte, free func(), err error) {
	size := int64(0)
	for _, p := range paths {
		if filepath.IsAbs(p) || filepath.Clean(p) != filepath.Base(p) {
			return nil, nil, fmt.Errorf("model.json names weight shard %q outside the model directory", p)
		}
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			return nil, nil, fmt.Errorf("reading weight shard: %w", err)
		}
		size += st.Size()
	}
	if size > 1<<31 {
		return nil, nil, fmt.Errorf("the weight shards hold %d bytes, more than this loader reads", size)
	}
	buf, free := allocBig(int(size))
	defer func() {
		if err != nil {
			free()
		}
	}()
	off := 0
	for _, p := range paths {
		f, err := os.Open(filepath.Join(dir, p))
		if err != nil {
			return nil, nil, fmt.Errorf("reading weight shard: %w", err)
		}
		st, err := f.Stat()
		if err == nil && off+int(st.Size()) > len(buf) {
			err = fmt.Errorf("%s grew while being read", p)
		}
		if err == nil {
			_, err = io.ReadFull(f, buf[off:off+int(st.Size())])
			off += int(st.Size())
		}
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("reading weight shard %s: %w", p, err)
		}
	}
	return buf[:off], free, nil
}

// float32View returns little-endian float32 bytes as floats without copying, when this
// machine is little-endian and b is aligned; ok is false otherwise.
func float32View(b []byte) (v []float32, ok bool) {
	if len(b) == 0 || len(b)%4 != 0 || uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		return nil, false
	}
	one := uint16(1)
	if *(*byte)(unsafe.Pointer(&one)) != 1 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4), true
}

// halfToFloat converts an IEEE 754 half-precision value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		return float32(math.Ldexp(float64(frac), -24)) * float32(1-2*int(h>>15))
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// weightSet looks weights up by name and checks their shapes, collecting the first error.
type weightSet struct {
	all     map[string]tensor
	err     error
	tmp     []float32
	freeTmp func()
	kern    kernel // the matrix-multiply kernel newLinear packs for
}

// scratch returns a temporary buffer of n floats, reused between calls until release.
func (ws *weightSet) scratch(n int) []float32 {
	if cap(ws.tmp) < n {
		ws.release()
		b, free := allocBig(4 * n)
		if v, ok := float32View(b); ok {
			ws.tmp, ws.freeTmp = v, free
		} else {
			free()
			ws.tmp = make([]float32, n)
		}
	}
	return ws.tmp[:n]
}

// release frees the scratch buffer.
func (ws *weightSet) release() {
	if ws.freeTmp != nil {
		ws.freeTmp()
	}
	ws.tmp, ws.freeTmp = nil, nil
}

func (ws *weightSet) get(name string, shape ...int) []float32 {
	if ws.err != nil {
		return nil
	}
	t, ok := ws.all[name]
	if !ok {
		ws.err = fmt.Errorf("model.json has no weight %s", name)
		return nil
	}
	want := 1
	for _, d := range shape {
		want *= d
	}
	if len(t.data) != want {
		ws.err = fmt.Errorf("weight %s has shape %v, want %v", name, t.shape, shape)
		return nil
	}
	return t.data
}

// scalar returns a one-element weight.
func (ws *weightSet) scalar(name string) float32 {
	d := ws.get(name)
	if d == nil {
		return 0
	}
	return d[0]
}
