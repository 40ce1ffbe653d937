// Package vectorize is zerostack's Cloudflare Vectorize service: vector
// indexes with metadata, metadata filters and namespaces. It holds the
// types the binding (env.VECTORIZE), the CLI (zerostack vectorize …) and the
// backends share, Cloudflare's limits and validation with Cloudflare's error
// messages, the metadata filter language ([ParseFilter], [Filter.Match]) and
// the [Store] and [Indexes] interfaces. Backends live in subpackages:
// vectorizelocal (embedded, in the state directory); vectorizetest is the
// conformance suite they pass, with property tests against a reference model.
// The approximate-nearest-neighbour engines are in package index.
//
// # Semantics
//
// zerostack runs Vectorize as one strongly consistent node: a mutation that
// returned is visible to the next query, getByIds and describe. This is
// stronger than Cloudflare, where insert, upsert and deleteByIds are
// asynchronous (they return a mutation id, and changes become queryable a few
// seconds later); programs written for Cloudflare are not affected.
//
// Scores are Cloudflare's: cosine similarity in [-1, 1] (higher is closer),
// euclidean distance (lower is closer) and dot product (higher is closer);
// matches come best first.
//
// Metadata filters follow Cloudflare's language ($eq $ne $in $nin $lt $lte
// $gt $gte, implicit $eq, dotted keys for nested properties, AND between
// keys). Two deliberate differences, both making programs that work on
// Cloudflare behave the same and programs that forget a step still work:
//   - Cloudflare filters only on properties with a metadata index (created
//     before the vectors were inserted); zerostack filters on every metadata
//     property. Metadata indexes are still recorded (max 10), listed, and
//     decide what returnMetadata: "indexed" returns.
//   - A property a vector does not have compares as null: {$eq: null} and
//     {$ne: x}, {$nin: [...]} without null match it, range operators do not.
package vectorize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Cloudflare's Vectorize limits (developers.cloudflare.com/vectorize/platform/limits).
const (
	MaxDimensions        = 1536
	MinDimensions        = 1 // Cloudflare's minimum is 32 for created indexes; see ValidateIndexConfig
	MaxIDBytes           = 64
	MaxNamespaceBytes    = 64
	MaxMetadataBytes     = 10 * 1024 // bytes of compact JSON per vector
	MaxVectorsPerCall    = 1000      // vectors per insert/upsert call through a Worker binding
	MaxIDsPerCall        = 1000      // ids per getByIds and deleteByIds call
	MaxTopK              = 100
	MaxTopKWithData      = 20 // topK when returnValues or returnMetadata "all"
	DefaultTopK          = 5
	MaxMetadataIndexes   = 10
	MaxFilterBytes       = 2048 // compact JSON of a query filter (must be less)
	MaxFilterKeyLength   = 512
	MaxIndexNameLength   = 64
	DefaultMaxVectors    = 5_000_000
	MaxStringIndexPrefix = 64 // bytes of a string value a metadata index covers
)

// Metric is an index's distance metric, spelled as wrangler and the API do.
type Metric string

// The metrics Vectorize supports.
const (
	Cosine     Metric = "cosine"
	Euclidean  Metric = "euclidean"
	DotProduct Metric = "dot-product"
)

// HigherIsBetter reports whether a larger score means a closer vector
// (cosine and dot product), as opposed to euclidean distance.
func (m Metric) HigherIsBetter() bool { return m != Euclidean }

// ParseMetric accepts the metric names wrangler and the API accept.
func ParseMetric(s string) (Metric, error) {
	switch s {
	case "cosine":
		return Cosine, nil
	case "euclidean":
		return Euclidean, nil
	case "dot-product", "dotproduct", "dot_product":
		return DotProduct, nil
	}
	return "", fmt.Errorf("vectorize: unknown metric %q (use cosine, euclidean or dot-product)", s)
}

// Sentinel errors. Backends wrap them; test with errors.Is.
var (
	// ErrIndexNotFound is returned for an index name that does not exist.
	ErrIndexNotFound = errors.New("vectorize: index not found")
	// ErrIndexExists is returned by CreateIndex when the name is taken.
	ErrIndexExists = errors.New("vectorize: index already exists")
	// ErrInvalid is matched (errors.Is) by every *Error.
	ErrInvalid = errors.New("vectorize: invalid argument")
	// ErrTooManyVectors is matched by the error an insert gets when the
	// index would grow beyond its configured maximum vector count.
	ErrTooManyVectors = errors.New("vectorize: index is full")
)

// Op names the operation an [Error] belongs to, as the binding reports it
// ("VECTOR_QUERY_ERROR (code = …): …").
type Op string

// Operations, as Cloudflare's binding names them.
const (
	OpIndexGet     Op = "INDEX_GET"
	OpVectorQuery  Op = "VECTOR_QUERY"
	OpVectorInsert Op = "VECTOR_INSERT"
	OpVectorUpsert Op = "VECTOR_UPSERT"
	OpVectorGet    Op = "VECTOR_GET"
	OpVectorDelete Op = "VECTOR_DELETE"
)

// Error is input that Vectorize rejects, with Cloudflare's API error code
// and message. The binding shows it as "<Op>_ERROR (code = <Code>): <Message>",
// as workerd's binding formats API errors.
type Error struct {
	Op      Op
	Code    int
	Message string
	err     error // optional sentinel it also matches
}

func (e *Error) Error() string { return "vectorize: " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true, and errors.Is(err, sentinel)
// for errors that carry one.
func (e *Error) Is(target error) bool {
	return target == ErrInvalid || (e.err != nil && target == e.err)
}

// BindingMessage is the text of the JavaScript Error the binding throws.
func (e *Error) BindingMessage() string {
	return fmt.Sprintf("%s_ERROR (code = %d): %s", e.Op, e.Code, e.Message)
}

// Error codes. Cloudflare's API reports 400-class validation errors with
// codes in the 40000s; the numbers below are the ones its API has been seen
// to use for these cases, or our own in the same range where none is known.
const (
	CodeInvalidVector    = 40012 // dimension mismatch, bad values
	CodeInvalidID        = 40004
	CodeMetadataTooLarge = 40013
	CodeTooManyVectors   = 40005
	CodeInvalidTopK      = 40025
	CodeInvalidFilter    = 40026
	CodeInvalidOptions   = 40027
	CodeIndexNotFound    = 3000
	CodeIndexFull        = 40030
	CodeInvalidNamespace = 40014
	CodeVectorNotFound   = 40029
)

func invalidf(op Op, code int, format string, args ...any) *Error {
	return &Error{Op: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

// IndexConfig is an index's immutable shape.
type IndexConfig struct {
	Dimensions int    `json:"dimensions"`
	Metric     Metric `json:"metric"`
}

// Index describes an index (wrangler vectorize get / list).
type Index struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Config      IndexConfig `json:"config"`
	CreatedOn   time.Time   `json:"created_on"`
	ModifiedOn  time.Time   `json:"modified_on"`
}

// Info is describe()'s result (workers-types VectorizeIndexInfo).
type Info struct {
	Dimensions  int `json:"dimensions"`
	VectorCount int `json:"vectorCount"`
	// ProcessedUpToDatetime is the time of the last applied mutation in
	// milliseconds since the epoch, 0 when none.
	ProcessedUpToDatetime int64 `json:"processedUpToDatetime"`
	// ProcessedUpToMutation is the id of the last applied mutation.
	ProcessedUpToMutation string `json:"processedUpToMutation"`
}

// MetadataType is the type of a metadata index.
type MetadataType string

// Metadata index types.
const (
	MetaString  MetadataType = "string"
	MetaNumber  MetadataType = "number"
	MetaBoolean MetadataType = "boolean"
)

// MetadataIndex is one metadata index of an index.
type MetadataIndex struct {
	PropertyName string       `json:"propertyName"`
	IndexType    MetadataType `json:"indexType"`
}

// Vector is a stored vector.
type Vector struct {
	ID        string
	Values    []float32
	Namespace string // "" when none
	// Metadata is a JSON object (compact), or nil when the vector has none.
	Metadata json.RawMessage
}

// ReturnMetadata selects the metadata a query returns.
type ReturnMetadata string

// The returnMetadata levels.
const (
	MetadataNone    ReturnMetadata = "none"
	MetadataIndexed ReturnMetadata = "indexed"
	MetadataAll     ReturnMetadata = "all"
)

// Query is a query(vector, options) or queryById(id, options) call.
type Query struct {
	// Vector is the query vector; when nil, VectorID names a stored vector
	// whose values are the query (queryById).
	Vector   []float32
	VectorID string
	// TopK is 1..MaxTopK (MaxTopKWithData with values or all metadata);
	// 0 means DefaultTopK.
	TopK           int
	ReturnValues   bool
	ReturnMetadata ReturnMetadata // "" means MetadataNone
	// DefaultedMetadata says ReturnMetadata came from a binding's
	// return_metadata_default (a zerostack extension), not from the caller:
	// the topK limit then stays MaxTopK, so that programs written without
	// returnMetadata keep the limit Cloudflare gives them.
	DefaultedMetadata bool
	Filter            *Filter // nil: no filter
	Namespace         string  // "": all namespaces
}

// Match is one query result.
type Match struct {
	ID        string          `json:"id"`
	Score     float32         `json:"score"`
	Values    []float32       `json:"values,omitempty"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
}

// Matches is a query's result (workers-types VectorizeMatches).
type Matches struct {
	Count   int     `json:"count"`
	Matches []Match `json:"matches"`
}

// Mutation is the result of insert, upsert and deleteByIds
// (VectorizeAsyncMutation). In zerostack the mutation is already applied.
type Mutation struct {
	MutationID string `json:"mutationId"`
	// Count is how many vectors the call changed (V1's VectorizeVectorMutation.count).
	Count int `json:"-"`
	// IDs are the changed vectors' ids (V1's VectorizeVectorMutation.ids).
	IDs []string `json:"-"`
}

// Store holds the vectors of every index. All methods are safe for
// concurrent use; a mutation that returned is visible to every later call.
// Unknown index names give an error wrapping ErrIndexNotFound; invalid input
// an *Error (errors.Is ErrInvalid) and changes nothing.
type Store interface {
	// Insert adds vectors whose ids are not in the index yet; vectors whose
	// id exists are left as they are (Cloudflare keeps the first). Within
	// one call, the first vector with an id wins.
	Insert(ctx context.Context, index string, vs []Vector) (Mutation, error)
	// Upsert adds vectors, replacing (values, namespace and metadata) those
	// whose id exists. Within one call, the last vector with an id wins.
	Upsert(ctx context.Context, index string, vs []Vector) (Mutation, error)
	// Query returns the TopK vectors closest to q.Vector (or to the stored
	// vector q.VectorID) among those in q.Namespace matching q.Filter, best
	// first. A q.VectorID that is not stored gives no matches (Cloudflare
	// does not document this case; an empty result is what a caller can
	// handle without a try).
	Query(ctx context.Context, index string, q Query) (Matches, error)
	// GetByIDs returns the vectors with these ids, in the order given;
	// missing ids are left out.
	GetByIDs(ctx context.Context, index string, ids []string) ([]Vector, error)
	// DeleteByIDs removes vectors; missing ids are not an error.
	DeleteByIDs(ctx context.Context, index string, ids []string) (Mutation, error)
	// Describe returns the index's dimensions and vector count.
	Describe(ctx context.Context, index string) (Info, error)
}

// Indexes manages index records and their metadata indexes (wrangler
// vectorize create/list/get/delete, create-metadata-index …).
type Indexes interface {
	// CreateIndex creates an index; ErrIndexExists when the name is taken.
	CreateIndex(ctx context.Context, name, description string, cfg IndexConfig) (Index, error)
	// GetIndex returns an index's record.
	GetIndex(ctx context.Context, name string) (Index, error)
	// ListIndexes returns every index, ordered by name.
	ListIndexes(ctx context.Context) ([]Index, error)
	// DeleteIndex deletes an index and its vectors.
	DeleteIndex(ctx context.Context, name string) error
	// CreateMetadataIndex records a metadata index (at most
	// MaxMetadataIndexes per index; one per property).
	CreateMetadataIndex(ctx context.Context, index string, m MetadataIndex) (Mutation, error)
	// ListMetadataIndexes returns an index's metadata indexes by property name.
	ListMetadataIndexes(ctx context.Context, index string) ([]MetadataIndex, error)
	// DeleteMetadataIndex removes the metadata index on a property.
	DeleteMetadataIndex(ctx context.Context, index, property string) (Mutation, error)
}
