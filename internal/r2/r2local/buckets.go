package r2local

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

func jsonInto(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// CreateBucket implements r2.Buckets.
func (s *Store) CreateBucket(ctx context.Context, name string) (r2.BucketInfo, error) {
	if err := r2.ValidateBucketName(name); err != nil {
		return r2.BucketInfo{}, fmt.Errorf("r2 create bucket: %w", err)
	}
	b := r2.BucketInfo{Name: name, Created: s.now().UTC().Truncate(time.Millisecond)}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM r2_buckets WHERE name = ?", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return r2.ErrBucketExists
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO r2_buckets (name, created_ms) VALUES (?, ?)", name, b.Created.UnixMilli())
		return err
	})
	if err != nil {
		return r2.BucketInfo{}, fmt.Errorf("r2 create bucket: %w", err)
	}
	return b, nil
}

// ListBuckets implements r2.Buckets.
func (s *Store) ListBuckets(ctx context.Context) ([]r2.BucketInfo, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT name, created_ms FROM r2_buckets ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("r2 list buckets: %w", err)
	}
	defer rows.Close()
	out := []r2.BucketInfo{}
	for rows.Next() {
		var b r2.BucketInfo
		var ms int64
		if err := rows.Scan(&b.Name, &ms); err != nil {
			return nil, fmt.Errorf("r2 list buckets: %w", err)
		}
		b.Created = time.UnixMilli(ms).UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("r2 list buckets: %w", err)
	}
	return out, nil
}

// DeleteBucket implements r2.Buckets.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM r2_objects WHERE bucket = ?) + (SELECT count(*) FROM r2_uploads WHERE bucket = ?)", name, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return r2.ErrBucketNotEmpty
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM r2_buckets WHERE name = ?", name)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return r2.ErrNoSuchBucket
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("r2 delete bucket: %w", err)
	}
	return nil
}
