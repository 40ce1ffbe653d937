package r2local

import (
	"context"
	"fmt"
	"strings"

	"github.com/zerostack/zerostack/internal/r2"
)

// scanFrom returns up to n objects of bucket with start < key (or <= when
// !exclusive) and key < end (no bound when end is "").
func (s *Store) scanFrom(ctx context.Context, bucket, start string, exclusive bool, end string, n int) ([]r2.Object, error) {
	q := "SELECT " + objectCols + " FROM r2_objects WHERE bucket = ?"
	args := []any{bucket}
	if exclusive {
		q += " AND key > ?"
	} else {
		q += " AND key >= ?"
	}
	args = append(args, []byte(start))
	if end != "" {
		q += " AND key < ?"
		args = append(args, []byte(end))
	}
	q += " ORDER BY key LIMIT ?"
	args = append(args, n)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []r2.Object
	for rows.Next() {
		o, _, err := scanObject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// List implements r2.Store. Objects and delimited prefixes both count
// towards the limit, as in R2 and S3.
func (s *Store) List(ctx context.Context, bucket string, opts r2.ListOptions) (r2.ListResult, error) {
	res, err := s.list(ctx, bucket, opts)
	if err != nil {
		return r2.ListResult{}, fmt.Errorf("r2 list: %w", err)
	}
	return res, nil
}

func (s *Store) list(ctx context.Context, bucket string, opts r2.ListOptions) (r2.ListResult, error) {
	limit := opts.Limit
	if limit == 0 {
		limit = r2.MaxListLimit
	}
	if limit < 0 || limit > r2.MaxListLimit {
		return r2.ListResult{}, r2.ErrInvalidMaxKeys
	}
	start, exclusive := "", false
	if opts.StartAfter != "" {
		start, exclusive = opts.StartAfter, true
	}
	if opts.Cursor != "" {
		c, ex, err := r2.DecodeCursor(opts.Cursor)
		if err != nil {
			return r2.ListResult{}, err
		}
		if c > start || (c == start && ex) {
			start, exclusive = c, ex
		}
	}
	if opts.Prefix > start {
		start, exclusive = opts.Prefix, false
	}
	end := r2.PrefixEnd(opts.Prefix)
	res := r2.ListResult{Objects: []r2.Object{}, DelimitedPrefixes: []string{}}
	count := 0
	cursor := ""
	exhausted := false
outer:
	for count < limit {
		want := limit - count + 1
		batch, err := s.scanFrom(ctx, bucket, start, exclusive, end, want)
		if err != nil {
			return r2.ListResult{}, err
		}
		for _, o := range batch {
			if count == limit {
				break outer
			}
			if !strings.HasPrefix(o.Key, opts.Prefix) {
				exhausted = true
				break outer
			}
			if opts.Delimiter != "" {
				rest := o.Key[len(opts.Prefix):]
				if i := strings.Index(rest, opts.Delimiter); i >= 0 {
					cp := opts.Prefix + rest[:i+len(opts.Delimiter)]
					res.DelimitedPrefixes = append(res.DelimitedPrefixes, cp)
					count++
					next := r2.PrefixEnd(cp)
					if next == "" || (end != "" && next >= end) {
						exhausted = true
						break outer
					}
					start, exclusive = next, false
					cursor = r2.EncodeCursorAt(next)
					continue outer
				}
			}
			if !opts.IncludeHTTPMetadata {
				o.HTTPMetadata = r2.HTTPMetadata{}
			}
			if !opts.IncludeCustomMetadata {
				o.CustomMetadata = map[string]string{}
			}
			res.Objects = append(res.Objects, o)
			count++
			start, exclusive = o.Key, true
			cursor = r2.EncodeCursor(o.Key)
		}
		if len(batch) < want {
			exhausted = true
			break
		}
	}
	if !exhausted && count == limit {
		more, err := s.scanFrom(ctx, bucket, start, exclusive, end, 1)
		if err != nil {
			return r2.ListResult{}, err
		}
		if len(more) > 0 {
			res.Truncated = true
			res.Cursor = cursor
		}
	}
	return res, nil
}
