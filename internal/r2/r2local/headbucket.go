package r2local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

var _ r2.BucketHeader = (*Store)(nil)

// HeadBucket implements r2.BucketHeader.
func (s *Store) HeadBucket(ctx context.Context, name string) (r2.BucketInfo, error) {
	var ms int64
	err := s.db.R.QueryRowContext(ctx, "SELECT created_ms FROM r2_buckets WHERE name = ?", name).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return r2.BucketInfo{}, fmt.Errorf("r2 head bucket: %w", r2.ErrNoSuchBucket)
	}
	if err != nil {
		return r2.BucketInfo{}, fmt.Errorf("r2 head bucket: %w", err)
	}
	return r2.BucketInfo{Name: name, Created: time.UnixMilli(ms).UTC()}, nil
}
