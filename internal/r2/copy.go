package r2

import (
	"context"
	"fmt"
)

// CopyOptions configures [Copy].
type CopyOptions struct {
	// OnlyIf is evaluated against the source; when it fails Copy returns
	// ErrPreconditionFailed.
	OnlyIf *Conditional
	// DestOnlyIf is evaluated against the destination at commit, as
	// PutOptions.OnlyIf.
	DestOnlyIf *Conditional
	// ReplaceMetadata stores HTTPMetadata and CustomMetadata on the copy;
	// otherwise the source's metadata is copied.
	ReplaceMetadata bool
	HTTPMetadata    HTTPMetadata
	CustomMetadata  map[string]string
	// StorageClass of the copy; "" keeps the source's.
	StorageClass string
}

// Copy copies an object within or between buckets of s by streaming the
// source into a Put of the destination; the source's MD5 and other
// checksums are passed to that Put, so a copy that does not match the
// source fails with ErrBadDigest and stores nothing. Copying an object onto
// itself is allowed (the old bytes stay readable until the new ones are
// committed). Missing sources give ErrNoSuchKey.
func Copy(ctx context.Context, s Store, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (Object, error) {
	res, err := s.Get(ctx, srcBucket, srcKey, GetOptions{OnlyIf: opts.OnlyIf})
	if err != nil {
		return Object{}, fmt.Errorf("r2 copy: %w", err)
	}
	if res.PreconditionFailed {
		return Object{}, fmt.Errorf("r2 copy: %w", ErrPreconditionFailed)
	}
	defer res.Body.Close()
	src := res.Object
	po := PutOptions{
		HTTPMetadata:   src.HTTPMetadata,
		CustomMetadata: src.CustomMetadata,
		MD5:            src.Checksums.MD5,
		SHA1:           src.Checksums.SHA1,
		SHA256:         src.Checksums.SHA256,
		SHA384:         src.Checksums.SHA384,
		SHA512:         src.Checksums.SHA512,
		OnlyIf:         opts.DestOnlyIf,
		StorageClass:   src.StorageClass,
	}
	if opts.ReplaceMetadata {
		po.HTTPMetadata, po.CustomMetadata = opts.HTTPMetadata, opts.CustomMetadata
	}
	if opts.StorageClass != "" {
		po.StorageClass = opts.StorageClass
	}
	o, err := s.Put(ctx, dstBucket, dstKey, res.Body, po)
	if err != nil {
		return Object{}, fmt.Errorf("r2 copy: %w", err)
	}
	return o, nil
}
