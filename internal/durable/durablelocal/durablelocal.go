// Package durablelocal is the embedded backend of Cloudflare Durable
// Objects (package durable): one SQLite file per object, at
// <dir>/<namespace>/<id>.sqlite, and an index (<dir>/index.sqlite) of
// namespaces, pending alarms and applied migrations.
//
// A namespace's directory is its name ("script:class") with characters
// other than letters, digits, '.', '_', '-' and ':' escaped as %XX.
package durablelocal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/zerostack/zerostack/internal/durable"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Store is the embedded backend. It is safe for concurrent use.
type Store struct {
	dir string
	idx *sqlitedb.DB
	log *slog.Logger
}

var _ durable.Store = (*Store)(nil)

const indexSchema = `
CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY, seed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarms (ns TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (ns, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS migrations (script TEXT NOT NULL, seq INTEGER NOT NULL, tag TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), PRIMARY KEY (script, seq));
`

// Open opens (creating if needed) the objects under dir.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("durablelocal: %w", err)
	}
	idx, err := sqlitedb.Open(filepath.Join(dir, "index.sqlite"), nil)
	if err != nil {
		return nil, fmt.Errorf("durablelocal: %w", err)
	}
	if _, err := idx.W.Exec(indexSchema); err != nil {
		idx.Close()
		return nil, fmt.Errorf("durablelocal: index: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{dir: dir, idx: idx, log: log}, nil
}

// Close closes the index. Storages opened earlier stay usable until closed.
func (s *Store) Close() error { return s.idx.Close() }

// Dir is the directory the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

// dirName escapes a namespace name for use as a directory name.
func dirName(ns string) string {
	var b strings.Builder
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' && i > 0 || c == '_' || c == '-' || c == ':' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Path returns the database file of object id in ns.
func (s *Store) Path(ns, id string) string {
	return filepath.Join(s.dir, dirName(ns), id+".sqlite")
}

// Namespace implements [durable.Store].
func (s *Store) Namespace(ctx context.Context, script, class string) (durable.Namespace, error) {
	n := durable.NewNamespace(script, class)
	if _, err := s.idx.W.ExecContext(ctx, "INSERT INTO namespaces (name, seed) VALUES (?, ?) ON CONFLICT DO NOTHING", n.Name(), n.Seed); err != nil {
		return n, fmt.Errorf("durablelocal namespace: %w", err)
	}
	var seed string
	if err := s.idx.R.QueryRowContext(ctx, "SELECT seed FROM namespaces WHERE name = ?", n.Name()).Scan(&seed); err != nil {
		return n, fmt.Errorf("durablelocal namespace: %w", err)
	}
	return durable.NamespaceWithSeed(script, class, seed), nil
}

// Open implements [durable.Store].
func (s *Store) Open(ctx context.Context, ns, id string) (*durable.Storage, error) {
	if !durable.ValidID(id) {
		return nil, durable.ErrInvalidID
	}
	p := s.Path(ns, id)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("durablelocal open: %w", err)
	}
	return durable.OpenStorage(p, func(at int64, set bool) {
		var err error
		if set {
			_, err = s.idx.W.Exec("INSERT INTO alarms (ns, id, at) VALUES (?, ?, ?) ON CONFLICT(ns, id) DO UPDATE SET at = excluded.at", ns, id, at)
		} else {
			_, err = s.idx.W.Exec("DELETE FROM alarms WHERE ns = ? AND id = ?", ns, id)
		}
		if err != nil {
			s.log.Error("durable alarm index", "ns", ns, "id", id, "err", err)
		}
	})
}

// Namespaces implements [durable.Store]: the namespaces with at least one
// object file.
func (s *Store) Namespaces(ctx context.Context) ([]string, error) {
	rows, err := s.idx.R.QueryContext(ctx, "SELECT name FROM namespaces ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("durablelocal namespaces: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if objs, _ := s.Objects(ctx, n); len(objs) > 0 {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// Objects implements [durable.Store].
func (s *Store) Objects(ctx context.Context, ns string) ([]durable.ObjectInfo, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, dirName(ns)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, durable.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("durablelocal objects: %w", err)
	}
	var out []durable.ObjectInfo
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".sqlite")
		if !ok || !durable.ValidID(id) {
			continue
		}
		out = append(out, durable.ObjectInfo{ID: id, Size: durable.FileSize(s.Path(ns, id))})
	}
	if len(out) == 0 {
		return nil, durable.ErrNotFound
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DeleteNamespace implements [durable.Store].
func (s *Store) DeleteNamespace(ctx context.Context, ns string) error {
	if err := os.RemoveAll(filepath.Join(s.dir, dirName(ns))); err != nil {
		return fmt.Errorf("durablelocal delete namespace: %w", err)
	}
	return s.idx.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM alarms WHERE ns = ?", ns); err != nil {
			return err
		}
		_, err := tx.Exec("DELETE FROM namespaces WHERE name = ?", ns)
		return err
	})
}

// RenameNamespace implements [durable.Store].
func (s *Store) RenameNamespace(ctx context.Context, from, to string) error {
	src, dst := filepath.Join(s.dir, dirName(from)), filepath.Join(s.dir, dirName(to))
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("durablelocal rename: namespace %s already has objects", to)
	}
	if err := os.Rename(src, dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("durablelocal rename: %w", err)
	}
	return s.idx.Write(ctx, func(tx *sql.Tx) error {
		var seed string
		err := tx.QueryRow("SELECT seed FROM namespaces WHERE name = ?", from).Scan(&seed)
		if errors.Is(err, sql.ErrNoRows) {
			script, class, _ := strings.Cut(from, ":")
			seed = durable.DefaultSeed(script, class)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO namespaces (name, seed) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET seed = excluded.seed", to, seed); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM namespaces WHERE name = ?", from); err != nil {
			return err
		}
		_, err = tx.Exec("UPDATE alarms SET ns = ? WHERE ns = ?", to, from)
		return err
	})
}

// Alarms implements [durable.Store].
func (s *Store) Alarms(ctx context.Context) ([]durable.Alarm, error) {
	rows, err := s.idx.R.QueryContext(ctx, "SELECT ns, id, at FROM alarms ORDER BY at")
	if err != nil {
		return nil, fmt.Errorf("durablelocal alarms: %w", err)
	}
	defer rows.Close()
	var out []durable.Alarm
	for rows.Next() {
		var a durable.Alarm
		if err := rows.Scan(&a.Namespace, &a.ID, &a.At); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AppliedMigrations implements [durable.Store].
func (s *Store) AppliedMigrations(ctx context.Context, script string) ([]string, error) {
	rows, err := s.idx.R.QueryContext(ctx, "SELECT tag FROM migrations WHERE script = ? ORDER BY seq", script)
	if err != nil {
		return nil, fmt.Errorf("durablelocal migrations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RecordMigration implements [durable.Store].
func (s *Store) RecordMigration(ctx context.Context, script, tag string) error {
	_, err := s.idx.W.ExecContext(ctx, "INSERT INTO migrations (script, seq, tag) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM migrations WHERE script = ?), ?)", script, script, tag)
	if err != nil {
		return fmt.Errorf("durablelocal record migration: %w", err)
	}
	return nil
}
