package webapi

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"runtime"

	"github.com/zerostack/zerostack/internal/v8"
)

// Formats of CompressionStream and DecompressionStream, as js/compression.js
// numbers them.
const (
	zGzip       = 0
	zDeflate    = 1 // zlib framing
	zDeflateRaw = 2
)

// zChunk is the most output one host call hands back; it always fits the
// scratch area.
const zChunk = 64 << 10

// Messages of the TypeErrors a DecompressionStream errors with.
const (
	errZCorrupt  = "Decompression failed."
	errZTrailing = "Trailing bytes after end of compressed data."
	// workerd reports input that ends early as it reports corrupt input.
	errZTruncated = "Decompression failed."
	errZClosed    = "This compression stream is closed."
)

// zTable holds one runtime's compression handles. It is captured by the host
// functions only, so that a cleanup can stop its goroutines when the runtime
// is collected.
type zTable struct {
	next    int
	handles map[int]zHandle
}

// zHandle is a compressor or decompressor that JavaScript pushes bytes into
// and pulls output from, synchronously.
type zHandle interface {
	// write consumes p and returns up to zChunk bytes of output and whether
	// more output is pending (to fetch with read).
	write(p []byte) ([]byte, bool, error)
	// read returns the next pending output.
	read() ([]byte, bool, error)
	// end signals the end of input and returns output as write does.
	end() ([]byte, bool, error)
	// free releases the handle; it is idempotent.
	free()
}

func (t *zTable) freeAll() {
	for id, h := range t.handles {
		h.free()
		delete(t.handles, id)
	}
}

// installCompression defines the host functions of the compression area
// (js/compression.js):
//
//   - zNew(format, decompress) → handle.
//   - zWrite(handle, sab, n), zRead(handle), zEnd(handle) → r: the output
//     bytes are in the scratch area, r>>1 of them, and r&1 is set when more
//     output is pending (zRead fetches it). Corrupt input throws a
//     TypeError. zEnd finishes the stream (a compressor writes its trailer; a
//     decompressor checks that the compressed data ended).
//   - zFree(handle): releases the handle; JavaScript calls it when the stream
//     ends, errors or is cancelled. Handles left when the runtime is
//     collected are freed then.
func installCompression(r *Runtime) {
	t := &zTable{handles: map[int]zHandle{}}
	runtime.AddCleanup(r, func(t *zTable) { t.freeAll() }, t)
	get := func(c *v8.Call) (zHandle, error) {
		h, ok := t.handles[int(c.Int(0))]
		if !ok {
			return nil, &v8.TypeError{Msg: errZClosed}
		}
		return h, nil
	}
	result := func(out []byte, more bool, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		n := copy(r.Iso.Scratch(), out)
		res := n << 1
		if more {
			res |= 1
		}
		return res, nil
	}
	r.Func("zNew", func(c *v8.Call) (any, error) {
		format := int(c.Int(0))
		if format < zGzip || format > zDeflateRaw {
			return nil, &v8.TypeError{Msg: "Unsupported compression format."}
		}
		var h zHandle
		if c.Bool(1) {
			h = newInflater(format)
		} else {
			h = newDeflater(format)
		}
		t.next++
		t.handles[t.next] = h
		return t.next, nil
	})
	r.Func("zWrite", func(c *v8.Call) (any, error) {
		h, err := get(c)
		if err != nil {
			return nil, err
		}
		n := int(c.Int(2))
		var p []byte
		if n <= len(r.Iso.Scratch()) {
			// write consumes p before returning; no copy needed.
			p = r.Iso.Scratch()[:n]
		} else if p, err = c.Bytes(1, n); err != nil {
			return nil, err
		}
		return result(h.write(p))
	})
	r.Func("zRead", func(c *v8.Call) (any, error) {
		h, err := get(c)
		if err != nil {
			return nil, err
		}
		return result(h.read())
	})
	r.Func("zEnd", func(c *v8.Call) (any, error) {
		h, err := get(c)
		if err != nil {
			return nil, err
		}
		return result(h.end())
	})
	r.Func("zFree", func(c *v8.Call) (any, error) {
		id := int(c.Int(0))
		if h, ok := t.handles[id]; ok {
			h.free()
			delete(t.handles, id)
		}
		return nil, nil
	})
}

// ---------------------------------------------------------------- compression

// deflater compresses into a buffer that JavaScript drains in zChunk pieces.
type deflater struct {
	w   io.WriteCloser
	out bytes.Buffer
}

func newDeflater(format int) *deflater {
	d := &deflater{}
	switch format {
	case zGzip:
		d.w = gzip.NewWriter(&d.out)
	case zDeflate:
		d.w = zlib.NewWriter(&d.out)
	default:
		d.w, _ = flate.NewWriter(&d.out, flate.DefaultCompression)
	}
	return d
}

func (d *deflater) take() ([]byte, bool, error) {
	n := min(d.out.Len(), zChunk)
	return d.out.Next(n), d.out.Len() > 0, nil
}

func (d *deflater) write(p []byte) ([]byte, bool, error) {
	if d.w == nil {
		return nil, false, &v8.TypeError{Msg: errZClosed}
	}
	if _, err := d.w.Write(p); err != nil {
		return nil, false, &v8.TypeError{Msg: err.Error()}
	}
	return d.take()
}

func (d *deflater) read() ([]byte, bool, error) { return d.take() }

func (d *deflater) end() ([]byte, bool, error) {
	if d.w == nil {
		return d.take()
	}
	err := d.w.Close()
	d.w = nil
	if err != nil {
		return nil, false, &v8.TypeError{Msg: err.Error()}
	}
	return d.take()
}

func (d *deflater) free() {
	d.w = nil
	d.out = bytes.Buffer{}
}

// ---------------------------------------------------------------- decompression

// Go's decompressors pull their input, so an inflater runs one on a
// goroutine and hands input and output over channels in lockstep: a host
// call sends input (or the end of it) and then collects output events until
// the decompressor asks for more input, finishes, or zChunk bytes of output
// are gathered (it then waits for read).

// zEvent is what the decompressing goroutine reports.
type zEvent struct {
	out  []byte // output (when need and done are false)
	need bool   // all input consumed; waiting for more
	done bool   // finished; err says how
	err  error
}

type inflater struct {
	format int
	in     chan []byte // input; nil means end of input
	ev     chan zEvent
	quit   chan struct{}
	// Host side state.
	started bool
	waiting bool // the goroutine waits for input
	done    bool
	err     error
	ended   bool // end of input sent
	pend    []byte
}

func newInflater(format int) *inflater {
	return &inflater{format: format, in: make(chan []byte), ev: make(chan zEvent), quit: make(chan struct{})}
}

// feed is the decompressor's input: an io.ByteReader too, so that no
// decompressor buffers beyond the end of its stream (trailing bytes stay
// visible).
type feed struct {
	cur   []byte
	eof   bool
	in    <-chan []byte
	ev    chan<- zEvent
	quit  <-chan struct{}
	abort bool
}

var errZQuit = errors.New("webapi: decompressor freed")

func (f *feed) fill() error {
	for len(f.cur) == 0 {
		if f.eof {
			return io.EOF
		}
		select {
		case f.ev <- zEvent{need: true}:
		case <-f.quit:
			return errZQuit
		}
		select {
		case b := <-f.in:
			if b == nil {
				f.eof = true
			} else {
				f.cur = b
			}
		case <-f.quit:
			return errZQuit
		}
	}
	return nil
}

func (f *feed) Read(p []byte) (int, error) {
	if err := f.fill(); err != nil {
		return 0, err
	}
	n := copy(p, f.cur)
	f.cur = f.cur[n:]
	return n, nil
}

func (f *feed) ReadByte() (byte, error) {
	if err := f.fill(); err != nil {
		return 0, err
	}
	b := f.cur[0]
	f.cur = f.cur[1:]
	return b, nil
}

// run decompresses until the stream ends, fails or the handle is freed.
func (z *inflater) run() {
	f := &feed{in: z.in, ev: z.ev, quit: z.quit}
	err := z.decompress(f)
	if err == errZQuit {
		return
	}
	if err == nil {
		// The compressed stream is complete: anything after it is an error.
		if ferr := f.fill(); ferr == nil {
			err = &v8.TypeError{Msg: errZTrailing}
		} else if ferr == errZQuit {
			return
		}
	}
	select {
	case z.ev <- zEvent{done: true, err: err}:
	case <-z.quit:
	}
}

func (z *inflater) decompress(f *feed) error {
	var rd io.Reader
	switch z.format {
	case zGzip:
		gr, err := gzip.NewReader(f)
		if err != nil {
			return zErr(err)
		}
		gr.Multistream(false)
		rd = gr
	case zDeflate:
		zr, err := zlib.NewReader(f)
		if err != nil {
			return zErr(err)
		}
		rd = zr
	default:
		rd = flate.NewReader(f)
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := rd.Read(buf)
		if n > 0 {
			out := make([]byte, n)
			copy(out, buf[:n])
			select {
			case z.ev <- zEvent{out: out}:
			case <-z.quit:
				return errZQuit
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return zErr(err)
		}
	}
}

// zErr maps a decompressor's error to the TypeError JavaScript sees.
func zErr(err error) error {
	switch {
	case err == errZQuit:
		return err
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return &v8.TypeError{Msg: errZTruncated}
	default:
		return &v8.TypeError{Msg: errZCorrupt}
	}
}

// collect gathers output events until the goroutine waits for input,
// finishes, or zChunk bytes are gathered.
func (z *inflater) collect() ([]byte, bool, error) {
	out := z.pend
	z.pend = nil
	for len(out) < zChunk && !z.waiting && !z.done {
		e := <-z.ev
		switch {
		case e.need:
			z.waiting = true
		case e.done:
			z.done, z.err = true, e.err
		default:
			out = append(out, e.out...)
		}
	}
	if len(out) > zChunk {
		z.pend = out[zChunk:]
		out = out[:zChunk]
	}
	if z.done && z.err != nil {
		return nil, false, z.err
	}
	more := len(z.pend) > 0 || (!z.waiting && !z.done)
	return out, more, nil
}

func (z *inflater) start() {
	if !z.started {
		z.started = true
		go z.run()
	}
}

func (z *inflater) write(p []byte) ([]byte, bool, error) {
	if z.ended {
		return nil, false, &v8.TypeError{Msg: errZClosed}
	}
	z.start()
	if len(p) == 0 {
		return z.collect()
	}
	// Let the goroutine reach its next request for input first.
	for !z.waiting && !z.done {
		if _, _, err := z.collectInto(); err != nil {
			return nil, false, err
		}
	}
	if z.done {
		if z.err != nil {
			return nil, false, z.err
		}
		return nil, false, &v8.TypeError{Msg: errZTrailing}
	}
	z.waiting = false
	z.in <- bytes.Clone(p)
	return z.collect()
}

// collectInto keeps output gathered while waiting for the goroutine to ask
// for input (when JavaScript writes before reading all pending output).
func (z *inflater) collectInto() ([]byte, bool, error) {
	e := <-z.ev
	switch {
	case e.need:
		z.waiting = true
	case e.done:
		z.done, z.err = true, e.err
		if e.err != nil {
			return nil, false, e.err
		}
	default:
		z.pend = append(z.pend, e.out...)
	}
	return nil, false, nil
}

func (z *inflater) read() ([]byte, bool, error) {
	if !z.started {
		return nil, false, nil
	}
	return z.collect()
}

func (z *inflater) end() ([]byte, bool, error) {
	z.start()
	if !z.ended {
		for !z.waiting && !z.done {
			if _, _, err := z.collectInto(); err != nil {
				return nil, false, err
			}
		}
		z.ended = true
		if z.waiting {
			z.waiting = false
			z.in <- nil
		}
	}
	return z.collect()
}

func (z *inflater) free() {
	select {
	case <-z.quit:
	default:
		close(z.quit)
	}
}
