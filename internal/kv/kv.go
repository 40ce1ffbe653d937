// Package kv is zerostack's Cloudflare Workers KV service: the [Store]
// interface that the KV binding, the CLI and the REST API call, Cloudflare's
// limits and validation (with Cloudflare's error messages), and the types they
// share. Backends live in subpackages: kvlocal (embedded, SQLite) and later a
// cluster backend; kvtest is the conformance suite they all pass.
//
// Semantics follow Workers KV as a single strongly consistent node: a Put is
// visible to the next Get (read-your-writes), keys are compared and listed in
// byte order of their UTF-8 encoding, and expired keys are never returned
// (they are removed lazily, later).
package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Cloudflare's Workers KV limits.
const (
	MaxKeySize       = 512              // bytes of UTF-8
	MaxValueSize     = 25 * 1024 * 1024 // 25 MiB
	MaxMetadataSize  = 1024             // bytes of serialized JSON
	MinExpirationTTL = 60               // seconds; also the minimum distance of an absolute expiration from now
	MaxListLimit     = 1000             // keys per List page; also the default
	MaxBulkGet       = 100              // keys per GetMany
)

// Sentinel errors. Backends wrap them; test with errors.Is.
var (
	// ErrNotFound is returned by Get when the key does not exist or has expired.
	ErrNotFound = errors.New("kv: key not found")
	// ErrNamespaceNotFound is returned by namespace management for an unknown id.
	ErrNamespaceNotFound = errors.New("kv: namespace not found")
	// ErrNamespaceExists is returned by CreateNamespace when the id or title is taken.
	ErrNamespaceExists = errors.New("kv: namespace already exists")
	// ErrInvalid is matched (errors.Is) by every *ValidationError.
	ErrInvalid = errors.New("kv: invalid argument")
)

// ValidationError reports input that Cloudflare KV rejects. Message is
// Cloudflare's text; the binding shows it as "KV <Op> failed: <Status> <Message>".
type ValidationError struct {
	Op      string // GET, PUT, DELETE, LIST
	Status  int    // HTTP-like status Cloudflare reports (400, 413, 414)
	Message string
}

func (e *ValidationError) Error() string { return "kv: " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(op string, status int, format string, args ...any) error {
	return &ValidationError{Op: op, Status: status, Message: fmt.Sprintf(format, args...)}
}

// Entry is a stored value with its metadata.
type Entry struct {
	Value []byte
	// Metadata is the JSON given to Put, or nil when none was given.
	Metadata json.RawMessage
	// Expiration is the absolute expiry in seconds since the Unix epoch, 0 if none.
	Expiration int64
}

// PutOptions are the options of KVNamespace.put. Nil pointers are "not given".
type PutOptions struct {
	// Expiration is an absolute time in seconds since the epoch; it must be at
	// least MinExpirationTTL seconds in the future.
	Expiration *int64
	// ExpirationTTL is a lifetime in seconds from now, ≥ MinExpirationTTL.
	// It takes precedence over Expiration when both are given.
	ExpirationTTL *int64
	// Metadata is serialized JSON of at most MaxMetadataSize bytes.
	Metadata json.RawMessage
}

// ListOptions are the options of KVNamespace.list.
type ListOptions struct {
	Prefix string
	// Limit is 1..MaxListLimit; 0 means MaxListLimit.
	Limit int
	// Cursor is the opaque ListResult.Cursor of the previous page, or "".
	Cursor string
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration int64           // seconds since the epoch; 0 if none
	Metadata   json.RawMessage // nil if none
}

// ListResult is one page of List.
type ListResult struct {
	Keys []KeyInfo
	// ListComplete is true when there are no further keys after this page.
	ListComplete bool
	// Cursor resumes the listing; "" when ListComplete.
	Cursor string
}

// Store is a set of KV namespaces' data. Namespace ids are opaque strings;
// data operations do not require the namespace to have been created (as in
// local development, a binding's id simply names its data). All methods are
// safe for concurrent use; a successful Put or Delete is visible to every
// later call.
type Store interface {
	// Get returns the live entry for key, or an error wrapping ErrNotFound.
	// Invalid keys give a *ValidationError.
	Get(ctx context.Context, ns, key string) (Entry, error)
	// GetMany returns the live entries of up to MaxBulkGet keys; missing or
	// expired keys are absent from the map.
	GetMany(ctx context.Context, ns string, keys []string) (map[string]Entry, error)
	// Put stores value (read to EOF, at most MaxValueSize bytes) under key,
	// replacing any previous value, metadata and expiration. Nothing is written
	// when validation fails or value cannot be read.
	Put(ctx context.Context, ns, key string, value io.Reader, opts PutOptions) error
	// Delete removes keys; absent keys are not an error.
	Delete(ctx context.Context, ns string, keys ...string) error
	// List returns live keys in byte order, starting after opts.Cursor.
	List(ctx context.Context, ns string, opts ListOptions) (ListResult, error)
}

// Namespace describes a KV namespace.
type Namespace struct {
	ID      string
	Title   string
	Created time.Time
}

// Namespaces manages namespace records (wrangler kv namespace …). Deleting
// a namespace deletes its data.
type Namespaces interface {
	// CreateNamespace creates a namespace with the given title; id "" asks
	// for a generated id (32 lowercase hex digits, like Cloudflare's). It
	// returns ErrNamespaceExists when the id or title is taken.
	CreateNamespace(ctx context.Context, id, title string) (Namespace, error)
	// ListNamespaces returns all namespaces ordered by title.
	ListNamespaces(ctx context.Context) ([]Namespace, error)
	// DeleteNamespace deletes the namespace and all its keys, or returns ErrNamespaceNotFound.
	DeleteNamespace(ctx context.Context, id string) error
}
