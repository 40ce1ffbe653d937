package binding

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

// kvError turns a service error into the error KVNamespace methods reject
// with: "KV <OP> failed: <status> <message>", as Cloudflare's binding
// reports API errors.
func kvError(op string, err error) error {
	var ve *kv.ValidationError
	if errors.As(err, &ve) {
		if ve.Op != "" {
			op = ve.Op
		}
		return fmt.Errorf("KV %s failed: %d %s", op, ve.Status, ve.Message)
	}
	return fmt.Errorf("KV %s failed: 500 %v", op, err)
}

// kvPutOptions is what kv.js sends for put's options. Numbers come as the
// text of String(value), so that invalid values are reported as given.
type kvPutOptions struct {
	Expiration    *string          `json:"expiration"`
	ExpirationTTL *string          `json:"expirationTtl"`
	Metadata      *json.RawMessage `json:"metadata"`
}

// parseSeconds parses an expiration option: an integer number of seconds
// (a JavaScript number's text; fractions are cut off as the KV API does).
func parseSeconds(s, what string) (int64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, &kv.ValidationError{Op: "PUT", Status: 400,
			Message: fmt.Sprintf("Invalid %s of %s. Please specify integer greater than 0.", what, s)}
	}
	return int64(f), nil
}

// installKV defines the KVNamespace host functions:
//
//	kvGet(p, ns, key, withMeta, cacheTtl) → bytes | undefined
//	kvGetText(ns, key, cacheTtl)          → string | undefined (synchronous)
//	kvGetMany(p, ns, keysJSON, withMeta)  → JSON {key: null | [text, metadata]}
//	kvPut(p, ns, key, optsJSON, kind, a, b)
//	kvDelete(p, ns, key)
//	kvList(p, ns, prefix, limit, cursor)  → JSON page
//
// With withMeta, kvGet's bytes are a 4-byte big-endian metadata length, the
// metadata JSON, then the value.
func (h *host) installKV(rt *webapi.Runtime) {
	store := h.s.KV
	fastAsync(rt, "kvGet", func(c *v8.Call) (func(context.Context) (any, error), webapi.Work, error) {
		ns, key, withMeta := c.String(1), c.String(2), c.Bool(3)
		var cacheTTL *int64
		if !c.IsNullish(4) {
			t := int64(c.Float(4))
			cacheTTL = &t
		}
		get := func(ctx context.Context) (any, error) {
			if cacheTTL != nil {
				if err := kv.ValidateCacheTTL(*cacheTTL); err != nil {
					return nil, kvError("GET", err)
				}
			}
			e, err := store.Get(ctx, ns, key)
			if errors.Is(err, kv.ErrNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, kvError("GET", err)
			}
			if !withMeta {
				if e.Value == nil {
					return []byte{}, nil
				}
				return e.Value, nil
			}
			out := make([]byte, 4, 4+len(e.Metadata)+len(e.Value))
			binary.BigEndian.PutUint32(out, uint32(len(e.Metadata)))
			out = append(out, e.Metadata...)
			return append(out, e.Value...), nil
		}
		return noDeadline(get), func() (any, error) { return get(context.Background()) }, nil
	})
	// kvGetText is get() of a "text" or "json" value as one synchronous
	// call: the value comes back as a string (a local lookup is quicker than
	// a round trip through a goroutine and the event loop, and the string
	// needs no TextDecoder), undefined when the key has no value.
	rt.Func("kvGetText", func(c *v8.Call) (any, error) {
		ns, key := c.String(0), c.String(1)
		if !c.IsNullish(2) {
			if err := kv.ValidateCacheTTL(int64(c.Float(2))); err != nil {
				return nil, kvError("GET", err)
			}
		}
		e, err := store.Get(context.Background(), ns, key)
		if errors.Is(err, kv.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, kvError("GET", err)
		}
		// As TextDecoder (and Body.text()) does, a leading BOM is dropped;
		// V8 replaces invalid UTF-8 with U+FFFD as TextDecoder does.
		return string(bytes.TrimPrefix(e.Value, []byte("\xef\xbb\xbf"))), nil
	})
	rt.Async("kvGetMany", func(c *v8.Call) (webapi.Work, error) {
		ns, keysJSON, withMeta := c.String(1), c.String(2), c.Bool(3)
		return func() (any, error) {
			var keys []string
			if err := json.Unmarshal([]byte(keysJSON), &keys); err != nil {
				return nil, &v8.TypeError{Msg: "KV get: keys must be an array of strings"}
			}
			if err := kv.ValidateBulkGet(keys); err != nil {
				return nil, kvError("GET", err)
			}
			m, err := store.GetMany(context.Background(), ns, keys)
			if err != nil {
				return nil, kvError("GET", err)
			}
			out := make(map[string]any, len(keys))
			for _, k := range keys {
				e, ok := m[k]
				if !ok {
					out[k] = nil
					continue
				}
				var meta any
				if withMeta && e.Metadata != nil {
					meta = e.Metadata
				}
				out[k] = []any{string(e.Value), meta}
			}
			b, err := json.Marshal(out)
			if err != nil {
				return nil, kvError("GET", err)
			}
			return webapi.JSON(b), nil
		}, nil
	})
	rt.Async("kvPut", func(c *v8.Call) (webapi.Work, error) {
		ns, key, optsJSON := c.String(1), c.String(2), c.String(3)
		rc, err := body(rt, c, 4)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			defer rc.Close()
			var o kvPutOptions
			if optsJSON != "" {
				if err := json.Unmarshal([]byte(optsJSON), &o); err != nil {
					return nil, &v8.TypeError{Msg: "KV put: invalid options"}
				}
			}
			var opts kv.PutOptions
			if o.ExpirationTTL != nil {
				t, err := parseSeconds(*o.ExpirationTTL, "expiration_ttl")
				if err != nil {
					return nil, kvError("PUT", err)
				}
				opts.ExpirationTTL = &t
			}
			if o.Expiration != nil {
				t, err := parseSeconds(*o.Expiration, "expiration")
				if err != nil {
					return nil, kvError("PUT", err)
				}
				opts.Expiration = &t
			}
			if o.Metadata != nil {
				opts.Metadata = *o.Metadata
			}
			if err := store.Put(context.Background(), ns, key, rc, opts); err != nil {
				return nil, kvError("PUT", err)
			}
			return nil, nil
		}, nil
	})
	rt.Async("kvDelete", func(c *v8.Call) (webapi.Work, error) {
		ns, key := c.String(1), c.String(2)
		return func() (any, error) {
			if err := kv.ValidateKey("DELETE", key); err != nil {
				return nil, kvError("DELETE", err)
			}
			if err := store.Delete(context.Background(), ns, key); err != nil {
				return nil, kvError("DELETE", err)
			}
			return nil, nil
		}, nil
	})
	rt.Async("kvList", func(c *v8.Call) (webapi.Work, error) {
		ns, prefix, cursor := c.String(1), c.String(2), c.String(4)
		limit := 0
		if !c.IsNullish(3) {
			f := c.Float(3)
			switch {
			case f != f || f < 1:
				limit = -1
			case f > 1e9:
				limit = 1e9
			default:
				limit = int(f)
			}
		}
		return func() (any, error) {
			res, err := store.List(context.Background(), ns, kv.ListOptions{Prefix: prefix, Limit: limit, Cursor: cursor})
			if err != nil {
				return nil, kvError("LIST", err)
			}
			type key struct {
				Name       string          `json:"name"`
				Expiration int64           `json:"expiration,omitempty"`
				Metadata   json.RawMessage `json:"metadata,omitempty"`
			}
			page := struct {
				Keys         []key  `json:"keys"`
				ListComplete bool   `json:"list_complete"`
				Cursor       string `json:"cursor,omitempty"`
			}{Keys: make([]key, 0, len(res.Keys)), ListComplete: res.ListComplete}
			for _, k := range res.Keys {
				page.Keys = append(page.Keys, key{k.Name, k.Expiration, k.Metadata})
			}
			if !res.ListComplete {
				page.Cursor = res.Cursor
			}
			b, err := json.Marshal(page)
			if err != nil {
				return nil, kvError("LIST", err)
			}
			return webapi.JSON(b), nil
		}, nil
	})
}
