// Package kvlocal is the embedded backend of zerostack's Workers KV service
// (Cloudflare Workers KV): every namespace's keys live in one SQLite file, in
// a table keyed by (namespace, key) with keys stored as BLOBs so that SQLite's
// memcmp order is Cloudflare's byte order. Expired keys are filtered out of
// every read and deleted later by [Store.Sweep] (run periodically when
// [Options.SweepInterval] is set).
package kvlocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Interface guards.
var (
	_ kv.Store      = (*Store)(nil)
	_ kv.Namespaces = (*Store)(nil)
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Now is the clock used for expiry; default time.Now. Tests set it.
	Now func() time.Time
	// Logger receives background sweep errors; default discards.
	Logger *slog.Logger
	// Sync is the durability level of the SQLite file (see sqlitedb).
	Sync sqlitedb.Sync
	// SweepInterval, when positive, deletes expired keys in the background
	// at this interval until Close.
	SweepInterval time.Duration
}

// Store is the SQLite-backed kv.Store and kv.Namespaces.
type Store struct {
	db     *sqlitedb.DB
	now    func() time.Time
	log    *slog.Logger
	stop   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
	// getStmt is Get's prepared query on the read pool, saving a parse per call.
	getStmt *sql.Stmt
}

const schema = `
CREATE TABLE IF NOT EXISTS kv_namespaces (
	id TEXT PRIMARY KEY,
	title TEXT NOT NULL UNIQUE,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kv_entries (
	ns TEXT NOT NULL,
	key BLOB NOT NULL,
	value BLOB NOT NULL,
	metadata BLOB,
	expiration INTEGER,
	PRIMARY KEY (ns, key)
);
CREATE INDEX IF NOT EXISTS kv_entries_expiration ON kv_entries(expiration) WHERE expiration IS NOT NULL;
`

// Open opens or creates the KV database file at path.
func Open(path string, opts Options) (*Store, error) {
	db, err := sqlitedb.Open(path, &sqlitedb.Options{Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("kv open: %w", err)
	}
	if _, err := db.W.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("kv open: schema: %w", err)
	}
	get, err := db.R.Prepare(getSQL)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("kv open: %w", err)
	}
	s := &Store{db: db, now: opts.Now, log: opts.Logger, stop: make(chan struct{}), getStmt: get}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if opts.SweepInterval > 0 {
		s.wg.Add(1)
		go s.sweepLoop(opts.SweepInterval)
	}
	return s, nil
}

// Close stops the sweeper and closes the database.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.getStmt.Close()
		err = s.db.Close()
	})
	return err
}

// DB returns the underlying database (for integrity checks and tools).
func (s *Store) DB() *sqlitedb.DB { return s.db }

func (s *Store) sweepLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n, err := s.Sweep(context.Background()); err != nil {
				s.log.Warn("kv sweep", "err", err)
			} else if n > 0 {
				s.log.Debug("kv sweep", "deleted", n)
			}
		}
	}
}

// Sweep deletes expired keys and returns how many it deleted.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, "DELETE FROM kv_entries WHERE expiration IS NOT NULL AND expiration <= ?", s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("kv sweep: %w", err)
	}
	return res.RowsAffected()
}

const getSQL = "SELECT value, metadata, expiration FROM kv_entries WHERE ns = ? AND key = ? AND (expiration IS NULL OR expiration > ?)"

// Get implements kv.Store.
func (s *Store) Get(ctx context.Context, ns, key string) (kv.Entry, error) {
	if err := kv.ValidateKey("GET", key); err != nil {
		return kv.Entry{}, fmt.Errorf("kv get: %w", err)
	}
	var e kv.Entry
	var meta []byte
	var exp sql.NullInt64
	err := s.getStmt.QueryRowContext(ctx, ns, []byte(key), s.now().Unix()).Scan(&e.Value, &meta, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return kv.Entry{}, fmt.Errorf("kv get: %w", kv.ErrNotFound)
	}
	if err != nil {
		return kv.Entry{}, fmt.Errorf("kv get: %w", err)
	}
	if e.Value == nil {
		e.Value = []byte{}
	}
	e.Metadata = meta
	e.Expiration = exp.Int64
	return e, nil
}

// GetMany implements kv.Store.
func (s *Store) GetMany(ctx context.Context, ns string, keys []string) (map[string]kv.Entry, error) {
	if err := kv.ValidateBulkGet(keys); err != nil {
		return nil, fmt.Errorf("kv get: %w", err)
	}
	out := make(map[string]kv.Entry, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(keys)+2)
	args = append(args, ns, s.now().Unix())
	for _, k := range keys {
		args = append(args, []byte(k))
	}
	q := "SELECT key, value, metadata, expiration FROM kv_entries WHERE ns = ? AND (expiration IS NULL OR expiration > ?) AND key IN (?" +
		strings.Repeat(",?", len(keys)-1) + ")"
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("kv get: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v, meta []byte
		var exp sql.NullInt64
		if err := rows.Scan(&k, &v, &meta, &exp); err != nil {
			return nil, fmt.Errorf("kv get: %w", err)
		}
		if v == nil {
			v = []byte{}
		}
		out[string(k)] = kv.Entry{Value: v, Metadata: meta, Expiration: exp.Int64}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kv get: %w", err)
	}
	return out, nil
}

// Put implements kv.Store.
func (s *Store) Put(ctx context.Context, ns, key string, value io.Reader, opts kv.PutOptions) error {
	exp, err := kv.ResolvePut(key, opts, s.now())
	if err != nil {
		return fmt.Errorf("kv put: %w", err)
	}
	if value == nil {
		value = bytes.NewReader(nil)
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(value, kv.MaxValueSize+1))
	if err != nil {
		return fmt.Errorf("kv put: value: %w", err)
	}
	if n > kv.MaxValueSize {
		return fmt.Errorf("kv put: %w", kv.ErrValueTooLarge(n))
	}
	var expArg, metaArg any
	if exp != 0 {
		expArg = exp
	}
	if opts.Metadata != nil {
		metaArg = []byte(opts.Metadata)
	}
	_, err = s.db.W.ExecContext(ctx,
		`INSERT INTO kv_entries(ns, key, value, metadata, expiration) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`,
		ns, []byte(key), buf.Bytes(), metaArg, expArg)
	if err != nil {
		return fmt.Errorf("kv put: %w", err)
	}
	return nil
}

// Delete implements kv.Store.
func (s *Store) Delete(ctx context.Context, ns string, keys ...string) error {
	for _, k := range keys {
		if err := kv.ValidateKey("DELETE", k); err != nil {
			return fmt.Errorf("kv delete: %w", err)
		}
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, "DELETE FROM kv_entries WHERE ns = ? AND key = ?")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, k := range keys {
			if _, err := st.ExecContext(ctx, ns, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("kv delete: %w", err)
	}
	return nil
}

// List implements kv.Store.
func (s *Store) List(ctx context.Context, ns string, opts kv.ListOptions) (kv.ListResult, error) {
	limit, after, err := kv.ResolveList(opts)
	if err != nil {
		return kv.ListResult{}, fmt.Errorf("kv list: %w", err)
	}
	q := "SELECT key, metadata, expiration FROM kv_entries WHERE ns = ? AND (expiration IS NULL OR expiration > ?)"
	args := []any{ns, s.now().Unix()}
	if opts.Prefix != "" {
		q += " AND key >= ?"
		args = append(args, []byte(opts.Prefix))
		if end := kv.PrefixEnd(opts.Prefix); end != "" {
			q += " AND key < ?"
			args = append(args, []byte(end))
		}
	}
	if after != "" {
		q += " AND key > ?"
		args = append(args, []byte(after))
	}
	q += " ORDER BY key LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return kv.ListResult{}, fmt.Errorf("kv list: %w", err)
	}
	defer rows.Close()
	res := kv.ListResult{Keys: []kv.KeyInfo{}, ListComplete: true}
	for rows.Next() {
		var k, meta []byte
		var exp sql.NullInt64
		if err := rows.Scan(&k, &meta, &exp); err != nil {
			return kv.ListResult{}, fmt.Errorf("kv list: %w", err)
		}
		if len(res.Keys) == limit {
			res.ListComplete = false
			res.Cursor = kv.EncodeCursor(res.Keys[limit-1].Name)
			break
		}
		res.Keys = append(res.Keys, kv.KeyInfo{Name: string(k), Metadata: meta, Expiration: exp.Int64})
	}
	if err := rows.Err(); err != nil {
		return kv.ListResult{}, fmt.Errorf("kv list: %w", err)
	}
	return res, nil
}

// CreateNamespace implements kv.Namespaces.
func (s *Store) CreateNamespace(ctx context.Context, id, title string) (kv.Namespace, error) {
	if title == "" {
		return kv.Namespace{}, fmt.Errorf("kv create namespace: %w", &kv.ValidationError{Op: "CREATE", Status: 400, Message: "Namespace title must not be empty."})
	}
	if id == "" {
		var b [16]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	ns := kv.Namespace{ID: id, Title: title, Created: s.now().UTC().Truncate(time.Millisecond)}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM kv_namespaces WHERE id = ? OR title = ?", id, title).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return kv.ErrNamespaceExists
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO kv_namespaces(id, title, created_ms) VALUES (?, ?, ?)", id, title, ns.Created.UnixMilli())
		return err
	})
	if err != nil {
		return kv.Namespace{}, fmt.Errorf("kv create namespace: %w", err)
	}
	return ns, nil
}

// ListNamespaces implements kv.Namespaces.
func (s *Store) ListNamespaces(ctx context.Context) ([]kv.Namespace, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, title, created_ms FROM kv_namespaces ORDER BY title")
	if err != nil {
		return nil, fmt.Errorf("kv list namespaces: %w", err)
	}
	defer rows.Close()
	out := []kv.Namespace{}
	for rows.Next() {
		var n kv.Namespace
		var ms int64
		if err := rows.Scan(&n.ID, &n.Title, &ms); err != nil {
			return nil, fmt.Errorf("kv list namespaces: %w", err)
		}
		n.Created = time.UnixMilli(ms).UTC()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kv list namespaces: %w", err)
	}
	return out, nil
}

// DeleteNamespace implements kv.Namespaces.
func (s *Store) DeleteNamespace(ctx context.Context, id string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM kv_namespaces WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kv.ErrNamespaceNotFound
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM kv_entries WHERE ns = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("kv delete namespace: %w", err)
	}
	return nil
}
