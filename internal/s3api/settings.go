package s3api

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Settings is the S3 API's own state, in one SQLite database next to the R2
// store: access keys (`zerostack r2 token`), and per-bucket CORS, lifecycle
// and public-access settings. It implements [Credentials]. All methods are
// safe for concurrent use, also by several processes sharing the file (a
// CLI next to a running server).
type Settings struct {
	db  *sqlitedb.DB
	now func() time.Time
	gen atomic.Uint64 // bumped by RevokeKey
}

// Generation changes whenever a key is revoked through s; handlers drop
// their cached keys when it does.
func (s *Settings) Generation() uint64 { return s.gen.Load() }

var _ Credentials = (*Settings)(nil)

const settingsSchema = `
CREATE TABLE IF NOT EXISTS s3_access_keys (
	id TEXT PRIMARY KEY,
	secret TEXT NOT NULL,
	name TEXT NOT NULL,
	buckets TEXT NOT NULL,
	read_only INTEGER NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS s3_bucket_config (
	bucket TEXT NOT NULL,
	kind TEXT NOT NULL,
	doc BLOB NOT NULL,
	PRIMARY KEY (bucket, kind)
);
`

// Kinds of bucket configuration stored by [Settings].
const (
	ConfigCORS      = "cors"
	ConfigLifecycle = "lifecycle"
	ConfigPublic    = "public"
)

// OpenSettings opens or creates the settings database at path (by
// convention s3.sqlite in the R2 state directory).
func OpenSettings(path string) (*Settings, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("s3 settings open: %w", err)
	}
	db, err := sqlitedb.Open(path, nil)
	if err != nil {
		return nil, fmt.Errorf("s3 settings open: %w", err)
	}
	if _, err := db.W.Exec(settingsSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("s3 settings open: schema: %w", err)
	}
	return &Settings{db: db, now: time.Now}, nil
}

// Close closes the database.
func (s *Settings) Close() error { return s.db.Close() }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateKey creates an access key (a 32-character id and a 64-character
// secret, as R2's are) limited to buckets (none: all buckets), read-only
// when readOnly is set.
func (s *Settings) CreateKey(ctx context.Context, name string, buckets []string, readOnly bool) (AccessKey, error) {
	k := AccessKey{ID: randomHex(16), Secret: randomHex(32), Name: name, Buckets: buckets, ReadOnly: readOnly, Created: s.now().UTC().Truncate(time.Millisecond)}
	if k.Buckets == nil {
		k.Buckets = []string{}
	}
	b, _ := json.Marshal(k.Buckets)
	_, err := s.db.W.ExecContext(ctx, "INSERT INTO s3_access_keys (id, secret, name, buckets, read_only, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
		k.ID, k.Secret, k.Name, string(b), k.ReadOnly, k.Created.UnixMilli())
	if err != nil {
		return AccessKey{}, fmt.Errorf("s3 create key: %w", err)
	}
	return k, nil
}

func scanKey(sc interface{ Scan(...any) error }) (AccessKey, error) {
	var k AccessKey
	var b string
	var ms int64
	if err := sc.Scan(&k.ID, &k.Secret, &k.Name, &b, &k.ReadOnly, &ms); err != nil {
		return AccessKey{}, err
	}
	if err := json.Unmarshal([]byte(b), &k.Buckets); err != nil {
		return AccessKey{}, err
	}
	k.Created = time.UnixMilli(ms).UTC()
	return k, nil
}

// LookupKey implements Credentials.
func (s *Settings) LookupKey(ctx context.Context, id string) (AccessKey, error) {
	k, err := scanKey(s.db.R.QueryRowContext(ctx, "SELECT id, secret, name, buckets, read_only, created_ms FROM s3_access_keys WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return AccessKey{}, ErrNoSuchAccessKey
	}
	if err != nil {
		return AccessKey{}, fmt.Errorf("s3 lookup key: %w", err)
	}
	return k, nil
}

// ListKeys returns all keys by creation time.
func (s *Settings) ListKeys(ctx context.Context) ([]AccessKey, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, secret, name, buckets, read_only, created_ms FROM s3_access_keys ORDER BY created_ms, id")
	if err != nil {
		return nil, fmt.Errorf("s3 list keys: %w", err)
	}
	defer rows.Close()
	var out []AccessKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("s3 list keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey deletes a key; later requests signed with it are refused. An
// unknown id gives ErrNoSuchAccessKey.
func (s *Settings) RevokeKey(ctx context.Context, id string) error {
	res, err := s.db.W.ExecContext(ctx, "DELETE FROM s3_access_keys WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("s3 revoke key: %w", err)
	}
	s.gen.Add(1)
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoSuchAccessKey
	}
	return nil
}

// BucketConfig returns a stored configuration document of bucket, or nil
// when there is none.
func (s *Settings) BucketConfig(ctx context.Context, bucket, kind string) ([]byte, error) {
	var doc []byte
	err := s.db.R.QueryRowContext(ctx, "SELECT doc FROM s3_bucket_config WHERE bucket = ? AND kind = ?", bucket, kind).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("s3 bucket config: %w", err)
	}
	return doc, nil
}

// SetBucketConfig stores (doc non-nil) or removes (doc nil) a configuration
// document of bucket.
func (s *Settings) SetBucketConfig(ctx context.Context, bucket, kind string, doc []byte) error {
	var err error
	if doc == nil {
		_, err = s.db.W.ExecContext(ctx, "DELETE FROM s3_bucket_config WHERE bucket = ? AND kind = ?", bucket, kind)
	} else {
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO s3_bucket_config (bucket, kind, doc) VALUES (?, ?, ?)
			ON CONFLICT(bucket, kind) DO UPDATE SET doc = excluded.doc`, bucket, kind, doc)
	}
	if err != nil {
		return fmt.Errorf("s3 set bucket config: %w", err)
	}
	return nil
}

// DeleteBucketConfig removes every configuration of bucket (when the
// bucket is deleted).
func (s *Settings) DeleteBucketConfig(ctx context.Context, bucket string) error {
	if _, err := s.db.W.ExecContext(ctx, "DELETE FROM s3_bucket_config WHERE bucket = ?", bucket); err != nil {
		return fmt.Errorf("s3 delete bucket config: %w", err)
	}
	return nil
}

// ConfiguredBuckets returns the buckets that have a configuration of kind,
// with their documents.
func (s *Settings) ConfiguredBuckets(ctx context.Context, kind string) (map[string][]byte, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT bucket, doc FROM s3_bucket_config WHERE kind = ?", kind)
	if err != nil {
		return nil, fmt.Errorf("s3 configured buckets: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var b string
		var doc []byte
		if err := rows.Scan(&b, &doc); err != nil {
			return nil, fmt.Errorf("s3 configured buckets: %w", err)
		}
		out[b] = doc
	}
	return out, rows.Err()
}

// SetPublic enables or disables read-only public access to bucket (`r2
// bucket dev-url enable|disable`).
func (s *Settings) SetPublic(ctx context.Context, bucket string, public bool) error {
	var doc []byte
	if public {
		doc = []byte("enabled")
	}
	return s.SetBucketConfig(ctx, bucket, ConfigPublic, doc)
}

// IsPublic reports whether bucket is served publicly.
func (s *Settings) IsPublic(ctx context.Context, bucket string) (bool, error) {
	doc, err := s.BucketConfig(ctx, bucket, ConfigPublic)
	return doc != nil, err
}

// SettingsPath is where a state directory (see server.StateDir) keeps the
// S3 API's settings: next to the R2 store, in r2/s3.sqlite.
func SettingsPath(stateDir string) string { return filepath.Join(stateDir, "r2", "s3.sqlite") }
