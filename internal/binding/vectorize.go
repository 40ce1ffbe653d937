package binding

import (
	"context"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"unsafe"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

//go:embed js/vectorize.js
var vectorizeJS embed.FS

// TypeVectorize is the binding type of Vectorize indexes.
const TypeVectorize = "vectorize"

// VectorizeBackend is what the Vectorize binding calls: the vectors and the
// index records (for the lazy creation described at [VectorizeExtension]).
type VectorizeBackend interface {
	vectorize.Store
	vectorize.Indexes
}

// Vectorize returns the env entry name → a VectorizeIndex over the index
// named index. returnMetadataDefault is the [[vectorize]] entry's
// return_metadata_default, a zerostack extension: "" (Cloudflare's
// behaviour: no metadata unless asked), "none", "indexed" or "all"; it
// applies to queries that do not pass returnMetadata.
func Vectorize(name, index, returnMetadataDefault string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeVectorize, Config: map[string]string{"id": index, "returnMetadata": returnMetadataDefault}}
}

// VectorizeExtension returns the worker extension that serves
// env.VECTORIZE-style bindings (the Vectorize V2 API of workers-types'
// Vectorize/VectorizeIndex) from store.
//
// Vectors cross from JavaScript as one Float32Array of all values (through
// the SharedArrayBuffer scratch area, staged in chunks when larger) and a
// JSON header of ids, namespaces and metadata; results come back as JSON,
// values as float32's shortest decimal form, so a vector inserted as
// [0.1, 0.2] reads back as [0.1, 0.2].
//
// Cloudflare requires `wrangler vectorize create` before use. For local
// development the binding creates a missing index on the first insert or
// upsert, with the first vector's dimension and the cosine metric, and logs
// that it did (create the index with `zerostack vectorize create` to choose
// another metric). Queries and reads of a missing index fail, as on
// Cloudflare.
func VectorizeExtension(store VectorizeBackend, log *slog.Logger) worker.Extension {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src, err := vectorizeJS.ReadFile("js/vectorize.js")
	if err != nil {
		panic("binding: missing embedded vectorize.js")
	}
	v := &vectorizeHost{store: store, log: log}
	return worker.Extension{
		Name:   "vectorize",
		Setup:  v.install,
		Script: "(() => {\n" + string(src) + "\n})();\n",
	}
}

type vectorizeHost struct {
	store VectorizeBackend
	log   *slog.Logger
}

// vectorizeError is the Error a VectorizeIndex method rejects with, worded
// as workerd's binding words API errors: "<OP>_ERROR (code = N): message".
func vectorizeError(op vectorize.Op, err error) error {
	var ve *vectorize.Error
	if errors.As(err, &ve) {
		if ve.Op == "" {
			ve.Op = op
		}
		return errors.New(ve.BindingMessage())
	}
	if errors.Is(err, vectorize.ErrIndexNotFound) {
		return fmt.Errorf("%s_ERROR (code = %d): %v", op, vectorize.CodeIndexNotFound, err)
	}
	if errors.Is(err, vectorize.ErrInvalid) {
		return fmt.Errorf("%s_ERROR (code = %d): %v", op, vectorize.CodeInvalidOptions, err)
	}
	return fmt.Errorf("%s_ERROR: %v", op, err)
}

// vzHeader is one vector of an insert/upsert call, without its values.
type vzHeader struct {
	ID        *string         `json:"id"`
	N         int             `json:"n"`
	Namespace *string         `json:"namespace"`
	Metadata  json.RawMessage `json:"metadata"`
}

// vzQueryOptions is what vectorize.js sends for query and queryById.
type vzQueryOptions struct {
	TopK           *float64        `json:"topK"`
	ReturnValues   bool            `json:"returnValues"`
	ReturnMetadata string          `json:"returnMetadata"`
	Defaulted      bool            `json:"defaulted"`
	Filter         json.RawMessage `json:"filter"`
	Namespace      *string         `json:"namespace"`
	VectorID       *string         `json:"vectorId"`
}

// littleEndian is true on little-endian machines, where the bytes of a
// JavaScript Float32Array are Go's float32 layout.
var littleEndian = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

// floats returns the float32 values of b, the bytes of a Float32Array. On
// little-endian machines it aliases b (which the caller owns: v8.Call.Bytes
// returns a copy) when b is suitably aligned.
func floats(b []byte) []float32 {
	if littleEndian && len(b) >= 4 && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

type vzVectorJSON struct {
	ID        string          `json:"id"`
	Values    []float32       `json:"values"`
	Namespace string          `json:"namespace,omitempty"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
}

// install defines the host functions:
//
//	vzWrite(p, index, upsert, headerJSON, sab, byteLength) → {mutationId, count, ids}
//	vzQuery(p, index, optionsJSON, sab, byteLength)        → {count, matches}
//	vzGet(p, index, idsJSON)                               → [{id, values, namespace?, metadata?}]
//	vzDelete(p, index, idsJSON)                            → {mutationId, count, ids}
//	vzDescribe(p, index)                                   → VectorizeIndexInfo
func (h *vectorizeHost) install(rt *webapi.Runtime) {
	rt.Async("vzWrite", func(c *v8.Call) (webapi.Work, error) {
		index, upsert, header := c.String(1), c.Bool(2), c.String(3)
		raw, err := c.Bytes(4, int(c.Int(5)))
		if err != nil {
			return nil, err
		}
		op := vectorize.OpVectorInsert
		if upsert {
			op = vectorize.OpVectorUpsert
		}
		return func() (any, error) {
			var hs []vzHeader
			if err := json.Unmarshal([]byte(header), &hs); err != nil {
				return nil, &v8.TypeError{Msg: "Vectorize: vectors must be an array of {id, values, namespace?, metadata?}"}
			}
			vals := floats(raw)
			vs := make([]vectorize.Vector, len(hs))
			off := 0
			for i, x := range hs {
				if x.ID == nil {
					return nil, vectorizeError(op, &vectorize.Error{Op: op, Code: vectorize.CodeInvalidID, Message: fmt.Sprintf("vector %d has no id", i)})
				}
				if x.N < 0 || off+x.N > len(vals) {
					return nil, &v8.TypeError{Msg: "Vectorize: inconsistent vector values"}
				}
				vs[i] = vectorize.Vector{ID: *x.ID, Values: vals[off : off+x.N : off+x.N], Metadata: x.Metadata}
				if x.Namespace != nil {
					vs[i].Namespace = *x.Namespace
				}
				off += x.N
			}
			ctx := context.Background()
			write := h.store.Insert
			if upsert {
				write = h.store.Upsert
			}
			m, err := write(ctx, index, vs)
			if errors.Is(err, vectorize.ErrIndexNotFound) && len(vs) > 0 && len(vs[0].Values) > 0 {
				cfg := vectorize.IndexConfig{Dimensions: len(vs[0].Values), Metric: vectorize.Cosine}
				if _, cerr := h.store.CreateIndex(ctx, index, "created on first insert by zerostack dev", cfg); cerr == nil {
					h.log.Info("vectorize: created index on first insert (Cloudflare needs `wrangler vectorize create` first; use `zerostack vectorize create` to choose the metric)",
						"index", index, "dimensions", cfg.Dimensions, "metric", string(cfg.Metric))
				} else if !errors.Is(cerr, vectorize.ErrIndexExists) {
					return nil, vectorizeError(op, fmt.Errorf("index %q does not exist and could not be created: %w", index, cerr))
				}
				m, err = write(ctx, index, vs)
			}
			if err != nil {
				return nil, vectorizeError(op, err)
			}
			return mutationJSON(m)
		}, nil
	})
	rt.Async("vzQuery", func(c *v8.Call) (webapi.Work, error) {
		index, optsJSON := c.String(1), c.String(2)
		var qv []float32
		if n := int(c.Int(4)); n > 0 || !c.IsNullish(3) {
			raw, err := c.Bytes(3, n)
			if err != nil {
				return nil, err
			}
			qv = floats(raw)
		}
		return func() (any, error) {
			var o vzQueryOptions
			if err := json.Unmarshal([]byte(optsJSON), &o); err != nil {
				return nil, &v8.TypeError{Msg: "Vectorize query: invalid options"}
			}
			q := vectorize.Query{Vector: qv, ReturnValues: o.ReturnValues, ReturnMetadata: vectorize.ReturnMetadata(o.ReturnMetadata), DefaultedMetadata: o.Defaulted}
			if o.TopK != nil {
				k := *o.TopK
				switch {
				case k != k || k < 1:
					q.TopK = -1
				case k > 1e6:
					q.TopK = 1e6
				default:
					q.TopK = int(k)
				}
			}
			if o.Namespace != nil {
				q.Namespace = *o.Namespace
			}
			if o.VectorID != nil {
				q.Vector, q.VectorID = nil, *o.VectorID
			} else if q.Vector == nil {
				q.Vector = []float32{}
			}
			f, err := vectorize.ParseFilter(o.Filter)
			if err != nil {
				return nil, vectorizeError(vectorize.OpVectorQuery, err)
			}
			q.Filter = f
			res, err := h.store.Query(context.Background(), index, q)
			if err != nil {
				return nil, vectorizeError(vectorize.OpVectorQuery, err)
			}
			if res.Matches == nil {
				res.Matches = []vectorize.Match{}
			}
			return jsonResult(res)
		}, nil
	})
	rt.Async("vzGet", func(c *v8.Call) (webapi.Work, error) {
		index, idsJSON := c.String(1), c.String(2)
		return func() (any, error) {
			var ids []string
			if err := json.Unmarshal([]byte(idsJSON), &ids); err != nil {
				return nil, &v8.TypeError{Msg: "Vectorize getByIds: ids must be an array of strings"}
			}
			vs, err := h.store.GetByIDs(context.Background(), index, ids)
			if err != nil {
				return nil, vectorizeError(vectorize.OpVectorGet, err)
			}
			out := make([]vzVectorJSON, len(vs))
			for i, v := range vs {
				out[i] = vzVectorJSON{v.ID, v.Values, v.Namespace, v.Metadata}
			}
			return jsonResult(out)
		}, nil
	})
	rt.Async("vzDelete", func(c *v8.Call) (webapi.Work, error) {
		index, idsJSON := c.String(1), c.String(2)
		return func() (any, error) {
			var ids []string
			if err := json.Unmarshal([]byte(idsJSON), &ids); err != nil {
				return nil, &v8.TypeError{Msg: "Vectorize deleteByIds: ids must be an array of strings"}
			}
			m, err := h.store.DeleteByIDs(context.Background(), index, ids)
			if err != nil {
				return nil, vectorizeError(vectorize.OpVectorDelete, err)
			}
			return mutationJSON(m)
		}, nil
	})
	rt.Async("vzDescribe", func(c *v8.Call) (webapi.Work, error) {
		index := c.String(1)
		return func() (any, error) {
			info, err := h.store.Describe(context.Background(), index)
			if err != nil {
				return nil, vectorizeError(vectorize.OpIndexGet, err)
			}
			return jsonResult(info)
		}, nil
	})
}

func mutationJSON(m vectorize.Mutation) (any, error) {
	ids := m.IDs
	if ids == nil {
		ids = []string{}
	}
	return jsonResult(struct {
		MutationID string   `json:"mutationId"`
		Count      int      `json:"count"`
		IDs        []string `json:"ids"`
	}{m.MutationID, m.Count, ids})
}
