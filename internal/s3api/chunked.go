package s3api

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
)

// maxChunkLine bounds a chunk header or trailer line.
const maxChunkLine = 4096

var errChunkFormat = ErrIncompleteBody.With("The request body is not a valid aws-chunked stream.")

func newLineReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 64<<10) }

// chunkReader decodes an aws-chunked body:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0[;chunk-signature=<sig>]\r\n[trailers]\r\n
//
// When signed, each chunk's signature chains from the previous one (the
// first from the request's seed signature) and is checked when the chunk
// ends; trailers, when expected, are read after the last chunk and, when
// signed, checked against x-amz-trailer-signature. The decoded length must
// equal expected (unless negative). Any failure is returned as a read error
// before io.EOF, so a store that commits at EOF stores nothing.
type chunkReader struct {
	src      *bufio.Reader
	body     io.Closer
	signed   bool
	trailer  bool
	key      []byte
	amzDate  string
	scope    string
	prevSig  string
	expected int64

	remaining int64 // bytes left in the current chunk
	inChunk   bool
	sig       string
	h         hash.Hash
	decoded   int64
	err       error
	trailers  map[string]string
}

// Trailers returns the trailing headers (lower-case names) once the body
// has been read to EOF.
func (c *chunkReader) Trailers() map[string]string { return c.trailers }

func (c *chunkReader) Close() error {
	if c.body != nil {
		return c.body.Close()
	}
	return nil
}

func (c *chunkReader) fail(err error) (int, error) {
	c.err = err
	return 0, err
}

func (c *chunkReader) readLine() ([]byte, error) {
	line, err := c.src.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine {
		return nil, errChunkFormat
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			return bytes.TrimRight(line, "\r\n"), nil
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrIncompleteBody
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func (c *chunkReader) chunkSignature(dataHash string) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + emptySHA256 + "\n" + dataHash
	return hex.EncodeToString(hmacSHA256(c.key, sts))
}

// startChunk reads a chunk header. It returns the chunk size.
func (c *chunkReader) startChunk() (int64, error) {
	line, err := c.readLine()
	if err != nil {
		return 0, err
	}
	sizeHex, ext, _ := bytes.Cut(line, []byte(";"))
	sizeHex = bytes.TrimSpace(sizeHex)
	if len(sizeHex) == 0 || len(sizeHex) > 16 {
		return 0, errChunkFormat
	}
	size, err := strconv.ParseInt(string(sizeHex), 16, 64)
	if err != nil || size < 0 {
		return 0, errChunkFormat
	}
	c.sig = ""
	if c.signed {
		v, ok := bytes.CutPrefix(bytes.TrimSpace(ext), []byte("chunk-signature="))
		if !ok || len(v) != 64 {
			return 0, ErrSignatureDoesNotMatch.With("The chunk signature is missing or malformed.")
		}
		c.sig = string(v)
	}
	if c.h == nil {
		c.h = sha256.New()
	}
	c.h.Reset()
	return size, nil
}

// endChunk checks the signature of the chunk just read.
func (c *chunkReader) endChunk() error {
	if !c.signed {
		return nil
	}
	want := c.chunkSignature(hex.EncodeToString(c.h.Sum(nil)))
	if !signatureEqual(want, c.sig) {
		return ErrSignatureDoesNotMatch.With("The chunk signature we calculated does not match the signature you provided.")
	}
	c.prevSig = c.sig
	return nil
}

// finish reads the trailers after the last chunk and checks the length.
func (c *chunkReader) finish() error {
	c.trailers = map[string]string{}
	var canon strings.Builder
	trailerSig := ""
	for {
		line, err := c.readLine()
		if errors.Is(err, ErrIncompleteBody) && (c.trailer || len(c.trailers) == 0) {
			break // EOF right after the last chunk or the trailers
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !c.trailer {
			return errChunkFormat
		}
		name := strings.ToLower(strings.TrimSpace(string(k)))
		val := strings.TrimSpace(string(v))
		if name == "x-amz-trailer-signature" {
			trailerSig = val
			continue
		}
		if len(c.trailers) >= 16 {
			return errChunkFormat
		}
		c.trailers[name] = val
		canon.WriteString(name + ":" + val + "\n")
	}
	if c.signed && c.trailer && len(c.trailers) > 0 {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + sha256Hex(canon.String())
		want := hex.EncodeToString(hmacSHA256(c.key, sts))
		if !signatureEqual(want, trailerSig) {
			return ErrSignatureDoesNotMatch.With("The trailer signature we calculated does not match the signature you provided.")
		}
	}
	if c.expected >= 0 && c.decoded != c.expected {
		return ErrIncompleteBody
	}
	return nil
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for !c.inChunk {
		size, err := c.startChunk()
		if err != nil {
			return c.fail(err)
		}
		if size == 0 {
			if err := c.endChunk(); err != nil {
				return c.fail(err)
			}
			if err := c.finish(); err != nil {
				return c.fail(err)
			}
			return c.fail(io.EOF)
		}
		if c.expected >= 0 && c.decoded+size > c.expected {
			return c.fail(ErrIncompleteBody)
		}
		c.remaining = size
		c.inChunk = true
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.src.Read(p)
	c.h.Write(p[:n])
	c.remaining -= int64(n)
	c.decoded += int64(n)
	if err != nil && c.remaining > 0 {
		if err == io.EOF {
			err = ErrIncompleteBody
		}
		c.err = err
		return n, err
	}
	if c.remaining == 0 {
		c.inChunk = false
		crlf, err := c.readLine()
		if err != nil || len(crlf) != 0 {
			c.err = errChunkFormat
			return n, nil
		}
		if err := c.endChunk(); err != nil {
			c.err = err
			return n, nil
		}
	}
	return n, nil
}
