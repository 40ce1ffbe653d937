// Package d1local is the embedded backend of zerostack's D1 service
// (Cloudflare D1): each database is one SQLite file named by its UUID under
// the state directory, and a small registry database maps names to UUIDs.
//
// Statements run on one low-level SQLite connection per database
// (sqlitedb.Conn), serialized by a mutex as D1 serializes a database's
// queries, so values come back exactly as stored.
//
// Meta counters: SQLite does not count rows read. RowsRead is the number of
// rows returned plus the rows a statement stepped through in full-table scans
// (SQLITE_STMTSTATUS_FULLSCAN_STEP) plus the rows it changed; index lookups
// that return nothing count 0. RowsWritten is the change in
// sqlite3_total_changes (rows inserted, updated or deleted, triggers
// included; index entries are not counted, whereas D1 counts them).
package d1local

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Interface guards.
var (
	_ d1.Manager  = (*Manager)(nil)
	_ d1.Database = (*Database)(nil)
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	Logger *slog.Logger
	// Sync is the durability level of every database file (see sqlitedb).
	Sync sqlitedb.Sync
	// NoLimits turns off D1's per-query limits (MaxBoundParameters, MaxRowSize, MaxColumns); tools that
	// import large dumps may want that.
	NoLimits bool
}

// D1's documented per-query limits, applied as SQLite run-time limits unless
// Options.NoLimits is set: bound parameters per query, bytes in a string,
// BLOB or row, and columns per table. (D1's 100 KB statement-length limit is
// not applied, so that dumps with large rows can be re-imported.)
const (
	MaxBoundParameters = 100
	MaxRowSize         = 2_000_000
	MaxColumns         = 100
)

// Manager is the embedded d1.Manager. Close it to close every open database.
type Manager struct {
	dir  string
	reg  *sqlitedb.DB
	opts Options
	log  *slog.Logger

	mu   sync.Mutex
	open map[string]*Database // by uuid
}

// Open opens the D1 state in dir (created if needed).
func Open(dir string, opts Options) (*Manager, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("d1 open: %w", err)
	}
	reg, err := sqlitedb.Open(filepath.Join(dir, "registry.sqlite"), &sqlitedb.Options{Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("d1 open: %w", err)
	}
	if _, err := reg.W.Exec(`CREATE TABLE IF NOT EXISTS d1_databases (
		uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL)`); err != nil {
		reg.Close()
		return nil, fmt.Errorf("d1 open: %w", err)
	}
	m := &Manager{dir: dir, reg: reg, opts: opts, log: opts.Logger, open: map[string]*Database{}}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

// Close closes every open database and the registry.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for id, db := range m.open {
		errs = append(errs, db.close())
		delete(m.open, id)
	}
	errs = append(errs, m.reg.Close())
	return errors.Join(errs...)
}

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (m *Manager) path(uuid string) string { return filepath.Join(m.dir, uuid+".sqlite") }

// Create implements d1.Manager.
func (m *Manager) Create(ctx context.Context, name, uuid string) (d1.Info, error) {
	if !nameRE.MatchString(name) {
		return d1.Info{}, fmt.Errorf("d1 create %q: %w", name, d1.ErrInvalidName)
	}
	if uuid == "" {
		uuid = newUUID()
	}
	if !uuidRE.MatchString(uuid) {
		return d1.Info{}, fmt.Errorf("d1 create: invalid uuid %q", uuid)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	err := m.reg.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM d1_databases WHERE uuid = ? OR name = ?", uuid, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return d1.ErrExists
		}
		conn, err := sqlitedb.OpenConn(m.path(uuid), &sqlitedb.Options{Sync: m.opts.Sync})
		if err != nil {
			return err
		}
		if err := conn.Close(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO d1_databases(uuid, name, created_ms) VALUES (?, ?, ?)", uuid, name, now.UnixMilli())
		return err
	})
	if err != nil {
		return d1.Info{}, fmt.Errorf("d1 create %q: %w", name, err)
	}
	return m.Info(ctx, uuid)
}

func (m *Manager) lookup(ctx context.Context, nameOrUUID string) (uuid, name string, created time.Time, err error) {
	var ms int64
	err = m.reg.R.QueryRowContext(ctx, "SELECT uuid, name, created_ms FROM d1_databases WHERE uuid = ? OR name = ? ORDER BY uuid = ? DESC LIMIT 1",
		nameOrUUID, nameOrUUID, nameOrUUID).Scan(&uuid, &name, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", time.Time{}, d1.ErrNotFound
	}
	return uuid, name, time.UnixMilli(ms).UTC(), err
}

// Info implements d1.Manager.
func (m *Manager) Info(ctx context.Context, nameOrUUID string) (d1.Info, error) {
	uuid, name, created, err := m.lookup(ctx, nameOrUUID)
	if err != nil {
		return d1.Info{}, fmt.Errorf("d1 info %q: %w", nameOrUUID, err)
	}
	info := d1.Info{UUID: uuid, Name: name, Created: created}
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(m.path(uuid) + suffix); err == nil {
			info.FileSize += st.Size()
		}
	}
	db, err := m.Open(ctx, uuid)
	if err != nil {
		return d1.Info{}, err
	}
	res, err := db.Exec(ctx, d1.Statement{SQL: "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'"})
	if err != nil {
		return d1.Info{}, fmt.Errorf("d1 info %q: %w", nameOrUUID, err)
	}
	info.NumTables = int(res.Rows[0][0].(int64))
	return info, nil
}

// List implements d1.Manager.
func (m *Manager) List(ctx context.Context) ([]d1.Info, error) {
	rows, err := m.reg.R.QueryContext(ctx, "SELECT uuid FROM d1_databases ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("d1 list: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("d1 list: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []d1.Info{}
	for _, id := range ids {
		info, err := m.Info(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Delete implements d1.Manager.
func (m *Manager) Delete(ctx context.Context, nameOrUUID string) error {
	uuid, _, _, err := m.lookup(ctx, nameOrUUID)
	if err != nil {
		return fmt.Errorf("d1 delete %q: %w", nameOrUUID, err)
	}
	m.mu.Lock()
	if db := m.open[uuid]; db != nil {
		db.close()
		delete(m.open, uuid)
	}
	m.mu.Unlock()
	if _, err := m.reg.W.ExecContext(ctx, "DELETE FROM d1_databases WHERE uuid = ?", uuid); err != nil {
		return fmt.Errorf("d1 delete %q: %w", nameOrUUID, err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(m.path(uuid) + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log.Warn("d1 delete: remove file", "uuid", uuid, "err", err)
		}
	}
	return nil
}

// Open implements d1.Manager.
func (m *Manager) Open(ctx context.Context, nameOrUUID string) (d1.Database, error) {
	db, err := m.OpenDatabase(ctx, nameOrUUID)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// OpenDatabase is Open returning the concrete type.
func (m *Manager) OpenDatabase(ctx context.Context, nameOrUUID string) (*Database, error) {
	uuid, _, _, err := m.lookup(ctx, nameOrUUID)
	if err != nil {
		return nil, fmt.Errorf("d1 open %q: %w", nameOrUUID, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if db := m.open[uuid]; db != nil {
		return db, nil
	}
	conn, err := sqlitedb.OpenConn(m.path(uuid), &sqlitedb.Options{Sync: m.opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("d1 open %q: %w", nameOrUUID, err)
	}
	if !m.opts.NoLimits {
		conn.SetLimit(sqlitedb.LimitVariableNumber, MaxBoundParameters)
		conn.SetLimit(sqlitedb.LimitLength, MaxRowSize)
		conn.SetLimit(sqlitedb.LimitColumn, MaxColumns)
	}
	db := newDatabase(conn)
	m.open[uuid] = db
	return db, nil
}
