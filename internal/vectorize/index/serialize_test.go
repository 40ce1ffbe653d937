package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
)

func buildHNSW(seed uint64, n, dim int, m Metric) *HNSW {
	r := rand.New(rand.NewPCG(seed, 1))
	h := NewHNSW(dim, m, HNSWOptions{M: 6, EfConstruction: 32, Seed: seed})
	for i := range n {
		h.Add(uint32(r.IntN(n*2)), randVec(r, dim))
		if i%4 == 0 {
			h.Delete(uint32(r.IntN(n * 2)))
		}
	}
	return h
}

func TestHNSWRoundTrip(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		h := buildHNSW(uint64(m)+1, 2000, 12, m)
		var buf bytes.Buffer
		n, err := h.WriteTo(&buf)
		if err != nil || n != int64(buf.Len()) {
			t.Fatalf("WriteTo = %d, %v (wrote %d)", n, err, buf.Len())
		}
		g, err := ReadHNSW(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("ReadHNSW: %v", err)
		}
		// A source of unknown size (arrays grown as they arrive) loads the same.
		g2, err := ReadHNSW(io.MultiReader(bytes.NewReader(buf.Bytes())))
		if err != nil {
			t.Fatalf("ReadHNSW from a reader of unknown size: %v", err)
		}
		if g.Len() != h.Len() || g.Dim() != h.Dim() || g.Metric() != h.Metric() || g.Options() != h.Options() {
			t.Fatalf("loaded index differs: len %d/%d", g.Len(), h.Len())
		}
		r := rand.New(rand.NewPCG(2, 2))
		for range 50 {
			q := randVec(r, 12)
			accept := func(id uint32) bool { return id%3 != 0 }
			if a, b := h.Search(q, 10, nil), g.Search(q, 10, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("%v: results differ after reload:\n%v\n%v", m, a, b)
			}
			if a, b := h.Search(q, 10, nil), g2.Search(q, 10, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("%v: results differ after reload from a reader of unknown size:\n%v\n%v", m, a, b)
			}
			if a, b := h.Search(q, 10, accept), g.Search(q, 10, accept); !reflect.DeepEqual(a, b) {
				t.Fatalf("%v: filtered results differ after reload:\n%v\n%v", m, a, b)
			}
		}
		// Both keep working the same way after more writes.
		v := randVec(r, 12)
		h.Add(99999, v)
		g.Add(99999, v)
		if a, b := h.Search(v, 5, nil), g.Search(v, 5, nil); !reflect.DeepEqual(a, b) {
			t.Fatalf("results differ after a write following reload:\n%v\n%v", a, b)
		}
	}
}

func TestFlatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	f := NewFlat(7, Euclidean)
	for i := range 300 {
		f.Add(uint32(i*3), randVec(r, 7))
	}
	f.Delete(3)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFlat(&buf)
	if err != nil {
		t.Fatal(err)
	}
	q := randVec(r, 7)
	if a, b := f.Search(q, 20, nil), g.Search(q, 20, nil); !reflect.DeepEqual(a, b) {
		t.Fatalf("results differ after reload:\n%v\n%v", a, b)
	}
}

func TestReadCorrupt(t *testing.T) {
	h := buildHNSW(1, 200, 4, Cosine)
	var buf bytes.Buffer
	h.WriteTo(&buf)
	data := buf.Bytes()
	for _, cut := range []int{0, 5, 8, 20, 60, len(data) / 2, len(data) - 1} {
		if _, err := ReadHNSW(bytes.NewReader(data[:cut])); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at %d: err %v, want ErrCorrupt", cut, err)
		}
	}
	for i := 0; i < len(data); i += 7 {
		c := bytes.Clone(data)
		c[i] ^= 0x5a
		if _, err := ReadHNSW(bytes.NewReader(c)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: err %v, want ErrCorrupt", i, err)
		}
	}
	if _, err := ReadFlat(bytes.NewReader(data)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("HNSW file read as flat: %v", err)
	}
}

func FuzzReadHNSW(f *testing.F) {
	for _, n := range []int{0, 1, 30} {
		var buf bytes.Buffer
		buildHNSW(3, n, 3, Euclidean).WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	{
		q := NewHNSW(3, Cosine, HNSWOptions{M: 4, Quantize: true})
		for i := range 20 {
			q.Add(uint32(i), []float32{float32(i), 1, -2})
		}
		var buf bytes.Buffer
		q.WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	f.Add([]byte("ZSHNSW\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Try the input as it is and with its checksum made valid, so that
		// the fuzzer reaches the structural checks behind the checksum.
		for _, in := range [][]byte{data, withChecksum(data)} {
			fuzzOneHNSW(t, in)
		}
	})
}

// withChecksum replaces data's last four bytes with the CRC-32C of the rest.
func withChecksum(data []byte) []byte {
	if len(data) < 4 {
		return data
	}
	body := data[:len(data)-4]
	return binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli))
}

func fuzzOneHNSW(t *testing.T, data []byte) {
	h, err := ReadHNSW(bytes.NewReader(data))
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		return
	}
	{
		// A file that loads must be searchable and writable.
		q := make([]float32, h.Dim())
		h.Search(q, 3, nil)
		h.Search(q, 3, func(id uint32) bool { return id%2 == 0 })
		h.Add(12345, q)
		h.Delete(12345)
	}
}

func FuzzReadFlat(f *testing.F) {
	for _, n := range []int{0, 5} {
		g := NewFlat(2, Cosine)
		for i := range n {
			g.Add(uint32(i), []float32{float32(i), 1})
		}
		var buf bytes.Buffer
		g.WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, withChecksum(data)} {
			g, err := ReadFlat(bytes.NewReader(in))
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error %v does not wrap ErrCorrupt", err)
				}
				continue
			}
			g.Search(make([]float32, g.Dim()), 3, nil)
		}
	})
}
