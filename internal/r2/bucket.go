package r2

import "context"

// BucketHeader is an optional interface of [Buckets] backends that look up
// a single bucket without listing them all.
type BucketHeader interface {
	// HeadBucket returns the bucket's info, or an error matching
	// ErrNoSuchBucket.
	HeadBucket(ctx context.Context, name string) (BucketInfo, error)
}
