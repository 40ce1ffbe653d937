package r2local

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

type upload struct {
	bucket, key  string
	httpMeta     string
	customMeta   string
	storageClass string
}

func (s *Store) getUpload(ctx context.Context, q querier, bucket, key, id string) (upload, error) {
	var u upload
	var k []byte
	err := q.QueryRowContext(ctx, "SELECT bucket, key, http_meta, custom_meta, storage_class FROM r2_uploads WHERE id = ?", id).
		Scan(&u.bucket, &k, &u.httpMeta, &u.customMeta, &u.storageClass)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (u.bucket != bucket || string(k) != key)) {
		return upload{}, r2.ErrNoSuchUpload
	}
	u.key = string(k)
	return u, err
}

// CreateMultipartUpload implements r2.Multipart.
func (s *Store) CreateMultipartUpload(ctx context.Context, bucket, key string, opts r2.MultipartOptions) (string, error) {
	if err := r2.ValidateKey(key); err != nil {
		return "", fmt.Errorf("r2 create multipart upload: %w", err)
	}
	if err := r2.ValidateCustomMetadata(opts.CustomMetadata); err != nil {
		return "", fmt.Errorf("r2 create multipart upload: %w", err)
	}
	class, err := r2.ValidateStorageClass(opts.StorageClass)
	if err != nil {
		return "", fmt.Errorf("r2 create multipart upload: %w", err)
	}
	cm := opts.CustomMetadata
	if cm == nil {
		cm = map[string]string{}
	}
	id := randomHex(24)
	hm, cmj, created := mustJSON(opts.HTTPMetadata), mustJSON(cm), s.now().UnixMilli()
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO r2_uploads (id, bucket, key, http_meta, custom_meta, storage_class, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, bucket, []byte(key), hm, cmj, class, created)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("r2 create multipart upload: %w", err)
	}
	return id, nil
}

// UploadPart implements r2.Multipart.
func (s *Store) UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader) (r2.UploadedPart, error) {
	if partNumber < 1 || partNumber > r2.MaxParts {
		return r2.UploadedPart{}, fmt.Errorf("r2 upload part: %w", r2.ErrInvalidArgument.With("Part number must be between 1 and %d (inclusive)", r2.MaxParts))
	}
	if _, err := s.getUpload(ctx, s.db.R, bucket, key, uploadID); err != nil {
		return r2.UploadedPart{}, fmt.Errorf("r2 upload part: %w", err)
	}
	h := &hashes{md5: md5.New()}
	blob, size, err := s.writeBlob(ctx, body, r2.MaxPartSize, h, nil)
	if err != nil {
		return r2.UploadedPart{}, fmt.Errorf("r2 upload part: %w", err)
	}
	etag := hex.EncodeToString(h.md5.Sum(nil))
	var old string
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, "SELECT blob FROM r2_parts WHERE upload_id = ? AND part_number = ?", uploadID, partNumber).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO r2_parts (upload_id, part_number, blob, size, etag, uploaded_ms) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(upload_id, part_number) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag, uploaded_ms = excluded.uploaded_ms`,
			uploadID, partNumber, blob, size, etag, s.now().UnixMilli())
		return err
	})
	if err != nil {
		s.removeBlobs(blob)
		return r2.UploadedPart{}, fmt.Errorf("r2 upload part: %w", err)
	}
	s.removeBlobs(old)
	return r2.UploadedPart{PartNumber: partNumber, ETag: etag}, nil
}

type storedPart struct {
	r2.PartInfo
	blob string
}

func (s *Store) parts(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, uploadID string) ([]storedPart, error) {
	rows, err := q.QueryContext(ctx, "SELECT part_number, etag, size, uploaded_ms, blob FROM r2_parts WHERE upload_id = ? ORDER BY part_number", uploadID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedPart
	for rows.Next() {
		var p storedPart
		var ms int64
		if err := rows.Scan(&p.PartNumber, &p.ETag, &p.Size, &ms, &p.blob); err != nil {
			return nil, err
		}
		p.Uploaded = time.UnixMilli(ms).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// CompleteMultipartUpload implements r2.Multipart. The listed parts are
// copied, in part-number order, into one new blob; the parts are then
// discarded.
func (s *Store) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []r2.UploadedPart) (r2.Object, error) {
	o, err := s.complete(ctx, bucket, key, uploadID, parts)
	if err != nil {
		return r2.Object{}, fmt.Errorf("r2 complete multipart upload: %w", err)
	}
	return o, nil
}

func (s *Store) complete(ctx context.Context, bucket, key, uploadID string, parts []r2.UploadedPart) (r2.Object, error) {
	u, err := s.getUpload(ctx, s.db.R, bucket, key, uploadID)
	if err != nil {
		return r2.Object{}, err
	}
	if len(parts) == 0 {
		return r2.Object{}, r2.ErrBadUpload
	}
	stored, err := s.parts(ctx, s.db.R, uploadID)
	if err != nil {
		return r2.Object{}, err
	}
	byNum := map[int]storedPart{}
	for _, p := range stored {
		byNum[p.PartNumber] = p
	}
	// Parts must exist with the given ETags and appear once.
	seen := map[int]bool{}
	given := make([]storedPart, 0, len(parts))
	for _, p := range parts {
		sp, ok := byNum[p.PartNumber]
		if !ok || sp.ETag != trimETag(p.ETag) || seen[p.PartNumber] {
			return r2.Object{}, r2.ErrInvalidPart
		}
		seen[p.PartNumber] = true
		given = append(given, sp)
	}
	// As R2 does: every part but the last, in the order given, must reach
	// the minimum size; then, in part-number order, all but the last must
	// have one size and the last must not be larger.
	for _, p := range given[:len(given)-1] {
		if p.Size < r2.MinPartSize {
			return r2.Object{}, r2.ErrEntityTooSmall
		}
	}
	use := slices.Clone(given)
	slices.SortFunc(use, func(a, b storedPart) int { return a.PartNumber - b.PartNumber })
	first := use[0].Size
	for i, p := range use {
		last := i == len(use)-1
		if (!last && (p.Size < r2.MinPartSize || p.Size != first)) || (last && len(use) > 1 && p.Size > first) {
			return r2.Object{}, r2.ErrBadUpload
		}
	}
	// Assemble.
	pr, pw := io.Pipe()
	go func() {
		for _, p := range use {
			f, err := os.Open(s.blobPath(p.blob))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, f)
			f.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	blob, size, err := s.writeBlob(ctx, pr, int64(len(use))*r2.MaxPartSize, &hashes{}, nil)
	pr.CloseWithError(errors.New("r2: assembly stopped"))
	if err != nil {
		return r2.Object{}, err
	}
	sumOfSums := md5.New()
	for _, p := range use {
		b, _ := hex.DecodeString(p.ETag)
		sumOfSums.Write(b)
	}
	o := r2.Object{
		Key: key, Version: randomHex(16), Size: size,
		ETag:     fmt.Sprintf("%x-%d", sumOfSums.Sum(nil), len(use)),
		Uploaded: s.now().UTC().Truncate(time.Millisecond), StorageClass: u.storageClass,
	}
	if err := jsonInto(u.httpMeta, &o.HTTPMetadata); err != nil {
		s.removeBlobs(blob)
		return r2.Object{}, err
	}
	if err := jsonInto(u.customMeta, &o.CustomMetadata); err != nil {
		s.removeBlobs(blob)
		return r2.Object{}, err
	}
	if o.CustomMetadata == nil {
		o.CustomMetadata = map[string]string{}
	}
	var partBlobs []string
	old, err := s.commitObject(ctx, bucket, o, blob, nil, nil, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		all, err := s.parts(ctx, tx, uploadID)
		if err != nil {
			return err
		}
		for _, p := range all {
			partBlobs = append(partBlobs, p.blob)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM r2_parts WHERE upload_id = ?", uploadID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM r2_uploads WHERE id = ?", uploadID)
		return err
	})
	if err != nil {
		s.removeBlobs(blob)
		return r2.Object{}, err
	}
	s.removeBlobs(append(partBlobs, old)...)
	return o, nil
}

func trimETag(e string) string {
	if len(e) >= 2 && e[0] == '"' && e[len(e)-1] == '"' {
		return e[1 : len(e)-1]
	}
	return e
}

// AbortMultipartUpload implements r2.Multipart.
func (s *Store) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	var blobs []string
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.getUpload(ctx, tx, bucket, key, uploadID); err != nil {
			return err
		}
		all, err := s.parts(ctx, tx, uploadID)
		if err != nil {
			return err
		}
		for _, p := range all {
			blobs = append(blobs, p.blob)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM r2_parts WHERE upload_id = ?", uploadID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM r2_uploads WHERE id = ?", uploadID)
		return err
	})
	if err != nil {
		return fmt.Errorf("r2 abort multipart upload: %w", err)
	}
	s.removeBlobs(blobs...)
	return nil
}

// ListParts implements r2.Multipart.
func (s *Store) ListParts(ctx context.Context, bucket, key, uploadID string) ([]r2.PartInfo, error) {
	if _, err := s.getUpload(ctx, s.db.R, bucket, key, uploadID); err != nil {
		return nil, fmt.Errorf("r2 list parts: %w", err)
	}
	stored, err := s.parts(ctx, s.db.R, uploadID)
	if err != nil {
		return nil, fmt.Errorf("r2 list parts: %w", err)
	}
	out := make([]r2.PartInfo, len(stored))
	for i, p := range stored {
		out[i] = p.PartInfo
	}
	return out, nil
}

// ListMultipartUploads implements r2.Multipart.
func (s *Store) ListMultipartUploads(ctx context.Context, bucket, prefix string) ([]r2.UploadInfo, error) {
	q := "SELECT id, key, created_ms FROM r2_uploads WHERE bucket = ? AND key >= ?"
	args := []any{bucket, []byte(prefix)}
	if end := r2.PrefixEnd(prefix); end != "" {
		q += " AND key < ?"
		args = append(args, []byte(end))
	}
	rows, err := s.db.R.QueryContext(ctx, q+" ORDER BY key, created_ms, id", args...)
	if err != nil {
		return nil, fmt.Errorf("r2 list multipart uploads: %w", err)
	}
	defer rows.Close()
	out := []r2.UploadInfo{}
	for rows.Next() {
		var u r2.UploadInfo
		var k []byte
		var ms int64
		if err := rows.Scan(&u.UploadID, &k, &ms); err != nil {
			return nil, fmt.Errorf("r2 list multipart uploads: %w", err)
		}
		u.Bucket, u.Key, u.Initiated = bucket, string(k), time.UnixMilli(ms).UTC()
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("r2 list multipart uploads: %w", err)
	}
	return out, nil
}
