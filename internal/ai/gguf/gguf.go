// Package gguf writes GGUF files, the model format of llama.cpp: metadata
// key/values and float32 tensors (GGUF version 3). It is enough to build
// tiny models with random weights ([TinyLlama]), so that the llama.cpp
// provider's pipeline (load, tokenize, generate, stream) is tested without
// downloading real weights.
package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Value types of GGUF metadata.
const (
	typeUint32  = 4
	typeInt32   = 5
	typeFloat32 = 6
	typeBool    = 7
	typeString  = 8
	typeArray   = 9
)

// tensorF32 is GGML's type id for float32 tensors.
const tensorF32 = 0

// alignment of tensor data (general.alignment's default).
const alignment = 32

// Tensor is a float32 tensor. Dims are GGML's ne: the first dimension
// varies fastest (a weight matrix of n_in → n_out is {n_in, n_out}).
type Tensor struct {
	Name string
	Dims []uint64
	Data []float32
}

// File is the content of a GGUF file. Metadata values may be uint32,
// int32, float32, bool, string, []string, []float32 or []int32.
type File struct {
	Metadata map[string]any
	Tensors  []Tensor
}

// Write writes f in GGUF v3 to w. Metadata keys are written sorted;
// tensors in the order given.
func (f *File) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	e := &enc{w: bw}
	e.raw([]byte("GGUF"))
	e.u32(3)
	e.u64(uint64(len(f.Tensors)))
	e.u64(uint64(len(f.Metadata)))
	keys := make([]string, 0, len(f.Metadata))
	for k := range f.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.str(k)
		if err := e.value(f.Metadata[k]); err != nil {
			return fmt.Errorf("gguf: %s: %w", k, err)
		}
	}
	var off uint64
	for _, t := range f.Tensors {
		n := uint64(1)
		for _, d := range t.Dims {
			n *= d
		}
		if n != uint64(len(t.Data)) {
			return fmt.Errorf("gguf: tensor %s: dims %v hold %d values, data has %d", t.Name, t.Dims, n, len(t.Data))
		}
		e.str(t.Name)
		e.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			e.u64(d)
		}
		e.u32(tensorF32)
		e.u64(off)
		off += pad(n * 4)
	}
	e.zeros(pad(e.n) - e.n)
	for _, t := range f.Tensors {
		start := e.n
		for _, x := range t.Data {
			e.u32(math.Float32bits(x))
		}
		size := e.n - start
		e.zeros(pad(size) - size)
	}
	if e.err != nil {
		return fmt.Errorf("gguf: %w", e.err)
	}
	return bw.Flush()
}

// WriteFile writes f to path.
func (f *File) WriteFile(path string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	if err := f.Write(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func pad(n uint64) uint64 { return (n + alignment - 1) / alignment * alignment }

type enc struct {
	w   *bufio.Writer
	n   uint64
	err error
	b   [8]byte
}

func (e *enc) raw(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
	e.n += uint64(len(b))
}

func (e *enc) u32(x uint32) {
	binary.LittleEndian.PutUint32(e.b[:4], x)
	e.raw(e.b[:4])
}

func (e *enc) u64(x uint64) {
	binary.LittleEndian.PutUint64(e.b[:], x)
	e.raw(e.b[:])
}

func (e *enc) str(s string) {
	e.u64(uint64(len(s)))
	e.raw([]byte(s))
}

func (e *enc) zeros(n uint64) {
	for ; n > 0; n-- {
		e.raw([]byte{0})
	}
}

func (e *enc) value(v any) error {
	switch x := v.(type) {
	case uint32:
		e.u32(typeUint32)
		e.u32(x)
	case int32:
		e.u32(typeInt32)
		e.u32(uint32(x))
	case float32:
		e.u32(typeFloat32)
		e.u32(math.Float32bits(x))
	case bool:
		e.u32(typeBool)
		if x {
			e.raw([]byte{1})
		} else {
			e.raw([]byte{0})
		}
	case string:
		e.u32(typeString)
		e.str(x)
	case []string:
		e.u32(typeArray)
		e.u32(typeString)
		e.u64(uint64(len(x)))
		for _, s := range x {
			e.str(s)
		}
	case []float32:
		e.u32(typeArray)
		e.u32(typeFloat32)
		e.u64(uint64(len(x)))
		for _, f := range x {
			e.u32(math.Float32bits(f))
		}
	case []int32:
		e.u32(typeArray)
		e.u32(typeInt32)
		e.u64(uint64(len(x)))
		for _, i := range x {
			e.u32(uint32(i))
		}
	default:
		return fmt.Errorf("unsupported metadata type %T", v)
	}
	return nil
}
