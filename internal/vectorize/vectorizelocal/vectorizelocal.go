// Package vectorizelocal is the embedded backend of zerostack's Vectorize
// service (Cloudflare Vectorize): every index's vectors, namespaces and
// metadata live in one SQLite file (the source of truth, written before a
// call returns), and each index is searched through an in-memory
// nearest-neighbour index from package index, built from the file when the
// index is first used.
//
// # Durability
//
// A mutation commits its SQLite transaction (WAL, synchronous=NORMAL; see
// package sqlitedb) before it returns, and only then changes the in-memory
// index. An acknowledged vector therefore survives SIGKILL; on the next use
// the in-memory index is rebuilt from the file.
//
// # Search
//
// Indexes of fewer than [Options.ExactThreshold] vectors (default 10,000)
// are searched exactly ([index.Flat]). Namespaces and metadata filters are
// applied during the search through the index's accept callback, so topK
// matches come back whenever topK vectors match. When a filter is selective
// (a sample says fewer than ExactThreshold vectors match), the matching
// vectors are collected first and searched exactly ([index.Index.SearchIn]).
//
// # Memory
//
// Per vector, in memory: 4×dimensions bytes in the index (a 768-dimension
// vector takes 3 KiB), about 120 bytes of bookkeeping (id, namespace, map
// entry), and its metadata twice: the compact JSON and the decoded form
// used by filters (roughly 3–5× the JSON). Values returned by getByIds and
// returnValues are read from the file, exactly as they were written.
package vectorizelocal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"sync"
	"time"

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
	// with an error wrapping vectorize.ErrTooManyVectors. Default
	// vectorize.DefaultMaxVectors (5,000,000).
	MaxVectors int
	// ExactThreshold is the candidate count below which searches are exact
	// scans; default 10,000.
	ExactThreshold int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Store is the SQLite-backed vectorize.Store and vectorize.Indexes.
type Store struct {
	db   *sqlitedb.DB
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	indexes map[string]*vindex // loaded indexes by name
}

// vindex is a loaded index.
type vindex struct {
	mu    sync.RWMutex // guards everything below; writers hold it across their SQLite transaction
	info  vectorize.Index
	midx  []vectorize.MetadataIndex
	idx   index.Index
	byID  map[string]uint32
	slots []slot
	free  []uint32
	live  int

	mutation   string
	mutationMs int64
	deleted    bool
}

type slot struct {
	id    string // "" when free
	ns    string
	meta  map[string]any
	mjson json.RawMessage
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
	mutation_ms INTEGER NOT NULL DEFAULT 0
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
	ns TEXT NOT NULL,
	meta BLOB,
	vals BLOB NOT NULL,
	PRIMARY KEY (idx, id)
);
`

// Open opens or creates the Vectorize database file at path.
func Open(path string, opts Options) (*Store, error) {
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
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, opts: opts, log: opts.Logger, indexes: map[string]*vindex{}}, nil
}

// Close closes the database. In-memory indexes are dropped.
func (s *Store) Close() error {
	s.mu.Lock()
	s.indexes = map[string]*vindex{}
	s.mu.Unlock()
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
}, name string) (vectorize.Index, string, int64, error) {
	var ix vectorize.Index
	var metric, mutation string
	var created, modified, mutMs int64
	err := q.QueryRowContext(ctx, `SELECT name, description, dimensions, metric, created_ms, modified_ms, mutation, mutation_ms
		FROM vz_indexes WHERE name = ?`, name).Scan(&ix.Name, &ix.Description, &ix.Config.Dimensions, &metric, &created, &modified, &mutation, &mutMs)
	if errors.Is(err, sql.ErrNoRows) {
		return ix, "", 0, notFound(name)
	}
	if err != nil {
		return ix, "", 0, fmt.Errorf("vectorize get index: %w", err)
	}
	ix.Config.Metric = vectorize.Metric(metric)
	ix.CreatedOn = time.UnixMilli(created).UTC()
	ix.ModifiedOn = time.UnixMilli(modified).UTC()
	return ix, mutation, mutMs, nil
}

// GetIndex implements vectorize.Indexes.
func (s *Store) GetIndex(ctx context.Context, name string) (vectorize.Index, error) {
	ix, _, _, err := s.readIndex(ctx, s.db.R, name)
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
		vi.mu.Lock()
		vi.deleted = true
		vi.mu.Unlock()
		delete(s.indexes, name)
	}
	return nil
}

// CreateMetadataIndex implements vectorize.Indexes.
func (s *Store) CreateMetadataIndex(ctx context.Context, name string, m vectorize.MetadataIndex) (vectorize.Mutation, error) {
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
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx) error {
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
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx) error {
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

// load returns the loaded index, reading it from the file on first use.
func (s *Store) load(ctx context.Context, name string) (*vindex, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if vi := s.indexes[name]; vi != nil {
		return vi, nil
	}
	ix, mutation, mutMs, err := s.readIndex(ctx, s.db.R, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m, err := index.ParseMetric(string(ix.Config.Metric))
	if err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	vi := &vindex{info: ix, idx: index.NewFlat(ix.Config.Dimensions, m), byID: map[string]uint32{}, mutation: mutation, mutationMs: mutMs}
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
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, ns, meta, vals FROM vz_vectors WHERE idx = ?`, name)
	if err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	defer rows.Close()
	buf := make([]float32, ix.Config.Dimensions)
	for rows.Next() {
		var id, ns string
		var meta, vals []byte
		if err := rows.Scan(&id, &ns, &meta, &vals); err != nil {
			return nil, fmt.Errorf("vectorize load %s: %w", name, err)
		}
		if err := decodeValues(vals, buf); err != nil {
			return nil, fmt.Errorf("vectorize load %s: vector %q: %w", name, id, err)
		}
		var mj json.RawMessage
		if len(meta) > 0 {
			mj = json.RawMessage(meta)
		}
		if err := vi.put(vectorize.Vector{ID: id, Namespace: ns, Metadata: mj, Values: buf}); err != nil {
			return nil, fmt.Errorf("vectorize load %s: %w", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vectorize load %s: %w", name, err)
	}
	s.log.Debug("vectorize index loaded", "index", name, "vectors", vi.live, "took", time.Since(start))
	s.indexes[name] = vi
	return vi, nil
}

// put stores v in memory (replacing a vector with the same id). The caller
// holds vi.mu for writing (or owns vi exclusively).
func (vi *vindex) put(v vectorize.Vector) error {
	meta, err := vectorize.DecodeMetadata(v.Metadata)
	if err != nil {
		return err
	}
	sl, ok := vi.byID[v.ID]
	if !ok {
		if n := len(vi.free); n > 0 {
			sl = vi.free[n-1]
			vi.free = vi.free[:n-1]
		} else {
			sl = uint32(len(vi.slots))
			vi.slots = append(vi.slots, slot{})
		}
		vi.byID[v.ID] = sl
		vi.live++
	}
	vi.slots[sl] = slot{id: v.ID, ns: v.Namespace, meta: meta, mjson: v.Metadata}
	vi.idx.Add(sl, v.Values)
	return nil
}

func (vi *vindex) remove(id string) bool {
	sl, ok := vi.byID[id]
	if !ok {
		return false
	}
	delete(vi.byID, id)
	vi.idx.Delete(sl)
	vi.slots[sl] = slot{}
	vi.free = append(vi.free, sl)
	vi.live--
	return true
}

// mutate runs fn and records a new mutation id in one transaction. The
// caller holds vi.mu for writing.
func (s *Store) mutate(ctx context.Context, vi *vindex, fn func(tx *sql.Tx) error) (vectorize.Mutation, error) {
	if vi.deleted {
		return vectorize.Mutation{}, notFound(vi.info.Name)
	}
	id := newMutationID()
	now := s.opts.Now().UnixMilli()
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE vz_indexes SET mutation = ?, mutation_ms = ?, modified_ms = ? WHERE name = ?`, id, now, now, vi.info.Name)
		return err
	})
	if err != nil {
		if errors.Is(err, vectorize.ErrInvalid) || errors.Is(err, vectorize.ErrTooManyVectors) {
			return vectorize.Mutation{}, err
		}
		return vectorize.Mutation{}, fmt.Errorf("vectorize write: %w", err)
	}
	vi.mutation, vi.mutationMs = id, now
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

// encodeValues returns v as little-endian float32 bytes.
func encodeValues(v []float32) []byte {
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
	return s.write(ctx, name, vs, false)
}

// Upsert implements vectorize.Store.
func (s *Store) Upsert(ctx context.Context, name string, vs []vectorize.Vector) (vectorize.Mutation, error) {
	return s.write(ctx, name, vs, true)
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
			Message: fmt.Sprintf("index %q would hold %d vectors, more than its limit of %d (raise the limit in zerostack's configuration, or delete vectors first)", name, vi.live+added, s.opts.MaxVectors)}
	}
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx) error {
		if len(batch) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO vz_vectors (idx, id, ns, meta, vals) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (idx, id) DO UPDATE SET ns = excluded.ns, meta = excluded.meta, vals = excluded.vals`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, v := range batch {
			var meta any
			if v.Metadata != nil {
				meta = []byte(v.Metadata)
			}
			if _, err := stmt.ExecContext(ctx, name, v.ID, v.Namespace, meta, encodeValues(v.Values)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return mut, err
	}
	for _, v := range batch {
		if err := vi.put(v); err != nil {
			// Validated above; a failure here means memory and file disagree.
			s.log.Error("vectorize: in-memory index update failed; reload the index", "index", name, "err", err)
		}
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
	if err := vectorize.ValidateIDs(vectorize.OpVectorDelete, ids); err != nil {
		return vectorize.Mutation{}, err
	}
	vi, err := s.load(ctx, name)
	if err != nil {
		return vectorize.Mutation{}, err
	}
	vi.mu.Lock()
	defer vi.mu.Unlock()
	mut, err := s.mutate(ctx, vi, func(tx *sql.Tx) error {
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
	res := s.search(vi, q)
	out := vectorize.Matches{Count: len(res), Matches: make([]vectorize.Match, len(res))}
	for i, r := range res {
		st := vi.slots[r.ID]
		m := vectorize.Match{ID: st.id, Score: r.Score, Namespace: st.ns}
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
	if q.Filter == nil && q.Namespace == "" {
		return vi.idx.Search(q.Vector, q.TopK, nil)
	}
	accept := func(sl uint32) bool {
		st := &vi.slots[sl]
		return st.id != "" && (q.Namespace == "" || st.ns == q.Namespace) && q.Filter.Match(st.meta)
	}
	if vi.live <= s.opts.ExactThreshold || vi.selective(accept, s.opts.ExactThreshold) {
		var cands []uint32
		for sl := range vi.slots {
			if accept(uint32(sl)) {
				cands = append(cands, uint32(sl))
			}
		}
		return vi.idx.SearchIn(q.Vector, q.TopK, cands)
	}
	res := vi.idx.Search(q.Vector, q.TopK, accept)
	if len(res) < q.TopK {
		// Fewer than topK found: make sure by an exact scan of every match.
		var cands []uint32
		for sl := range vi.slots {
			if accept(uint32(sl)) {
				cands = append(cands, uint32(sl))
			}
		}
		if len(cands) > len(res) {
			return vi.idx.SearchIn(q.Vector, q.TopK, cands)
		}
	}
	return res
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
		// Spread the sample across the slots with a multiplicative stride.
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
