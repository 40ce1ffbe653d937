// Package vectorizelocal is the embedded backend of zerostack's Vectorize
// service (Cloudflare Vectorize): every index's vectors, namespaces and
// metadata live in one SQLite file (the source of truth, written before a
// call returns), and each index is searched through in-memory
// nearest-neighbour indexes from package index, built when the index is
// first used.
//
// # Durability
//
// A mutation commits its SQLite transaction (WAL, synchronous=NORMAL; see
// package sqlitedb) before it returns, and only then changes the in-memory
// index. An acknowledged vector therefore survives SIGKILL; the in-memory
// index is rebuilt from the file on the next start.
//
// # Search
//
// Every write lands in a write buffer: fixed-size chunks searched exactly.
// Indexes of fewer than [Options.HNSWThreshold] vectors (default 10,000)
// live there entirely and every search is exact. Larger ones get an HNSW
// graph ([index.HNSW], M 16, efConstruction 200, efSearch 64), and a
// background goroutine moves buffered vectors into it in batches, so
// inserts never wait for graph construction and a write is visible to the
// very next query either way. A query searches the graph and the buffer
// and merges the two.
//
// Small indexes do not use [index.Flat]: its vectors live in one
// contiguous slab that re-copies itself as it grows one vector at a time,
// which cost ~45 µs per 768-dimension insert on the development machine
// (20,000 adds: 1.35 s, against 0.13 s to append the same floats to a
// slice), three times the SQLite write. The buffer's chunks never move.
//
// Namespaces and metadata filters are applied during the search through
// the indexes' accept callback, so topK matches come back whenever topK
// vectors match. When a filter is selective (a sample says fewer than
// [Options.ExactThreshold] vectors match), the matching vectors are
// collected first and searched exactly; if a graph search still returns
// fewer than topK, an exact scan of every match settles it.
//
// # Processes
//
// Several processes may use one file (zerostack dev and the zerostack
// vectorize commands do). Each call checks the index's last mutation id in
// the file (one small read) and reloads an index another process changed;
// a write also checks it inside its transaction, under SQLite's write
// lock, and is retried on a fresh load if it changed.
//
// # Restart
//
// When a large index's graph is complete, and when the store closes, the
// graph is written to <dir>/snapshots/<index>.hnsw (written to a temporary
// file, fsynced, renamed) with the mutation sequence number it reflects.
// Loading then reads the graph file and, from SQLite, only the ids,
// namespaces and metadata, plus the values of vectors written after the
// snapshot; it does not rebuild the graph. A missing, stale or damaged
// snapshot only costs time: the graph is rebuilt in the background while
// queries are served exactly.
//
// # Compaction
//
// Deleting or rewriting a vector leaves a tombstone in the graph. Once
// tombstones outnumber the graph's live vectors (and number at least
// 1,024), the background builder rebuilds the graph from the live vectors
// beside the live one, with the index's locks held only to copy the
// vectors out (in chunks) and to swap the new graph in; queries and writes
// go on meanwhile (see [Store.rebuild]). A restart during a rebuild loads
// the last snapshot, which is still consistent, and rebuilds again.
//
// # Memory
//
// Per vector, in memory: 4×dimensions bytes of values (3 KiB at 768) in
// the write buffer or, for large indexes, in the graph together with about
// 4×(2M+1) ≈ 132 bytes of links (3,264 bytes per 768-dimension vector at
// M 16; see package index); about 120 bytes of bookkeeping (id, namespace,
// map entry); and its metadata twice: the compact JSON and the decoded form
// filters use (roughly 3–5× the JSON). While a graph is being built, the
// vectors not yet in it are held a second time; while one is rebuilt (see
// Compaction), its live vectors are held up to three times (the old graph,
// a copy, the new graph). Values returned by getByIds
// and returnValues are read from the file, exactly as they were written.
// So 1M vectors of 768 dimensions without metadata take about 3.4 GB.
//
// With [index.HNSWOptions].Quantize (Options.HNSW; `zerostack dev` sets it
// from ZEROSTACK_VECTORIZE_QUANTIZE=1) a graph keeps each vector as one
// signed byte per dimension and a scale: dimensions+4 bytes instead of
// 4×dimensions (about 0.9 KB per 768-dimension vector with its links, so
// 1M take about 1 GB). Its distances are then approximate, so a query takes
// 2×topK+10 candidates from the graph, rescores them exactly from the
// stored values and returns the best topK: scores stay exact, recall may
// drop a little.
package vectorizelocal

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/zerostack/zerostack/internal/sqlitedb"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/index"
)

// Interface guards.
var (
	_ vectorize.Store   = (*Store)(nil)
	_ vectorize.Indexes = (*Store)(nil)
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Logger receives diagnostics; default discards.
	Logger *slog.Logger
	// Sync is the durability level of the SQLite file (see sqlitedb).
	Sync sqlitedb.Sync
	// MaxVectors bounds the vectors of one index; inserts beyond it fail
	// with a *vectorize.Error (code vectorize.CodeIndexFull). Default
	// vectorize.DefaultMaxVectors (5,000,000).
	MaxVectors int
	// ExactThreshold is the candidate count below which filtered searches
	// are exact scans of the matching vectors; default 10,000.
	ExactThreshold int
	// HNSWThreshold is the vector count from which an index gets an HNSW
	// graph; default 10,000.
	HNSWThreshold int
	// HNSW tunes the graphs (zero fields take package index's defaults).
	HNSW index.HNSWOptions
	// DrainBatch is how many vectors the background builder adds to a
	// graph at a time (searches wait while it adds); default 128: a batch
	// of 512 held the graph 100-190 ms on 2 cores, 128 holds it a quarter
	// of that for the same total build time (BenchmarkUpsertStormQueryLatency:
	// longest query 383-779 ms with 512, 216-255 ms with 128, loaded machine).
	DrainBatch int
	// NoSnapshots turns off graph snapshots (every start rebuilds).
	NoSnapshots bool
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Store is the SQLite-backed vectorize.Store and vectorize.Indexes.
type Store struct {
	db   *sqlitedb.DB
	dir  string // snapshots live in dir/snapshots
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	indexes map[string]*vindex // loaded indexes by name
	closed  bool

	// compactMin is the tombstone count from which a graph is rebuilt
	// (when they also outnumber its live vectors); default 1,024, lowered
	// by tests.
	compactMin int
	// rebuildHook, when set (tests), runs in a rebuild after the live
	// vectors are copied and before the new graph is built; it must return
	// once stop is closed.
	rebuildHook func(name string, stop <-chan struct{})
}

// vindex is a loaded index.
//
// Vectors are written to buf (the write buffer, searched exactly). Small
// indexes live there entirely. From [Options.HNSWThreshold] vectors on,
// the index has an index.HNSW graph (main) and a background goroutine
// moves buffered vectors into it in batches, so inserts never wait for
// graph construction. A query searches main and buf and merges the
// results; a slot counts in exactly one of them (slot.inMain says which).
type vindex struct {
	mu     sync.RWMutex // guards everything below; writers hold it across their SQLite transaction
	info   vectorize.Index
	midx   []vectorize.MetadataIndex
	metric index.Metric
	main   index.Index // the graph (hnsw) once the index has one; else nil
	hnsw   *index.HNSW // main's concrete type
	buf    *wbuf       // written, not yet in main
	byID   map[string]uint32
	slots  []slot
	free   []uint32
	live   int
	tail   []uint32 // slots put into buf since main exists, in order (may hold stale entries)
	// retired are graph nodes whose slot was rewritten or deleted: the
	// drain goroutine deletes them from their graph (drainOnce), so that a
	// write never waits, holding mu, for the graph's lock while a drain
	// batch holds it (100-190 ms for 512 vectors here). Until then searches
	// skip them: their slot is no longer inMain.
	retired []retiredNode

	seq        int64 // sequence number of the last mutation (rows carry the seq that wrote them)
	snapSeq    int64 // seq the graph snapshot on disk reflects; 0 when none
	changed    int   // vectors written or deleted since the last snapshot
	compacted  bool  // the graph was rebuilt since the last snapshot
	mutation   string
	mutationMs int64
	deleted    bool
	stale      bool // dropped because another process changed the index

	kick chan struct{} // wakes the drain goroutine
	stop chan struct{} // closed to stop it
	done chan struct{} // closed when it stopped
}

// retiredNode is a graph node to delete: slot sl of graph g (an entry for
// a graph since replaced by a rebuild is dropped).
type retiredNode struct {
	g  *index.HNSW
	sl uint32
}

type slot struct {
	id     string // "" when free
	ns     string
	meta   map[string]any
	mjson  json.RawMessage
	gen    uint32 // bumped by every write to the slot
	inMain bool   // in main (else in buf)
}

const schema = `
CREATE TABLE IF NOT EXISTS vz_indexes (
	name TEXT PRIMARY KEY,
	description TEXT NOT NULL,
	dimensions INTEGER NOT NULL,
	metric TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	modified_ms INTEGER NOT NULL,
	mutation TEXT NOT NULL DEFAULT '',
	mutation_ms INTEGER NOT NULL DEFAULT 0,
	seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS vz_metadata_indexes (
	idx TEXT NOT NULL REFERENCES vz_indexes(name) ON DELETE CASCADE,
	property TEXT NOT NULL,
	type TEXT NOT NULL,
	PRIMARY KEY (idx, property)
);
CREATE TABLE IF NOT EXISTS vz_vectors (
	idx TEXT NOT NULL REFERENCES vz_indexes(name) ON DELETE CASCADE,
	id TEXT NOT NULL,
	slot INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	ns TEXT NOT NULL,
	meta BLOB,
	vals BLOB NOT NULL,
	PRIMARY KEY (idx, id)
);
`

// Open opens or creates the Vectorize database file at path; graph
// snapshots go in a snapshots directory next to it.
func Open(path string, opts Options) (*Store, error) {
	if err := createWithPageSize(path); err != nil {
		return nil, fmt.Errorf("vectorize open: %w", err)
	}
	db, err := sqlitedb.Open(path, &sqlitedb.Options{Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("vectorize open: %w", err)
	}
	if _, err := db.W.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("vectorize open: schema: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxVectors <= 0 {
		opts.MaxVectors = vectorize.DefaultMaxVectors
	}
	if opts.ExactThreshold <= 0 {
		opts.ExactThreshold = 10_000
	}
	if opts.HNSWThreshold <= 0 {
		opts.HNSWThreshold = 10_000
	}
	if opts.DrainBatch <= 0 {
		opts.DrainBatch = 128
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, dir: filepath.Dir(path), opts: opts, log: opts.Logger, indexes: map[string]*vindex{}, compactMin: 1024}, nil
}

// pageSize is the SQLite page size of a new Vectorize file. A vector row
// is about 4×dimensions bytes (3 KiB at 768), so with the default 4 KiB
// pages every row takes a page of its own and an insert of 1,000 vectors
// writes 1,000 pages; 64 KiB pages hold twenty rows each. Measured on the
// development machine (2 vCPUs, heavily loaded): 10,000 rows of 3 KiB in
// batches of 1,000 took 729 ms with 4 KiB pages, 297 ms with 16 KiB and
// 169 ms with 64 KiB.
const pageSize = 65536

// createWithPageSize creates the database file at path with pageSize
// pages if it does not exist yet (the page size of a WAL database is fixed
// when it is created; sqlitedb.Open then switches it to WAL).
func createWithPageSize(path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := sql.Open(sqlitedb.DriverName, path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return err
	}
	_, err = db.Exec(schema)
	return err
}

// Close stops the background graph builders, writes a snapshot of every
// loaded graph that changed since its last one, and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	loaded := s.indexes
	s.indexes = map[string]*vindex{}
	s.mu.Unlock()
	for _, vi := range loaded {
		vi.stopDrain()
		s.snapshot(vi)
	}
	return s.db.Close()
}

// DB returns the underlying database (for integrity checks and tools).
func (s *Store) DB() *sqlitedb.DB { return s.db }

func notFound(name string) error {
	return fmt.Errorf("%w: %q (create it with: zerostack vectorize create %s --dimensions N --metric cosine)", vectorize.ErrIndexNotFound, name, name)
}

// CreateIndex implements vectorize.Indexes.
func (s *Store) CreateIndex(ctx context.Context, name, description string, cfg vectorize.IndexConfig) (vectorize.Index, error) {
	if err := vectorize.ValidateIndexName(name); err != nil {
		return vectorize.Index{}, err
	}
	m, err := vectorize.ParseMetric(string(cfg.Metric))
	if err != nil {
		return vectorize.Index{}, fmt.Errorf("%w: %v", vectorize.ErrInvalid, err)
	}
	cfg.Metric = m
	if err := vectorize.ValidateIndexConfig(cfg); err != nil {
		return vectorize.Index{}, err
	}
	now := s.opts.Now().UTC().Truncate(time.Millisecond)
	res, err := s.db.W.ExecContext(ctx, `INSERT INTO vz_indexes (name, description, dimensions, metric, created_ms, modified_ms)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`, name, description, cfg.Dimensions, string(cfg.Metric), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return vectorize.Index{}, fmt.Errorf("vectorize create index: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vectorize.Index{}, fmt.Errorf("%w: %q", vectorize.ErrIndexExists, name)
	}
	return vectorize.Index{Name: name, Description: description, Config: cfg, CreatedOn: now, ModifiedOn: now}, nil
}

func (s *Store) readIndex(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (ix vectorize.Index, r indexRow, err error) {
	var metric string
	var created, modified int64
	err = q.QueryRowContext(ctx, `SELECT name, description, dimensions, metric, created_ms, modified_ms, mutation, mutation_ms, seq
		FROM vz_indexes WHERE name = ?`, name).Scan(&ix.Name, &ix.Description, &ix.Config.Dimensions, &metric, &created, &modified, &r.mutation, &r.mutationMs, &r.seq)
	if errors.Is(err, sql.ErrNoRows) {
		return ix, r, notFound(name)
	}
	if err != nil {
		return ix, r, fmt.Errorf("vectorize get index: %w", err)
	}
	ix.Config.Metric = vectorize.Metric(metric)
	ix.CreatedOn = time.UnixMilli(created).UTC()
	ix.ModifiedOn = time.UnixMilli(modified).UTC()
	return ix, r, nil
}

// indexRow is the mutable part of an index's record.
type indexRow struct {
	mutation   string
	mutationMs int64
	seq        int64
}

// GetIndex implements vectorize.Indexes.
func (s *Store) GetIndex(ctx context.Context, name string) (vectorize.Index, error) {
	ix, _, err := s.readIndex(ctx, s.db.R, name)
	return ix, err
}

// ListIndexes implements vectorize.Indexes.
func (s *Store) ListIndexes(ctx context.Context) ([]vectorize.Index, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT name FROM vz_indexes ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("vectorize list indexes: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("vectorize list indexes: %w", err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := make([]vectorize.Index, 0, len(names))
	for _, n := range names {
		ix, err := s.GetIndex(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, ix)
	}
	return out, nil
}

// DeleteIndex implements vectorize.Indexes.
func (s *Store) DeleteIndex(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM vz_vectors WHERE idx = ?`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM vz_metadata_indexes WHERE idx = ?`, name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM vz_indexes WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(name)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, vectorize.ErrIndexNotFound) {
			return err
		}
		return fmt.Errorf("vectorize delete index: %w", err)
	}
	if vi := s.indexes[name]; vi != nil {
		vi.stopDrain()
		vi.mu.Lock()
		vi.deleted = true
		vi.mu.Unlock()
		delete(s.indexes, name)
	}
	os.Remove(s.snapshotPath(name))
	return nil
}

// CreateMetadataIndex implements vectorize.Indexes.
func (s *Store) CreateMetadataIndex(ctx context.Context, name string, m vectorize.MetadataIndex) (vectorize.Mutation, error) {
	return retry(func() (vectorize.Mutation, error) { return s.createMetadataIndex(ctx, name, m) })
}

func (s *Store) createMetadataIndex(ctx context.Context, name string, m vectorize.MetadataIndex) (vectorize.Mutation, error) {
	if err := vectorize.ValidateMetadataIndex(m); err != nil {
		return vectorize.Mutation{}, err
	}
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	for _, x := range vi.midx {
		if x.PropertyName == m.PropertyName {
			return vectorize.Mutation{}, fmt.Errorf("%w: a metadata index on %q already exists (delete it first to change its type)", vectorize.ErrInvalid, m.PropertyName)
		}
	}
	if len(vi.midx) >= vectorize.MaxMetadataIndexes {
		return vectorize.Mutation{}, fmt.Errorf("%w: an index can have at most %d metadata indexes", vectorize.ErrInvalid, vectorize.MaxMetadataIndexes)
	}
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vz_metadata_indexes (idx, property, type) VALUES (?, ?, ?)`, name, m.PropertyName, string(m.IndexType))
		return err
	})
	if err != nil {
		return mut, err
	}
	vi.midx = append(vi.midx, m)
	sortMeta(vi.midx)
	return mut, nil
}

// ListMetadataIndexes implements vectorize.Indexes.
func (s *Store) ListMetadataIndexes(ctx context.Context, name string) ([]vectorize.MetadataIndex, error) {
	vi, err := s.load(ctx, name)
	if err != nil {
		return nil, err
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	return append([]vectorize.MetadataIndex{}, vi.midx...), nil
}

// DeleteMetadataIndex implements vectorize.Indexes.
func (s *Store) DeleteMetadataIndex(ctx context.Context, name, property string) (vectorize.Mutation, error) {
	return retry(func() (vectorize.Mutation, error) { return s.deleteMetadataIndex(ctx, name, property) })
}

func (s *Store) deleteMetadataIndex(ctx context.Context, name, property string) (vectorize.Mutation, error) {
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	at := -1
	for i, x := range vi.midx {
		if x.PropertyName == property {
			at = i
		}
	}
	if at < 0 {
		return vectorize.Mutation{}, fmt.Errorf("%w: index %q has no metadata index on %q", vectorize.ErrInvalid, name, property)
	}
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM vz_metadata_indexes WHERE idx = ? AND property = ?`, name, property)
		return err
	})
	if err != nil {
		return mut, err
	}
	vi.midx = append(vi.midx[:at], vi.midx[at+1:]...)
	return mut, nil
}

func sortMeta(m []vectorize.MetadataIndex) {
	for i := 1; i < len(m); i++ {
		for j := i; j > 0 && m[j].PropertyName < m[j-1].PropertyName; j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
}

// errStale reports that another process changed an index since this
// store loaded it; the operation is retried on a fresh load.
var errStale = errors.New("vectorize: index changed by another process")

// load returns the loaded index, reading it from the file on first use.
// Several processes may share the file (zerostack dev and the CLI): an
// index whose last mutation in the file is not the one this store made
// or loaded is reloaded.
func (s *Store) load(ctx context.Context, name string) (*vindex, error) {
	s.mu.Lock()
	vi, closed := s.indexes[name], s.closed
	s.mu.Unlock()
	if closed {
		return nil, errors.New("vectorize: store is closed")
	}
	if vi != nil {
		if s.current(ctx, vi) {
			return vi, nil
		}
		s.log.Info("vectorize: index changed by another process; reloading", "index", name)
		s.mu.Lock()
		if s.indexes[name] == vi {
			delete(s.indexes, name)
		}
		s.mu.Unlock()
		vi.stopDrain()
		vi.mu.Lock()
		vi.stale = true
		vi.mu.Unlock()
	}
	return s.loadIndex(ctx, name)
}

// current reports whether vi is what the file holds: its last mutation is
// the file's.
func (s *Store) current(ctx context.Context, vi *vindex) bool {
	vi.mu.RLock() // no write of this store is between its commit and vi's update
	defer vi.mu.RUnlock()
	if vi.deleted || vi.stale {
		return false
	}
	var m string
	err := s.db.R.QueryRowContext(ctx, `SELECT mutation FROM vz_indexes WHERE name = ?`, vi.info.Name).Scan(&m)
	return err == nil && m == vi.mutation
}

// loadIndex reads an index from the file.
func (s *Store) loadIndex(ctx context.Context, name string) (*vindex, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("vectorize: store is closed")
	}
	if vi := s.indexes[name]; vi != nil {
		return vi, nil
	}
	ix, row, err := s.readIndex(ctx, s.db.R, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m, err := index.ParseMetric(string(ix.Config.Metric))
	if err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	dim := ix.Config.Dimensions
	vi := &vindex{info: ix, metric: m, buf: newWbuf(dim, m), byID: map[string]uint32{},
		mutation: row.mutation, mutationMs: row.mutationMs, seq: row.seq}
	rows, err := s.db.R.QueryContext(ctx, `SELECT property, type FROM vz_metadata_indexes WHERE idx = ? ORDER BY property`, name)
	if err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	for rows.Next() {
		var mi vectorize.MetadataIndex
		var t string
		if err := rows.Scan(&mi.PropertyName, &t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("vectorize load %s: %w", name, err)
		}
		mi.IndexType = vectorize.MetadataType(t)
		vi.midx = append(vi.midx, mi)
	}
	rows.Close()
	// A graph snapshot saves rebuilding the graph: vectors written up to
	// its seq are in it, only later ones are read and go to the tail.
	snapSeq := int64(-1)
	if g, seq, ok := s.readSnapshot(ix, m, row.seq); ok {
		g.SetAutoCompact(false) // rebuilt by the drain goroutine, not by the deletes below
		vi.main, vi.hnsw, vi.snapSeq, snapSeq = g, g, seq, seq
	}
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, slot, seq, ns, meta, CASE WHEN seq > ? THEN vals END FROM vz_vectors WHERE idx = ?`, snapSeq, name)
	if err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	defer rows.Close()
	buf := make([]float32, dim)
	for rows.Next() {
		var id, ns string
		var sl uint32
		var seq int64
		var meta, vals []byte
		if err := rows.Scan(&id, &sl, &seq, &ns, &meta, &vals); err != nil {
			return nil, fmt.Errorf("vectorize load %s: %w", name, err)
		}
		md, err := vectorize.DecodeMetadata(meta)
		if err != nil {
			return nil, fmt.Errorf("vectorize load %s: vector %q: %w", name, id, err)
		}
		for int(sl) >= len(vi.slots) {
			vi.slots = append(vi.slots, slot{})
		}
		var mj json.RawMessage
		if len(meta) > 0 {
			mj = json.RawMessage(meta)
		}
		vi.slots[sl] = slot{id: id, ns: ns, meta: md, mjson: mj}
		vi.byID[id] = sl
		vi.live++
		if seq <= snapSeq {
			vi.slots[sl].inMain = true
			continue
		}
		if err := decodeValues(vals, buf); err != nil {
			return nil, fmt.Errorf("vectorize load %s: vector %q: %w", name, id, err)
		}
		vi.buf.Add(sl, buf)
		if vi.hnsw != nil {
			vi.hnsw.Delete(sl) // an older version may be in the snapshot
			vi.tail = append(vi.tail, sl)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	for sl := range vi.slots {
		if vi.slots[sl].id == "" {
			vi.free = append(vi.free, uint32(sl))
			if vi.hnsw != nil {
				vi.hnsw.Delete(uint32(sl)) // deleted after the snapshot
			}
		}
	}
	if vi.hnsw != nil {
		// Slots beyond the last live one that the snapshot still holds.
		for sl := len(vi.slots); sl < len(vi.slots)+vi.hnsw.Len(); sl++ {
			vi.hnsw.Delete(uint32(sl))
		}
	}
	s.startDrain(vi)
	if vi.hnsw == nil && vi.live >= s.opts.HNSWThreshold {
		vi.grow(s.opts.HNSW)
	}
	if len(vi.tail) > 0 || vi.hnsw != nil {
		vi.wake() // drain the tail; compact a snapshot's graph if due
	}
	s.log.Info("vectorize index loaded", "index", name, "vectors", vi.live, "fromSnapshot", snapSeq >= 0, "took", time.Since(start).Round(time.Millisecond))
	s.indexes[name] = vi
	return vi, nil
}

// grow gives a small index its graph: the drain goroutine moves every
// buffered vector into it. The caller holds vi.mu for writing (or owns vi).
func (vi *vindex) grow(o index.HNSWOptions) {
	g := index.NewHNSW(vi.info.Config.Dimensions, vi.metric, o)
	g.SetAutoCompact(false) // the drain goroutine rebuilds it (Store.rebuild)
	vi.tail = vi.tail[:0]
	for sl := range vi.slots {
		if vi.slots[sl].id != "" {
			vi.tail = append(vi.tail, uint32(sl))
		}
	}
	vi.main, vi.hnsw = g, g
	vi.wake()
}

func (vi *vindex) wake() {
	select {
	case vi.kick <- struct{}{}:
	default:
	}
}

// planSlots returns the slot each vector of batch will take: its current
// one, else a free one, else a new one. It changes nothing.
func (vi *vindex) planSlots(batch []vectorize.Vector) []uint32 {
	out := make([]uint32, len(batch))
	free := len(vi.free)
	next := uint32(len(vi.slots))
	for i, v := range batch {
		if sl, ok := vi.byID[v.ID]; ok {
			out[i] = sl
		} else if free > 0 {
			free--
			out[i] = vi.free[free]
		} else {
			out[i] = next
			next++
		}
	}
	return out
}

// put stores v in memory at slot sl (as planned by planSlots, in order).
// The caller holds vi.mu for writing.
func (vi *vindex) put(v vectorize.Vector, sl uint32) error {
	meta, err := vectorize.DecodeMetadata(v.Metadata)
	if err != nil {
		return err
	}
	if _, ok := vi.byID[v.ID]; !ok {
		if n := len(vi.free); n > 0 && vi.free[n-1] == sl {
			vi.free = vi.free[:n-1]
		}
		for int(sl) >= len(vi.slots) {
			vi.slots = append(vi.slots, slot{})
		}
		vi.byID[v.ID] = sl
		vi.live++
	}
	st := &vi.slots[sl]
	if st.inMain {
		vi.retire(sl)
	}
	*st = slot{id: v.ID, ns: v.Namespace, meta: meta, mjson: v.Metadata, gen: st.gen + 1}
	vi.buf.Add(sl, v.Values)
	if vi.main != nil {
		vi.tail = append(vi.tail, sl)
	}
	vi.changed++
	return nil
}

func (vi *vindex) remove(id string) bool {
	sl, ok := vi.byID[id]
	if !ok {
		return false
	}
	delete(vi.byID, id)
	st := &vi.slots[sl]
	if st.inMain {
		vi.retire(sl)
	} else {
		vi.buf.Delete(sl)
	}
	*st = slot{gen: st.gen + 1}
	vi.free = append(vi.free, sl)
	vi.live--
	vi.changed++
	return true
}

// retire queues the graph node of slot sl, which is in main, for deletion
// by the drain goroutine; the caller holds mu for writing and is about to
// clear the slot's inMain.
func (vi *vindex) retire(sl uint32) {
	vi.retired = append(vi.retired, retiredNode{vi.hnsw, sl})
	vi.wake()
}

// startDrain starts vi's background graph builder.
func (s *Store) startDrain(vi *vindex) {
	vi.kick = make(chan struct{}, 1)
	vi.stop = make(chan struct{})
	vi.done = make(chan struct{})
	go s.drainLoop(vi)
}

func (vi *vindex) stopDrain() {
	if vi.stop == nil {
		return
	}
	select {
	case <-vi.stop:
	default:
		close(vi.stop)
	}
	<-vi.done
}

// drainLoop moves tail vectors into the graph, DrainBatch at a time,
// rebuilds the graph without its tombstones when they are due (between two
// batches: [Store.rebuild]), and snapshots the graph when the tail is
// empty and enough has changed (or it was rebuilt).
func (s *Store) drainLoop(vi *vindex) {
	defer close(vi.done)
	rebuildFailed := false // logged; not retried while vi is loaded
	backlog := 0           // tail entries to drain before the next rebuild (see Store.rebuild)
	for {
		select {
		case <-vi.kick:
		case <-vi.stop:
			return
		}
		for {
			select {
			case <-vi.stop:
				return
			default:
			}
			if !rebuildFailed && backlog <= 0 && s.compactDue(vi) {
				var ok bool
				backlog, ok = s.rebuild(vi)
				rebuildFailed = !ok
				continue // the stop check, then drain what was written meanwhile
			}
			n, err := s.drainOnce(vi)
			if err != nil {
				s.log.Error("vectorize: graph build", "index", vi.info.Name, "err", err)
				break
			}
			backlog -= n
			if n == 0 {
				if backlog > 0 {
					backlog = 0
					continue // the tail is drained: a rebuild may be due again
				}
				vi.mu.RLock()
				due := vi.hnsw != nil && (vi.compacted || vi.changed >= max(10_000, vi.live/10))
				vi.mu.RUnlock()
				if due {
					s.snapshot(vi)
				}
				break
			}
		}
	}
}

// drainOnce moves up to DrainBatch tail vectors into the graph and returns
// how many it took from the tail.
func (s *Store) drainOnce(vi *vindex) (int, error) {
	vi.mu.Lock()
	if vi.deleted || vi.main == nil {
		vi.mu.Unlock()
		return 0, nil
	}
	g := vi.hnsw
	dim := vi.info.Config.Dimensions
	var ids []uint32
	var gens []uint32
	vecs := make([]float32, 0, s.opts.DrainBatch*dim)
	taken := 0
	seen := map[uint32]bool{}
	for taken < len(vi.tail) && len(ids) < s.opts.DrainBatch {
		sl := vi.tail[taken]
		taken++
		st := &vi.slots[sl]
		if st.id == "" || st.inMain || seen[sl] {
			continue
		}
		v, ok := vi.buf.Vector(sl)
		if !ok {
			continue
		}
		seen[sl] = true
		ids = append(ids, sl)
		gens = append(gens, st.gen)
		vecs = append(vecs, v...)
	}
	vi.tail = vi.tail[taken:]
	if len(vi.tail) == 0 {
		vi.tail = nil // let the backing array go
	}
	retired := vi.retired
	vi.retired = nil
	vi.mu.Unlock()
	// Retired nodes go first: a slot in this batch may be the retired one,
	// reused.
	for _, r := range retired {
		if r.g == g {
			g.Delete(r.sl)
		}
	}
	if len(ids) == 0 {
		return taken, nil
	}
	// Searches skip these slots in the graph until they are marked inMain
	// below; until then the tail still serves them.
	// One worker: inserts built in parallel can leave a node that no other
	// links to (two new neighbours linking only each other while the rest
	// of the graph does not see them yet), and a graph must find every live
	// vector. A churn probe of 8-dimension vectors in batches of 5 missed
	// 811 of 616,628 lookups with two workers and none with one. The drain
	// runs in the background, so only the graph's catch-up time doubles.
	if err := g.AddBatch(ids, vecs, 1); err != nil {
		return taken, err
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	for i, sl := range ids {
		st := &vi.slots[sl]
		if st.gen == gens[i] && st.id != "" && vi.hnsw == g {
			vi.buf.Delete(sl)
			st.inMain = true
		} else {
			g.Delete(sl) // rewritten or deleted meanwhile: this copy is stale
		}
	}
	return taken, nil
}

// compactDue reports whether vi's graph has enough tombstones to rebuild:
// at least Store.compactMin, and more than its live vectors (the rule
// package index applies to its own, in-lock, rebuild; the cost of a
// rebuild is then spread over as many deletes as it keeps vectors).
func (s *Store) compactDue(vi *vindex) bool {
	vi.mu.RLock()
	g, gone := vi.hnsw, vi.deleted || vi.stale
	vi.mu.RUnlock()
	if g == nil || gone {
		return false
	}
	dead := g.Tombstones()
	return dead >= s.compactMin && dead > g.Len()
}

// rebuildBatch is how many vectors a rebuild adds to the new graph between
// checks for Close (about 0.1-0.5 s of work at 768 dimensions).
const rebuildBatch = 512

// rebuild replaces vi's graph with one built from its live vectors, without
// holding vi's lock while it builds, so that queries and writes go on.
//
// Design: the rebuild runs on vi's drain goroutine, between two drain
// batches. That goroutine is the only one that moves vectors into the
// graph (marks slots inMain), so while it rebuilds the set of slots in
// the graph can only shrink: a write meanwhile deletes the slot's old copy
// from the graph (which is still the live one and serves queries), bumps
// its gen and puts the new vector in the write buffer and the tail, where
// queries find it exactly, and a delete removes it. Nothing new is
// drained until the swap, so the swap needs no change log: the write
// buffer is it. Steps:
//
//  1. Copy: under vi's read lock, in chunks of slots (writers wait at most
//     one chunk's copy), record every inMain slot with its gen and append
//     its vector from the graph (decoded, for a quantized graph, as
//     package index's own rebuild does).
//  2. Build: a new graph with the same options, one worker (parallel
//     inserts can orphan a node; this is off the request path), in
//     batches of rebuildBatch with a check for Close between them: Close
//     (and a reload) abandons the rebuild, and the live graph stays as it
//     was. No lock of vi is held.
//  3. Swap, under vi's write lock: every copied slot whose gen changed (or
//     that is no longer inMain) is deleted from the new graph (a tombstone
//     there, so no deleted or replaced vector comes back); the slots still
//     inMain must then be exactly the new graph's vectors, else the old
//     graph is kept and the mismatch logged. The new graph replaces the
//     old one and the tail drains into it.
//
// A snapshot on disk stays consistent throughout: it reflects the old
// graph at its seq, and a restart applies later writes from SQLite (and
// rebuilds again if due). After a swap the next drained state is
// snapshotted (vi.compacted), so a restart does not load the tombstones.
//
// It reports false when the rebuild failed (logged) and should not be
// retried; an abandoned one (Close, reload) reports true. backlog is the
// tail's length at the swap (the writes made during the rebuild): the
// drain loop moves that much into the new graph before it considers
// another rebuild, so that during a long storm of writes, whose copies a
// rebuild finds already replaced at its swap, the graph still catches up
// between rebuilds.
func (s *Store) rebuild(vi *vindex) (backlog int, ok bool) {
	start := time.Now()
	vi.mu.RLock()
	g, n := vi.hnsw, len(vi.slots)
	vi.mu.RUnlock()
	if g == nil {
		return 0, true
	}
	dim := vi.info.Config.Dimensions
	dead := g.Tombstones()
	slots := make([]uint32, 0, g.Len())
	gens := make([]uint32, 0, g.Len())
	vecs := make([]float32, 0, g.Len()*dim)
	const copyChunk = 4096
	for lo := 0; lo < n; lo += copyChunk {
		if stopping(vi) {
			return 0, true
		}
		vi.mu.RLock()
		if vi.hnsw != g || vi.deleted || vi.stale {
			vi.mu.RUnlock()
			return 0, true
		}
		for sl := lo; sl < min(lo+copyChunk, n); sl++ {
			st := &vi.slots[sl]
			if !st.inMain {
				continue
			}
			var ok bool
			if vecs, ok = g.AppendVector(vecs, uint32(sl)); ok {
				slots = append(slots, uint32(sl))
				gens = append(gens, st.gen)
			}
		}
		vi.mu.RUnlock()
	}
	if s.rebuildHook != nil {
		s.rebuildHook(vi.info.Name, vi.stop)
	}
	g2 := index.NewHNSW(dim, vi.metric, g.Options())
	g2.SetAutoCompact(false)
	g2.Grow(len(slots))
	for i := 0; i < len(slots); i += rebuildBatch {
		if stopping(vi) {
			return 0, true
		}
		j := min(i+rebuildBatch, len(slots))
		if err := g2.AddBatch(slots[i:j], vecs[i*dim:j*dim], 1); err != nil {
			s.log.Error("vectorize: graph rebuild", "index", vi.info.Name, "err", err)
			return 0, false
		}
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	if vi.hnsw != g || vi.deleted || vi.stale {
		return 0, true
	}
	lockStart := time.Now()
	for i, sl := range slots {
		if st := &vi.slots[sl]; !st.inMain || st.gen != gens[i] {
			g2.Delete(sl) // rewritten or deleted during the rebuild
		}
	}
	inMain := 0
	for sl := range vi.slots {
		if vi.slots[sl].inMain {
			inMain++
		}
	}
	if inMain != g2.Len() {
		// Cannot happen while only this goroutine marks slots inMain;
		// keeping the old graph is safe either way.
		s.log.Error("vectorize: graph rebuild discarded: it does not hold the indexed vectors", "index", vi.info.Name, "graph", g2.Len(), "want", inMain)
		return 0, false
	}
	vi.main, vi.hnsw = g2, g2
	vi.compacted = true
	s.log.Info("vectorize: graph rebuilt without its deleted vectors", "index", vi.info.Name, "vectors", g2.Len(), "dropped", dead,
		"took", time.Since(start).Round(time.Millisecond), "swap", time.Since(lockStart).Round(time.Microsecond))
	return len(vi.tail), true
}

// stopping reports whether vi's drain goroutine has been told to stop.
func stopping(vi *vindex) bool {
	select {
	case <-vi.stop:
		return true
	default:
		return false
	}
}

// snapshotPath is where an index's graph snapshot lives.
func (s *Store) snapshotPath(name string) string {
	return filepath.Join(s.dir, "snapshots", name+".hnsw")
}

// snapshotMagic starts a snapshot file; then come the mutation seq it
// reflects and the index's creation time in milliseconds (so that a
// snapshot left behind by a deleted index of the same name is never taken
// for the new one's), each a little-endian uint64, then the graph.
var snapshotMagic = [8]byte{'Z', 'S', 'V', 'Z', 'S', 'N', 'P', '2'}

// snapshot writes vi's graph when it holds every vector (empty tail) and
// changed since the last snapshot. Writes wait while it runs; queries do
// not. Failures are logged: a snapshot only saves time at the next start.
func (s *Store) snapshot(vi *vindex) {
	if s.opts.NoSnapshots {
		return
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	if vi.hnsw == nil || vi.deleted || vi.seq == vi.snapSeq && !vi.compacted {
		return
	}
	if vi.buf.Len() > 0 {
		return // not complete yet
	}
	start := time.Now()
	path := s.snapshotPath(vi.info.Name)
	err := func() error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w := bufio.NewWriterSize(f, 1<<20)
		var hdr [24]byte
		copy(hdr[:8], snapshotMagic[:])
		binary.LittleEndian.PutUint64(hdr[8:], uint64(vi.seq))
		binary.LittleEndian.PutUint64(hdr[16:], uint64(vi.info.CreatedOn.UnixMilli()))
		if _, err := w.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := vi.hnsw.WriteTo(w); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(f.Name(), path)
	}()
	if err != nil {
		s.log.Warn("vectorize: graph snapshot not written (the next start rebuilds the graph)", "index", vi.info.Name, "err", err)
		return
	}
	vi.snapSeq = vi.seq
	vi.changed = 0
	vi.compacted = false
	s.log.Debug("vectorize: graph snapshot written", "index", vi.info.Name, "vectors", vi.live, "took", time.Since(start).Round(time.Millisecond))
}

// readSnapshot loads an index's graph snapshot if it is usable: readable,
// of the index's shape, and not newer than the file (seq ≤ the index's).
func (s *Store) readSnapshot(ix vectorize.Index, m index.Metric, seq int64) (*index.HNSW, int64, bool) {
	name, dim := ix.Name, ix.Config.Dimensions
	if s.opts.NoSnapshots {
		return nil, 0, false
	}
	f, err := os.Open(s.snapshotPath(name))
	if err != nil {
		return nil, 0, false
	}
	defer f.Close()
	// ReadHNSW is given the file itself (positioned after our header) so
	// that it can size its arrays from the file and allocate each once.
	var hdr [24]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || [8]byte(hdr[:8]) != snapshotMagic {
		s.log.Warn("vectorize: ignoring a damaged graph snapshot", "index", name)
		return nil, 0, false
	}
	snap := int64(binary.LittleEndian.Uint64(hdr[8:16]))
	if int64(binary.LittleEndian.Uint64(hdr[16:])) != ix.CreatedOn.UnixMilli() {
		s.log.Warn("vectorize: ignoring a graph snapshot of an earlier index with the same name", "index", name)
		return nil, 0, false
	}
	if snap > seq {
		s.log.Warn("vectorize: ignoring a graph snapshot newer than the data", "index", name)
		return nil, 0, false
	}
	g, err := index.ReadHNSW(f)
	if err != nil || g.Dim() != dim || g.Metric() != m {
		s.log.Warn("vectorize: ignoring an unusable graph snapshot", "index", name, "err", err)
		return nil, 0, false
	}
	return g, snap, true
}

// mutate runs fn with the next sequence number and records a new mutation
// id in one transaction. The caller holds vi.mu for writing.
func (s *Store) mutate(ctx context.Context, vi *vindex, fn func(tx *sql.Tx, seq int64) error) (vectorize.Mutation, error) {
	if vi.deleted {
		return vectorize.Mutation{}, notFound(vi.info.Name)
	}
	if vi.stale {
		return vectorize.Mutation{}, errStale
	}
	id := newMutationID()
	now := s.opts.Now().UnixMilli()
	seq := vi.seq + 1
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		// The write lock is held: make sure no other process wrote since
		// vi was loaded (slots are assigned from vi's view).
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT mutation FROM vz_indexes WHERE name = ?`, vi.info.Name).Scan(&cur); errors.Is(err, sql.ErrNoRows) {
			return notFound(vi.info.Name)
		} else if err != nil {
			return err
		}
		if cur != vi.mutation {
			return errStale
		}
		if err := fn(tx, seq); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE vz_indexes SET mutation = ?, mutation_ms = ?, modified_ms = ?, seq = ? WHERE name = ?`, id, now, now, seq, vi.info.Name)
		return err
	})
	if err != nil {
		if errors.Is(err, vectorize.ErrInvalid) || errors.Is(err, vectorize.ErrTooManyVectors) || errors.Is(err, vectorize.ErrIndexNotFound) || errors.Is(err, errStale) {
			return vectorize.Mutation{}, err
		}
		return vectorize.Mutation{}, fmt.Errorf("vectorize write: %w", err)
	}
	vi.mutation, vi.mutationMs, vi.seq = id, now, seq
	return vectorize.Mutation{MutationID: id}, nil
}

func newMutationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// littleEndian is true on little-endian machines, where float32 slices
// are already in the file's byte order.
var littleEndian = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

// encodeValues returns v as little-endian float32 bytes. On little-endian
// machines the result aliases v (SQLite copies it when binding).
func encodeValues(v []float32) []byte {
	if littleEndian && len(v) > 0 {
		return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeValues(b []byte, dst []float32) error {
	if len(b) != 4*len(dst) {
		return fmt.Errorf("stored values have %d bytes, want %d", len(b), 4*len(dst))
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return nil
}

// Insert implements vectorize.Store.
func (s *Store) Insert(ctx context.Context, name string, vs []vectorize.Vector) (vectorize.Mutation, error) {
	return retry(func() (vectorize.Mutation, error) { return s.write(ctx, name, vs, false) })
}

// Upsert implements vectorize.Store.
func (s *Store) Upsert(ctx context.Context, name string, vs []vectorize.Vector) (vectorize.Mutation, error) {
	return retry(func() (vectorize.Mutation, error) { return s.write(ctx, name, vs, true) })
}

// retry runs a mutation again (on a reloaded index) when another process
// changed the index since it was loaded.
func retry(f func() (vectorize.Mutation, error)) (vectorize.Mutation, error) {
	for i := 0; ; i++ {
		m, err := f()
		if !errors.Is(err, errStale) || i == 3 {
			return m, err
		}
	}
}

func (s *Store) write(ctx context.Context, name string, vs []vectorize.Vector, upsert bool) (vectorize.Mutation, error) {
	op := vectorize.OpVectorInsert
	if upsert {
		op = vectorize.OpVectorUpsert
	}
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	vs = append([]vectorize.Vector(nil), vs...) // ValidateVectors compacts metadata in place
	if err := vectorize.ValidateVectors(op, vi.info.Config.Dimensions, vs); err != nil {
		return vectorize.Mutation{}, err
	}
	// Deduplicate within the call: insert keeps the first, upsert the last.
	pos := make(map[string]int, len(vs))
	batch := vs[:0:0]
	for _, v := range vs {
		if i, ok := pos[v.ID]; ok {
			if upsert {
				batch[i] = v
			}
			continue
		}
		pos[v.ID] = len(batch)
		batch = append(batch, v)
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	if !upsert {
		kept := batch[:0]
		for _, v := range batch {
			if _, ok := vi.byID[v.ID]; !ok {
				kept = append(kept, v)
			}
		}
		batch = kept
	}
	added := 0
	for _, v := range batch {
		if _, ok := vi.byID[v.ID]; !ok {
			added++
		}
	}
	if vi.live+added > s.opts.MaxVectors {
		return vectorize.Mutation{}, &vectorize.Error{Op: op, Code: vectorize.CodeIndexFull,
			Message: fmt.Sprintf("index %q would hold %d vectors, more than its limit of %d (raise the limit with %s, or delete vectors first)", name, vi.live+added, s.opts.MaxVectors, "ZEROSTACK_VECTORIZE_MAX_VECTORS")}
	}
	slots := vi.planSlots(batch)
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx, seq int64) error {
		if len(batch) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO vz_vectors (idx, id, slot, seq, ns, meta, vals) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (idx, id) DO UPDATE SET slot = excluded.slot, seq = excluded.seq, ns = excluded.ns, meta = excluded.meta, vals = excluded.vals`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, v := range batch {
			var meta any
			if v.Metadata != nil {
				meta = []byte(v.Metadata)
			}
			if _, err := stmt.ExecContext(ctx, name, v.ID, slots[i], seq, v.Namespace, meta, encodeValues(v.Values)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return mut, err
	}
	for i, v := range batch {
		if err := vi.put(v, slots[i]); err != nil {
			// Validated above; a failure here means memory and file disagree.
			s.log.Error("vectorize: in-memory index update failed; restart to reload the index", "index", name, "err", err)
		}
	}
	if vi.hnsw == nil && vi.live >= s.opts.HNSWThreshold {
		vi.grow(s.opts.HNSW)
		s.log.Info("vectorize: building a graph index in the background", "index", name, "vectors", vi.live)
	} else if len(batch) > 0 {
		vi.wake()
	}
	mut.Count = len(batch)
	mut.IDs = make([]string, len(batch))
	for i, v := range batch {
		mut.IDs[i] = v.ID
	}
	return mut, nil
}

// DeleteByIDs implements vectorize.Store.
func (s *Store) DeleteByIDs(ctx context.Context, name string, ids []string) (vectorize.Mutation, error) {
	return retry(func() (vectorize.Mutation, error) { return s.deleteByIDs(ctx, name, ids) })
}

func (s *Store) deleteByIDs(ctx context.Context, name string, ids []string) (vectorize.Mutation, error) {
	if err := vectorize.ValidateIDs(vectorize.OpVectorDelete, ids); err != nil {
		return vectorize.Mutation{}, err
	}
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx, _ int64) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM vz_vectors WHERE idx = ? AND id = ?`, name, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return mut, err
	}
	for _, id := range ids {
		if vi.remove(id) {
			mut.Count++
			mut.IDs = append(mut.IDs, id)
		}
	}
	if mut.Count > 0 && vi.hnsw != nil {
		vi.wake() // the graph may be due for a rebuild
	}
	return mut, nil
}

// GetByIDs implements vectorize.Store.
func (s *Store) GetByIDs(ctx context.Context, name string, ids []string) ([]vectorize.Vector, error) {
	if err := vectorize.ValidateIDs(vectorize.OpVectorGet, ids); err != nil {
		return nil, err
	}
	vi, err := s.load(ctx, name)
	if err != nil {
		return nil, err
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	out := make([]vectorize.Vector, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		sl, ok := vi.byID[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		vals, err := s.values(ctx, name, id, vi.info.Config.Dimensions)
		if err != nil {
			return nil, err
		}
		st := vi.slots[sl]
		out = append(out, vectorize.Vector{ID: id, Values: vals, Namespace: st.ns, Metadata: st.mjson})
	}
	return out, nil
}

// values reads a vector's stored values.
func (s *Store) values(ctx context.Context, name, id string, dim int) ([]float32, error) {
	var b []byte
	if err := s.db.R.QueryRowContext(ctx, `SELECT vals FROM vz_vectors WHERE idx = ? AND id = ?`, name, id).Scan(&b); err != nil {
		return nil, fmt.Errorf("vectorize get %q: %w", id, err)
	}
	out := make([]float32, dim)
	if err := decodeValues(b, out); err != nil {
		return nil, fmt.Errorf("vectorize get %q: %w", id, err)
	}
	return out, nil
}

// Describe implements vectorize.Store.
func (s *Store) Describe(ctx context.Context, name string) (vectorize.Info, error) {
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Info{}, err
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	return vectorize.Info{Dimensions: vi.info.Config.Dimensions, VectorCount: vi.live,
		ProcessedUpToDatetime: vi.mutationMs, ProcessedUpToMutation: vi.mutation}, nil
}

// Query implements vectorize.Store.
func (s *Store) Query(ctx context.Context, name string, q vectorize.Query) (vectorize.Matches, error) {
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Matches{}, err
	}
	dim := vi.info.Config.Dimensions
	if err := vectorize.NormalizeQuery(dim, &q); err != nil {
		return vectorize.Matches{}, err
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	if q.Vector == nil {
		if _, ok := vi.byID[q.VectorID]; !ok {
			return vectorize.Matches{Matches: []vectorize.Match{}}, nil
		}
		if q.Vector, err = s.values(ctx, name, q.VectorID, dim); err != nil {
			return vectorize.Matches{}, err
		}
	}
	quantized := vi.hnsw != nil && vi.hnsw.Options().Quantize
	sq := q
	if quantized {
		sq.TopK = 2*q.TopK + 10 // candidates to rerank
	}
	res := s.search(vi, sq)
	if quantized {
		// A quantized graph's distances are approximate: give the
		// candidates their exact scores from the stored values, and keep
		// the best topK in exact order.
		for i := range res {
			if vi.slots[res[i].ID].inMain {
				v, err := s.values(ctx, name, vi.slots[res[i].ID].id, dim)
				if err != nil {
					return vectorize.Matches{}, err
				}
				res[i].Score = vectorize.Score(vi.info.Config.Metric, q.Vector, v)
			}
		}
		sort.SliceStable(res, func(i, j int) bool { return vi.metric.Better(res[i].Score, res[j].Score) })
		res = res[:min(len(res), q.TopK)]
	}
	out := vectorize.Matches{Count: len(res), Matches: make([]vectorize.Match, len(res))}
	for i, r := range res {
		st := vi.slots[r.ID]
		score := r.Score
		if vi.metric == index.Cosine {
			// Rounding can take a similarity a hair past ±1; Cloudflare's
			// cosine scores stay within [-1, 1].
			score = max(-1, min(1, score))
		}
		m := vectorize.Match{ID: st.id, Score: score, Namespace: st.ns}
		switch q.ReturnMetadata {
		case vectorize.MetadataAll:
			m.Metadata = st.mjson
		case vectorize.MetadataIndexed:
			m.Metadata = vectorize.IndexedMetadata(st.meta, vi.midx)
		}
		if q.ReturnValues {
			if m.Values, err = s.values(ctx, name, st.id, dim); err != nil {
				return vectorize.Matches{}, err
			}
		}
		out.Matches[i] = m
	}
	return out, nil
}

// search runs q (validated, with its vector) under vi's read lock.
func (s *Store) search(vi *vindex, q vectorize.Query) []index.Result {
	filtered := q.Filter != nil || q.Namespace != ""
	match := func(st *slot) bool {
		return st.id != "" && (q.Namespace == "" || st.ns == q.Namespace) && q.Filter.Match(st.meta)
	}
	// A slot counts in main only once it is marked inMain (vectors being
	// moved are still served by the buffer).
	inMain := func(sl uint32) bool {
		st := &vi.slots[sl]
		return st.inMain && (!filtered || match(st))
	}
	var inBuf func(uint32) bool
	if filtered {
		inBuf = func(sl uint32) bool { return match(&vi.slots[sl]) }
	}
	if vi.main == nil {
		return vi.buf.Search(q.Vector, q.TopK, inBuf)
	}
	exact := func() []index.Result {
		var main, buf []uint32
		for sl := range vi.slots {
			st := &vi.slots[sl]
			if !match(st) {
				continue
			}
			if st.inMain {
				main = append(main, uint32(sl))
			} else {
				buf = append(buf, uint32(sl))
			}
		}
		return merge(vi.metric, q.TopK, vi.main.SearchIn(q.Vector, q.TopK, main), vi.buf.SearchIn(q.Vector, q.TopK, buf))
	}
	if filtered && vi.selective(func(sl uint32) bool { return match(&vi.slots[sl]) }, s.opts.ExactThreshold) {
		return exact()
	}
	res := merge(vi.metric, q.TopK, vi.main.Search(q.Vector, q.TopK, inMain), vi.buf.Search(q.Vector, q.TopK, inBuf))
	if len(res) < q.TopK && (filtered || len(res) < vi.live) {
		// Fewer than topK found (a selective filter, or vectors the graph
		// did not reach): make sure by an exact scan of every match.
		if all := exact(); len(all) > len(res) {
			return all
		}
	}
	return res
}

// merge returns the best k of two result lists, each sorted best first.
func merge(m index.Metric, k int, a, b []index.Result) []index.Result {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]index.Result, 0, min(k, len(a)+len(b)))
	for len(out) < k && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || len(a) > 0 && (m.Better(a[0].Score, b[0].Score) || a[0].Score == b[0].Score && a[0].ID < b[0].ID) {
			out = append(out, a[0])
			a = a[1:]
		} else {
			out = append(out, b[0])
			b = b[1:]
		}
	}
	return out
}

// selective estimates, from a sample of slots, whether fewer than limit
// vectors pass accept.
func (vi *vindex) selective(accept func(uint32) bool, limit int) bool {
	n := len(vi.slots)
	const sample = 512
	if n <= sample {
		return true
	}
	step := n / sample
	hits := 0
	for i := 0; i < sample; i++ {
		// Spread the sample across the slots with a scrambled offset.
		sl := uint32((uint64(i)*uint64(step) + uint64(bits.RotateLeft32(uint32(i)*2654435761, 7))%uint64(step)) % uint64(n))
		if accept(sl) {
			hits++
		}
	}
	return hits*n/sample < limit
}

// Loaded reports the names of the indexes held in memory (for diagnostics).
func (s *Store) Loaded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.indexes {
		out = append(out, n)
	}
	return out
}
