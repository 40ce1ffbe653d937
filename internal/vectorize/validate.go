package vectorize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// ValidateIndexName checks an index name as Cloudflare does: 1 to
// MaxIndexNameLength characters, lowercase ASCII letters, digits and
// dashes, starting with a letter.
func ValidateIndexName(name string) error {
	if name == "" || len(name) > MaxIndexNameLength {
		return fmt.Errorf("%w: index name %q must be 1 to %d characters", ErrInvalid, name, MaxIndexNameLength)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || i > 0 && (r >= '0' && r <= '9' || r == '-')
		if !ok {
			return fmt.Errorf("%w: index name %q must start with a lowercase letter and contain only lowercase letters, digits and dashes", ErrInvalid, name)
		}
	}
	return nil
}

// ValidateIndexConfig checks dimensions (1..MaxDimensions) and the metric.
func ValidateIndexConfig(cfg IndexConfig) error {
	if cfg.Dimensions < MinDimensions || cfg.Dimensions > MaxDimensions {
		return fmt.Errorf("%w: dimensions must be between %d and %d, got %d", ErrInvalid, MinDimensions, MaxDimensions, cfg.Dimensions)
	}
	if _, err := ParseMetric(string(cfg.Metric)); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// ValidateMetadataIndex checks a metadata index definition.
func ValidateMetadataIndex(m MetadataIndex) error {
	if err := validateFilterKey(m.PropertyName); err != nil {
		return fmt.Errorf("%w: property name: %v", ErrInvalid, err)
	}
	switch m.IndexType {
	case MetaString, MetaNumber, MetaBoolean:
		return nil
	}
	return fmt.Errorf("%w: metadata index type %q: use string, number or boolean", ErrInvalid, m.IndexType)
}

// ValidateID checks a vector id: not empty, at most MaxIDBytes bytes.
func ValidateID(op Op, id string) error {
	if id == "" {
		return invalidf(op, CodeInvalidID, "vector id must not be empty")
	}
	if len(id) > MaxIDBytes {
		return invalidf(op, CodeInvalidID, "vector id %q is %d bytes long; the maximum is %d bytes", truncate(id, 80), len(id), MaxIDBytes)
	}
	return nil
}

// ValidateIDs checks the ids of getByIds or deleteByIds.
func ValidateIDs(op Op, ids []string) error {
	if len(ids) > MaxIDsPerCall {
		return invalidf(op, CodeTooManyVectors, "too many ids in one call: %d; the maximum is %d", len(ids), MaxIDsPerCall)
	}
	for _, id := range ids {
		if err := ValidateID(op, id); err != nil {
			return err
		}
	}
	return nil
}

// ValidateVectors checks an insert or upsert batch against an index of
// dimension dim: at most MaxVectorsPerCall vectors, valid ids and
// namespaces, values of the index's dimension and finite, metadata a JSON
// object of at most MaxMetadataBytes compact bytes. It compacts each
// vector's metadata in place ("{}" and null become nil).
func ValidateVectors(op Op, dim int, vs []Vector) error {
	if len(vs) > MaxVectorsPerCall {
		return invalidf(op, CodeTooManyVectors, "too many vectors in one call: %d; the maximum is %d per call", len(vs), MaxVectorsPerCall)
	}
	for i := range vs {
		v := &vs[i]
		if err := ValidateID(op, v.ID); err != nil {
			return err
		}
		if len(v.Values) != dim {
			return invalidf(op, CodeInvalidVector, "invalid vector for id=%q, expected %d dimensions, and got %d dimensions", v.ID, dim, len(v.Values))
		}
		for _, x := range v.Values {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return invalidf(op, CodeInvalidVector, "invalid vector for id=%q: values must be finite numbers", v.ID)
			}
		}
		if len(v.Namespace) > MaxNamespaceBytes {
			return invalidf(op, CodeInvalidNamespace, "namespace of vector id=%q is %d bytes long; the maximum is %d bytes", v.ID, len(v.Namespace), MaxNamespaceBytes)
		}
		m, err := compactMetadata(v.Metadata)
		if err != nil {
			return invalidf(op, CodeMetadataTooLarge, "invalid metadata for vector id=%q: %v", v.ID, err)
		}
		if len(m) > MaxMetadataBytes {
			return invalidf(op, CodeMetadataTooLarge, "metadata for vector id=%q is %d bytes; the maximum is %d bytes (10 KiB)", v.ID, len(m), MaxMetadataBytes)
		}
		v.Metadata = m
	}
	return nil
}

// compactMetadata returns metadata as compact JSON, nil for none.
func compactMetadata(m json.RawMessage) (json.RawMessage, error) {
	t := bytes.TrimSpace(m)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	if t[0] != '{' {
		return nil, fmt.Errorf("metadata must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return nil, fmt.Errorf("metadata is not valid JSON: %v", err)
	}
	if buf.Len() == 2 { // {}
		return nil, nil
	}
	return buf.Bytes(), nil
}

// NormalizeQuery checks q against an index of dimension dim and fills in
// defaults (TopK, ReturnMetadata). It returns Cloudflare's errors for a
// topK out of range (1..100, or 1..20 with values or all metadata), a query
// vector of the wrong dimension and a namespace too long.
func NormalizeQuery(dim int, q *Query) error {
	if q.TopK == 0 {
		q.TopK = DefaultTopK
	}
	switch q.ReturnMetadata {
	case "":
		q.ReturnMetadata = MetadataNone
	case MetadataNone, MetadataIndexed, MetadataAll:
	default:
		return invalidf(OpVectorQuery, CodeInvalidOptions, `Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: %s`, q.ReturnMetadata)
	}
	if q.TopK < 1 {
		return invalidf(OpVectorQuery, CodeInvalidTopK, "invalid topK provided, topK must be greater than 0, got %d", q.TopK)
	}
	if q.ReturnValues || q.ReturnMetadata == MetadataAll && !q.DefaultedMetadata {
		if q.TopK > MaxTopKWithData {
			return invalidf(OpVectorQuery, CodeInvalidTopK, "invalid topK provided, topK must be less than or equal to %d when returnValues is true or returnMetadata is \"all\", got %d", MaxTopKWithData, q.TopK)
		}
	} else if q.TopK > MaxTopK {
		return invalidf(OpVectorQuery, CodeInvalidTopK, "invalid topK provided, topK must be less than or equal to %d, got %d", MaxTopK, q.TopK)
	}
	if len(q.Namespace) > MaxNamespaceBytes {
		return invalidf(OpVectorQuery, CodeInvalidNamespace, "namespace is %d bytes long; the maximum is %d bytes", len(q.Namespace), MaxNamespaceBytes)
	}
	if q.Vector == nil {
		return ValidateID(OpVectorQuery, q.VectorID)
	}
	if len(q.Vector) != dim {
		return invalidf(OpVectorQuery, CodeInvalidVector, "invalid query vector, expected %d dimensions, and got %d dimensions", dim, len(q.Vector))
	}
	for _, x := range q.Vector {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return invalidf(OpVectorQuery, CodeInvalidVector, "invalid query vector: values must be finite numbers")
		}
	}
	return nil
}

// truncate shortens s to at most n bytes on a UTF-8 boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
