package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
)

// The on-disk forms (little endian throughout) are:
//
//	HNSW: magic "ZSHNSW\x00\x01", header (dim, metric, M, efConstruction,
//	      efSearch, seed, exactBelow, flags, slots, live, entry,
//	      maxLevel, hasEntry), then per slot: ids (u32), levels (u8),
//	      tombstones (u8), vectors (f32 × dim; or, quantized, all scales
//	      (f32) then all codes (i8 × dim)), layer-0 rows (u32 × (2M+1)), and for
//	      each slot above layer 0 its upper rows (u32 × level × (M+1)).
//	Flat: magic "ZSFLAT\x00\x01", dim, metric, count, ids, vectors.
//
// Both end with a CRC-32C of everything before it. Vectors are stored as
// the index holds them (normalized for cosine), so loading needs no
// arithmetic and no graph rebuild: it runs at the speed of the disk.

var (
	magicHNSW  = [8]byte{'Z', 'S', 'H', 'N', 'S', 'W', 0, 1}
	magicFlat  = [8]byte{'Z', 'S', 'F', 'L', 'A', 'T', 0, 1}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// ErrCorrupt is wrapped by the errors [ReadHNSW] and [ReadFlat] return
// when the data is not a valid index (truncated, altered, or of another
// version). The index should then be rebuilt from the stored vectors.
var ErrCorrupt = errors.New("index: corrupt index file")

// flagQuantize marks an index stored with [HNSWOptions.Quantize].
const flagQuantize = 1

// Limits a file must respect; they also bound what a corrupt header can
// make the reader allocate up front.
const (
	// MaxDim is the largest dimension an index file may declare.
	MaxDim = 1 << 16
	maxM   = 1 << 10
)

type encoder struct {
	w   *bufio.Writer
	crc hash.Hash32
	n   int64
	buf []byte
	err error
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{w: bufio.NewWriterSize(w, 1<<20), crc: crc32.New(castagnoli), buf: make([]byte, 0, 1<<16)}
}

func (e *encoder) flushBuf() {
	if e.err == nil && len(e.buf) > 0 {
		e.crc.Write(e.buf)
		var n int
		n, e.err = e.w.Write(e.buf)
		e.n += int64(n)
	}
	e.buf = e.buf[:0]
}

func (e *encoder) room(n int) {
	if len(e.buf)+n > cap(e.buf) {
		e.flushBuf()
	}
}

func (e *encoder) bytes(b []byte) {
	for len(b) > 0 {
		e.room(1)
		k := min(len(b), cap(e.buf)-len(e.buf))
		e.buf = append(e.buf, b[:k]...)
		b = b[k:]
	}
}

func (e *encoder) u8(v uint8) { e.room(1); e.buf = append(e.buf, v) }
func (e *encoder) u32(v uint32) {
	e.room(4)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, v)
}
func (e *encoder) u64(v uint64) {
	e.room(8)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, v)
}
func (e *encoder) u32s(vs []uint32) {
	for _, v := range vs {
		e.u32(v)
	}
}
func (e *encoder) f32s(vs []float32) {
	for _, v := range vs {
		e.u32(math.Float32bits(v))
	}
}

// finish writes the checksum and flushes.
func (e *encoder) finish() (int64, error) {
	e.flushBuf()
	if e.err != nil {
		return e.n, e.err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], e.crc.Sum32())
	n, err := e.w.Write(sum[:])
	e.n += int64(n)
	if err == nil {
		err = e.w.Flush()
	}
	return e.n, err
}

type decoder struct {
	r   *bufio.Reader
	crc hash.Hash32
	err error
	tmp []byte
	// left is how many bytes remain to be read when the source can tell
	// (a file, a bytes.Reader), else -1. Once the header's sizes are
	// checked against it, exact is set and arrays are allocated at once
	// rather than grown.
	left  int64
	exact bool
}

func newDecoder(r io.Reader) *decoder {
	return &decoder{r: bufio.NewReaderSize(r, 1<<20), crc: crc32.New(castagnoli), tmp: make([]byte, 1<<16), left: remaining(r)}
}

// remaining returns how many bytes r has left, or -1 when it cannot tell.
func remaining(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, bytes.Buffer, strings.Reader
		return int64(r.Len())
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		pos, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return fi.Size() - pos
	}
	return -1
}

// fits checks that n more bytes (after those read so far) can be in the
// source, and if the source's size is known, lets arrays be allocated
// whole.
func (d *decoder) fits(n int64, what string) error {
	if d.left < 0 {
		return nil
	}
	if n > d.left {
		return corrupt("%s need %d bytes, the file has %d", what, n, d.left)
	}
	d.exact = true
	return nil
}

// capFor returns the capacity to allocate for n elements.
func (d *decoder) capFor(n int) int {
	if d.exact {
		return n
	}
	return min(n, 1<<16)
}

func (d *decoder) read(n int) []byte {
	if d.err != nil {
		return nil
	}
	b := d.tmp[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: truncated", ErrCorrupt)
		}
		d.err = err
		return nil
	}
	d.crc.Write(b)
	if d.left >= 0 {
		d.left -= int64(n)
	}
	return b
}

func (d *decoder) u8() uint8 {
	if b := d.read(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.read(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.read(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// u32s reads n values in chunks, so that memory grows only as data
// actually arrives (a corrupt count cannot allocate gigabytes up front).
func (d *decoder) u32s(n int) []uint32 {
	out := make([]uint32, 0, d.capFor(n))
	for len(out) < n && d.err == nil {
		k := min(n-len(out), len(d.tmp)/4)
		b := d.read(4 * k)
		out = grow(out, len(b)/4, n)
		for i := 0; i < len(b); i += 4 {
			out = append(out, binary.LittleEndian.Uint32(b[i:]))
		}
	}
	return out
}

func (d *decoder) f32s(n int) []float32 {
	out := make([]float32, 0, d.capFor(n))
	for len(out) < n && d.err == nil {
		k := min(n-len(out), len(d.tmp)/4)
		b := d.read(4 * k)
		out = grow(out, len(b)/4, n)
		for i := 0; i < len(b); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
	}
	return out
}

func (d *decoder) u8s(n int) []uint8 {
	out := make([]uint8, 0, d.capFor(n))
	for len(out) < n && d.err == nil {
		k := min(n-len(out), len(d.tmp))
		b := d.read(k)
		out = append(grow(out, len(b), n), b...)
	}
	return out
}

// grow makes room for k more elements in s, doubling its capacity (up to
// n) rather than append's gentler growth, so that reading an array of
// unknown-in-advance size copies it at most about twice.
func grow[T any](s []T, k, n int) []T {
	if len(s)+k <= cap(s) {
		return s
	}
	c := min(n, max(2*cap(s), len(s)+k))
	return slices.Grow(s, c-len(s))
}

// finish checks the trailing checksum.
func (d *decoder) finish() error {
	if d.err != nil {
		return d.err
	}
	want := d.crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(d.r, sum[:]); err != nil {
		return fmt.Errorf("%w: truncated before the checksum", ErrCorrupt)
	}
	if binary.LittleEndian.Uint32(sum[:]) != want {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// WriteTo writes the whole index (vectors and graph) to w in a form
// [ReadHNSW] loads without rebuilding. It holds the read lock, so searches
// continue while it runs and writes wait. It implements [io.WriterTo].
func (h *HNSW) WriteTo(w io.Writer) (int64, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	e := newEncoder(w)
	e.bytes(magicHNSW[:])
	e.u32(uint32(h.dim))
	e.u32(uint32(h.metric))
	e.u32(uint32(h.opt.M))
	e.u32(uint32(h.opt.EfConstruction))
	e.u32(uint32(h.opt.EfSearch))
	e.u64(h.opt.Seed)
	e.u64(math.Float64bits(h.opt.ExactBelow))
	flags := uint32(0)
	if h.opt.Quantize {
		flags |= flagQuantize
	}
	e.u32(flags)
	e.u32(uint32(len(h.ids)))
	e.u32(uint32(h.live))
	e.u32(h.entry)
	e.u32(uint32(h.maxLevel))
	hasEntry := uint8(0)
	if h.hasEntry {
		hasEntry = 1
	}
	e.u8(hasEntry)
	e.u32s(h.ids)
	e.bytes(h.levels)
	for _, d := range h.deleted {
		if d {
			e.u8(1)
		} else {
			e.u8(0)
		}
	}
	if h.opt.Quantize {
		e.f32s(h.qscale)
		for codes := h.codes; len(codes) > 0; {
			k := min(len(codes), cap(e.buf))
			e.room(k)
			for _, c := range codes[:k] {
				e.buf = append(e.buf, byte(c))
			}
			codes = codes[k:]
		}
	} else {
		e.f32s(h.vecs)
	}
	e.u32s(h.links0)
	for s, l := range h.levels {
		if l > 0 {
			e.u32s(h.upper[s][:int(l)*(h.m+1)])
		}
	}
	return e.finish()
}

// ReadHNSW loads an index written by [HNSW.WriteTo]. Invalid data (cut
// short, altered, another format) gives an error wrapping [ErrCorrupt]
// that says what is wrong; it never panics. ReadHNSW buffers r itself;
// pass an *os.File (positioned at the index) or a bytes.Reader rather than
// a bufio.Reader, so that it can check the header against the size and
// allocate each array once.
func ReadHNSW(r io.Reader) (*HNSW, error) {
	d := newDecoder(r)
	var magic [8]byte
	copy(magic[:], d.read(8))
	if d.err != nil {
		return nil, d.err
	}
	if magic != magicHNSW {
		return nil, corrupt("not an HNSW index file (bad magic %q)", magic[:])
	}
	dim, metric, m := int(d.u32()), Metric(d.u32()), int(d.u32())
	var o HNSWOptions
	o.M = m
	o.EfConstruction = int(d.u32())
	o.EfSearch = int(d.u32())
	o.Seed = d.u64()
	o.ExactBelow = math.Float64frombits(d.u64())
	flags := d.u32()
	o.Quantize = flags&flagQuantize != 0
	slots, live, entry, maxLevel := int(d.u32()), int(d.u32()), d.u32(), int(d.u32())
	hasEntry := d.u8()
	if d.err != nil {
		return nil, d.err
	}
	switch {
	case dim < 1 || dim > MaxDim:
		return nil, corrupt("dimension %d out of range 1..%d", dim, MaxDim)
	case metric < Cosine || metric > DotProduct:
		return nil, corrupt("unknown metric %d", metric)
	case m < 2 || m > maxM:
		return nil, corrupt("M %d out of range 2..%d", m, maxM)
	case o.EfConstruction < 1 || o.EfConstruction > 1<<20 || o.EfSearch < 1 || o.EfSearch > 1<<20:
		return nil, corrupt("ef out of range")
	case flags&^flagQuantize != 0:
		return nil, corrupt("unknown flags %#x", flags)
	case math.IsNaN(o.ExactBelow) || o.ExactBelow > 1:
		return nil, corrupt("exactBelow %v out of range", o.ExactBelow)
	case slots < 0 || slots > math.MaxInt32 || live > slots:
		return nil, corrupt("%d live vectors in %d slots", live, slots)
	case hasEntry > 1 || (hasEntry == 1) != (slots > 0) || (slots > 0 && int(entry) >= slots):
		return nil, corrupt("bad entry point %d", entry)
	case maxLevel >= maxLevels:
		return nil, corrupt("top layer %d out of range", maxLevel)
	}
	h := &HNSW{dim: dim, metric: metric, dist: distFunc(metric), opt: o}
	h.init()
	// Each slot needs at least its id, level, flag, vector and layer-0
	// row, and 4 bytes of checksum follow.
	vecBytes := 4 * dim
	if o.Quantize {
		vecBytes = dim + 4
	}
	if err := d.fits(int64(slots)*int64(4+1+1+vecBytes+4*(h.m0+1))+4, fmt.Sprintf("%d vectors", slots)); err != nil {
		return nil, err
	}
	h.ids = d.u32s(slots)
	h.levels = d.u8s(slots)
	dead := d.u8s(slots)
	if o.Quantize {
		h.qscale = d.f32s(slots)
		raw := d.u8s(slots * dim)
		h.codes = make([]int8, len(raw))
		for i, b := range raw {
			h.codes[i] = int8(b)
		}
	} else {
		h.vecs = d.f32s(slots * dim)
	}
	h.links0 = d.u32s(slots * (h.m0 + 1))
	if d.err != nil {
		return nil, d.err
	}
	h.deleted = make([]bool, slots)
	h.upper = make([][]uint32, slots)
	h.slotOf = make(map[uint32]uint32, live)
	for s := range slots {
		switch dead[s] {
		case 0:
			if _, dup := h.slotOf[h.ids[s]]; dup {
				return nil, corrupt("id %d stored twice", h.ids[s])
			}
			h.slotOf[h.ids[s]] = uint32(s)
		case 1:
			h.deleted[s] = true
			h.free = append(h.free, uint32(s))
		default:
			return nil, corrupt("bad tombstone flag at slot %d", s)
		}
		l := int(h.levels[s])
		if l > maxLevel {
			return nil, corrupt("slot %d is on layer %d above the top layer %d", s, l, maxLevel)
		}
		if l > 0 {
			h.upper[s] = d.u32s(l * (h.m + 1))
			if d.err != nil {
				return nil, d.err
			}
		}
	}
	if len(h.slotOf) != live {
		return nil, corrupt("%d live vectors, header says %d", len(h.slotOf), live)
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	// The checksum matched, but check the graph too, so that a file written
	// by a buggy or hostile writer cannot make searches index out of range.
	for s := range slots {
		if err := checkRow(h.links0[s*(h.m0+1):(s+1)*(h.m0+1)], h.m0, slots); err != nil {
			return nil, corrupt("slot %d layer 0: %v", s, err)
		}
		for lc := 1; lc <= int(h.levels[s]); lc++ {
			if err := checkRow(h.row(uint32(s), lc), h.m, slots); err != nil {
				return nil, corrupt("slot %d layer %d: %v", s, lc, err)
			}
		}
	}
	if slots > 0 && int(h.levels[entry]) != maxLevel {
		return nil, corrupt("entry point %d is not on the top layer", entry)
	}
	h.entry, h.maxLevel, h.hasEntry, h.live = entry, maxLevel, hasEntry == 1, live
	return h, nil
}

func checkRow(row []uint32, max, slots int) error {
	if int(row[0]) > max {
		return fmt.Errorf("%d links, at most %d allowed", row[0], max)
	}
	for _, n := range row[1 : 1+row[0]] {
		if int(n) >= slots {
			return fmt.Errorf("link to slot %d of %d", n, slots)
		}
	}
	return nil
}

// WriteTo writes the index to w in a form [ReadFlat] loads. It holds the
// read lock. It implements [io.WriterTo].
func (f *Flat) WriteTo(w io.Writer) (int64, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	e := newEncoder(w)
	e.bytes(magicFlat[:])
	e.u32(uint32(f.dim))
	e.u32(uint32(f.metric))
	e.u32(uint32(len(f.ids)))
	e.u32s(f.ids)
	e.f32s(f.vecs)
	return e.finish()
}

// ReadFlat loads an index written by [Flat.WriteTo]. Invalid data gives an
// error wrapping [ErrCorrupt]; it never panics.
func ReadFlat(r io.Reader) (*Flat, error) {
	d := newDecoder(r)
	var magic [8]byte
	copy(magic[:], d.read(8))
	if d.err != nil {
		return nil, d.err
	}
	if magic != magicFlat {
		return nil, corrupt("not a flat index file (bad magic %q)", magic[:])
	}
	dim, metric, n := int(d.u32()), Metric(d.u32()), int(d.u32())
	if d.err != nil {
		return nil, d.err
	}
	switch {
	case dim < 1 || dim > MaxDim:
		return nil, corrupt("dimension %d out of range 1..%d", dim, MaxDim)
	case metric < Cosine || metric > DotProduct:
		return nil, corrupt("unknown metric %d", metric)
	case n < 0 || n > math.MaxInt32:
		return nil, corrupt("count %d out of range", n)
	}
	f := NewFlat(dim, metric)
	if err := d.fits(int64(n)*int64(4+4*dim)+4, fmt.Sprintf("%d vectors", n)); err != nil {
		return nil, err
	}
	f.ids = d.u32s(n)
	f.vecs = d.f32s(n * dim)
	if err := d.finish(); err != nil {
		return nil, err
	}
	for s, id := range f.ids {
		if _, dup := f.slot[id]; dup {
			return nil, corrupt("id %d stored twice", id)
		}
		f.slot[id] = uint32(s)
	}
	return f, nil
}
