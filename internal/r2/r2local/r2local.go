// Package r2local is the embedded backend of zerostack's R2 service
// (Cloudflare R2): metadata (objects, buckets, multipart uploads) lives in
// one SQLite database, object bytes in that database (bodies up to
// [InlineMax]) or in files under the state directory (larger ones).
//
// Durability: an acknowledged write has its bytes and its metadata on stable
// storage (it survives SIGKILL and power loss). All changes go through a
// group committer (see commit.go): concurrent writers share one transaction
// and one fsync of the metadata database's write-ahead log.
//
// Bodies of up to [InlineMax] bytes are stored in the object's metadata row
// itself, so a small put costs its share of one group commit and no file
// system operation. Larger bodies are streamed to a temporary file in the
// state directory's tmp/, fsynced, renamed to blobs/<xx>/<id> (id a random
// 128-bit hex string; object keys never become file names), the directory
// is fsynced, and only then is the metadata row committed. A crash between
// rename and commit leaves an unreferenced blob, which a later Open removes
// once it is older than [Options.OrphanAge]. Replaced and deleted blobs are
// unlinked after the metadata commit; readers that already opened them keep
// reading the old bytes.
package r2local

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// Interface guards.
var (
	_ r2.Store     = (*Store)(nil)
	_ r2.Multipart = (*Store)(nil)
	_ r2.Buckets   = (*Store)(nil)
)

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Now is the clock for upload times; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// OrphanAge is how long an unreferenced blob or temporary file must have
	// been left untouched before Open removes it; default one hour. Younger
	// ones may belong to a write in progress in another process sharing the
	// state directory (a CLI command next to a running server).
	OrphanAge time.Duration
}

// Store is the embedded r2.Store, r2.Multipart and r2.Buckets.
type Store struct {
	dir    string
	db     *sqlitedb.DB
	now    func() time.Time
	log    *slog.Logger
	closed sync.Once
	// headStmt is the prepared object lookup on the read pool (head's
	// common case), saving a parse per Get and Head.
	headStmt *sql.Stmt
	// readers are the connections of Get's lookups (read.go).
	readers readers
	// headWStmt and upsertStmt are prepared on the writer connection, for
	// the group committer's transactions.
	headWStmt, upsertStmt, blobWStmt *sql.Stmt
	// small caches the bytes of recently read small blob files.
	small blobCache
	// inlineMax is the largest body stored inline; InlineMax except in
	// tests that need small blob files.
	inlineMax int64

	// Group commit (commit.go).
	changes       chan *change
	submitMu      sync.RWMutex // held for reading while sending on changes
	stopping      bool         // set under submitMu by Close
	stop          chan struct{}
	rm            blobRemover
	committerDone chan struct{}
	wal           *os.File  // the WAL, open for fsync; used by the syncer only
	onGroup       func(int) // tests: called by the committer with each group's size
}

// InlineMax is the largest object body stored inline in its metadata row
// rather than in a blob file. It equals [SmallBody], so every inline body
// is also returned in memory.
const InlineMax = SmallBody

// inlinePrefix starts the blob id of an inline body; file blob ids are
// lower-case hex and never start with it.
const inlinePrefix = "i"

func isInline(blob string) bool { return len(blob) > 0 && blob[0] == inlinePrefix[0] }

const schema = `
CREATE TABLE IF NOT EXISTS r2_buckets (
	name TEXT PRIMARY KEY,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS r2_objects (
	bucket TEXT NOT NULL,
	key BLOB NOT NULL,
	version TEXT NOT NULL,
	blob TEXT NOT NULL,
	size INTEGER NOT NULL,
	etag TEXT NOT NULL,
	uploaded_ms INTEGER NOT NULL,
	http_meta TEXT NOT NULL,
	custom_meta TEXT NOT NULL,
	checksums TEXT NOT NULL,
	storage_class TEXT NOT NULL,
	data BLOB,
	PRIMARY KEY (bucket, key)
);
CREATE TABLE IF NOT EXISTS r2_uploads (
	id TEXT PRIMARY KEY,
	bucket TEXT NOT NULL,
	key BLOB NOT NULL,
	http_meta TEXT NOT NULL,
	custom_meta TEXT NOT NULL,
	storage_class TEXT NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS r2_uploads_key ON r2_uploads(bucket, key);
CREATE TABLE IF NOT EXISTS r2_parts (
	upload_id TEXT NOT NULL REFERENCES r2_uploads(id) ON DELETE CASCADE,
	part_number INTEGER NOT NULL,
	blob TEXT NOT NULL,
	size INTEGER NOT NULL,
	etag TEXT NOT NULL,
	uploaded_ms INTEGER NOT NULL,
	PRIMARY KEY (upload_id, part_number)
);
`

// Open opens or creates the R2 state in dir. It removes leftover temporary
// files and blobs that no metadata row references (from a crash).
func Open(dir string, opts Options) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, "tmp"), filepath.Join(dir, "blobs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("r2 open: %w", err)
		}
	}
	// synchronous=NORMAL: the group committer's syncer fsyncs the WAL
	// before it acknowledges a write (commit.go).
	db, err := sqlitedb.Open(filepath.Join(dir, "r2.sqlite"), nil)
	if err != nil {
		return nil, fmt.Errorf("r2 open: %w", err)
	}
	if _, err := db.W.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2 open: schema: %w", err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2 open: schema: %w", err)
	}
	s := &Store{dir: dir, db: db, now: opts.Now, log: opts.Logger, small: newBlobCache(smallCacheBytes), inlineMax: InlineMax}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	age := opts.OrphanAge
	if age <= 0 {
		age = time.Hour
	}
	if err := s.collectGarbage(time.Now().Add(-age)); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2 open: %w", err)
	}
	if s.headStmt, err = db.R.Prepare(headSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("r2 open: %w", err)
	}
	for _, p := range []struct {
		db   *sql.DB
		sql  string
		stmt **sql.Stmt
	}{{db.W, headSQL, &s.headWStmt}, {db.W, upsertSQL, &s.upsertStmt},
		{db.W, "SELECT blob FROM r2_objects WHERE bucket = ? AND key = ?", &s.blobWStmt}} {
		if *p.stmt, err = p.db.Prepare(p.sql); err != nil {
			s.closeStmts()
			db.Close()
			return nil, fmt.Errorf("r2 open: %w", err)
		}
	}
	s.changes = make(chan *change, maxGroup)
	s.stop = make(chan struct{})
	s.committerDone = make(chan struct{})
	go s.committer()
	return s, nil
}

func (s *Store) closeStmts() {
	for _, st := range []*sql.Stmt{s.headStmt, s.headWStmt, s.upsertStmt, s.blobWStmt} {
		if st != nil {
			st.Close()
		}
	}
}

// migrate brings a database created by an older version up to the schema.
func migrate(db *sqlitedb.DB) error {
	var n int
	if err := db.W.QueryRow("SELECT count(*) FROM pragma_table_info('r2_objects') WHERE name = 'data'").Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		_, err := db.W.Exec("ALTER TABLE r2_objects ADD COLUMN data BLOB")
		return err
	}
	return nil
}

// Close commits the changes already submitted, then closes the metadata
// database; later writes fail. Bodies already returned stay readable.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		s.submitMu.Lock()
		s.stopping = true
		s.submitMu.Unlock()
		close(s.stop)
		<-s.committerDone
		s.waitRemovals()
		s.closeReaders()
		s.closeStmts()
		err = s.db.Close()
	})
	return err
}

// DB returns the metadata database (for integrity checks and tools).
func (s *Store) DB() *sqlitedb.DB { return s.db }

// collectGarbage removes temporary files and unreferenced blobs last
// modified before cutoff.
func (s *Store) collectGarbage(cutoff time.Time) error {
	old := func(d fs.DirEntry) bool {
		info, err := d.Info()
		return err == nil && info.ModTime().Before(cutoff)
	}
	tmp := filepath.Join(s.dir, "tmp")
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if old(e) {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
	live := map[string]bool{}
	rows, err := s.db.R.Query("SELECT blob FROM r2_objects UNION ALL SELECT blob FROM r2_parts")
	if err != nil {
		return err
	}
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return err
		}
		live[b] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	removed := 0
	err = filepath.WalkDir(filepath.Join(s.dir, "blobs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !live[d.Name()] && old(d) {
			removed++
			return os.Remove(path)
		}
		return nil
	})
	if removed > 0 {
		s.log.Info("r2: removed unreferenced blobs", "count", removed)
	}
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Store) blobPath(id string) string { return filepath.Join(s.dir, "blobs", id[:2], id) }

func (s *Store) removeBlobs(ids ...string) {
	var files []string
	for _, id := range ids {
		if id == "" || isInline(id) {
			continue // inline bodies go with their row
		}
		s.small.drop(id)
		files = append(files, id)
	}
	if len(files) == 0 {
		return
	}
	// Unlinking a large file takes the file system tens of milliseconds
	// (23 ms for 64 MiB here), and nothing refers to these blobs any more:
	// the put or delete that dropped them answers without waiting. A crash
	// before they are gone leaves orphans, which Open removes.
	s.rm.mu.Lock()
	s.rm.queue = append(s.rm.queue, files...)
	if !s.rm.running {
		s.rm.running = true
		s.rm.wg.Add(1)
		go s.drainRemovals()
	}
	s.rm.mu.Unlock()
}

// blobRemover holds the blob files waiting to be removed; one goroutine
// removes them while there are any.
type blobRemover struct {
	mu      sync.Mutex
	queue   []string
	running bool
	wg      sync.WaitGroup // the running goroutine
}

func (s *Store) drainRemovals() {
	defer s.rm.wg.Done()
	for {
		s.rm.mu.Lock()
		ids := s.rm.queue
		s.rm.queue = nil
		if len(ids) == 0 {
			s.rm.running = false
			s.rm.mu.Unlock()
			return
		}
		s.rm.mu.Unlock()
		for _, id := range ids {
			if err := os.Remove(s.blobPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.log.Warn("r2: remove blob", "blob", id, "err", err)
			}
		}
	}
}

// waitRemovals returns when every blob dropped so far has been removed.
func (s *Store) waitRemovals() { s.rm.wg.Wait() }

// ctxReader fails reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type hashes struct {
	md5, sha1, sha256, sha384, sha512 hash.Hash
}

func (h *hashes) writers() []io.Writer {
	var w []io.Writer
	for _, x := range []hash.Hash{h.md5, h.sha1, h.sha256, h.sha384, h.sha512} {
		if x != nil {
			w = append(w, x)
		}
	}
	return w
}

func sum(h hash.Hash) []byte {
	if h == nil {
		return nil
	}
	return h.Sum(nil)
}

// writeBlob streams r (at most limit bytes) into a new durable blob file and
// returns its id and size. check runs before the file is moved into place;
// an error from it discards the file.
func (s *Store) writeBlob(ctx context.Context, r io.Reader, limit int64, h *hashes, check func(size int64) error) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-*")
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	fail := func(err error) (string, int64, error) {
		f.Close()
		os.Remove(tmp)
		return "", 0, err
	}
	// The file is synced while it is written (flushingFile); the last
	// fdatasync comes after the size and checksums are known to be right.
	ff := newFlushingFile(f)
	n, err := CopyHashing(ff, ctxReader{ctx, io.LimitReader(r, limit+1)}, h.writers())
	if err == nil && n > limit {
		err = r2.ErrEntityTooLarge
	}
	if err == nil && check != nil {
		err = check(n)
	}
	if ferr := ff.Finish(err == nil); err == nil {
		err = ferr
	}
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	id := randomHex(16)
	dir := filepath.Dir(s.blobPath(id))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	if err := os.Rename(tmp, s.blobPath(id)); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	if err := syncDir(dir); err != nil {
		s.removeBlobs(id)
		return "", 0, err
	}
	return id, n, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// row scanning

const objectCols = "key, version, blob, size, etag, uploaded_ms, http_meta, custom_meta, checksums, storage_class"

type scanner interface{ Scan(dest ...any) error }

// scanObject scans the objectCols of a row, followed by the columns named
// by extra.
func scanObject(sc scanner, extra ...any) (r2.Object, string, error) {
	var o r2.Object
	var key []byte
	var blob, hm, cm, cs string
	var ms int64
	if err := sc.Scan(append([]any{&key, &o.Version, &blob, &o.Size, &o.ETag, &ms, &hm, &cm, &cs, &o.StorageClass}, extra...)...); err != nil {
		return r2.Object{}, "", err
	}
	if err := finishObject(&o, key, ms, hm, cm, cs); err != nil {
		return r2.Object{}, "", err
	}
	return o, blob, nil
}

// finishObject fills in the fields of o that come from columns needing
// conversion or decoding.
func finishObject(o *r2.Object, key []byte, ms int64, hm, cm, cs string) error {
	o.Key = string(key)
	o.Uploaded = time.UnixMilli(ms).UTC()
	// Objects without HTTP or custom metadata store "{}" (the common case),
	// which needs no decoding.
	if hm != "{}" {
		if err := json.Unmarshal([]byte(hm), &o.HTTPMetadata); err != nil {
			return err
		}
	}
	if cm != "{}" {
		if err := json.Unmarshal([]byte(cm), &o.CustomMetadata); err != nil {
			return err
		}
	}
	if o.CustomMetadata == nil {
		o.CustomMetadata = map[string]string{}
	}
	return decodeChecksums(cs, &o.Checksums)
}

// decodeChecksums decodes the checksums column. The common form, an MD5
// alone (`{"md5":"<base64>"}`, as json.Marshal writes it), is decoded
// without encoding/json, which costs several allocations per read.
func decodeChecksums(cs string, c *r2.Checksums) error {
	if b64, ok := strings.CutPrefix(cs, `{"md5":"`); ok {
		if b64, ok = strings.CutSuffix(b64, `"}`); ok && !strings.ContainsAny(b64, `"\`) {
			md5, err := base64.StdEncoding.DecodeString(b64)
			if err == nil {
				c.MD5 = md5
				return nil
			}
		}
	}
	return json.Unmarshal([]byte(cs), c)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const headSQL = "SELECT " + objectCols + " FROM r2_objects WHERE bucket = ? AND key = ?"

// getSQL is headSQL with the inline body (NULL for blob files).
const getSQL = "SELECT " + objectCols + ", data FROM r2_objects WHERE bucket = ? AND key = ?"

// upsertSQL records an object, replacing the row of the same key.
const upsertSQL = `INSERT INTO r2_objects (bucket, ` + objectCols + `, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(bucket, key) DO UPDATE SET version = excluded.version, blob = excluded.blob, size = excluded.size,
	etag = excluded.etag, uploaded_ms = excluded.uploaded_ms, http_meta = excluded.http_meta,
	custom_meta = excluded.custom_meta, checksums = excluded.checksums, storage_class = excluded.storage_class,
	data = excluded.data`

func (s *Store) head(ctx context.Context, q querier, bucket, key string) (r2.Object, string, error) {
	var row *sql.Row
	if q == querier(s.db.R) {
		row = s.headStmt.QueryRowContext(ctx, bucket, []byte(key))
	} else if tx, ok := q.(*sql.Tx); ok {
		row = tx.StmtContext(ctx, s.headWStmt).QueryRowContext(ctx, bucket, []byte(key))
	} else {
		row = q.QueryRowContext(ctx, headSQL, bucket, []byte(key))
	}
	o, blob, err := scanObject(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r2.Object{}, "", r2.ErrNoSuchKey
	}
	return o, blob, err
}

// Head implements r2.Store.
func (s *Store) Head(ctx context.Context, bucket, key string) (r2.Object, error) {
	if err := r2.ValidateKey(key); err != nil {
		return r2.Object{}, fmt.Errorf("r2 head: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return r2.Object{}, fmt.Errorf("r2 head: %w", err)
	}
	o, _, _, err := s.lookup(bucket, key, false)
	if err != nil {
		return r2.Object{}, fmt.Errorf("r2 head: %w", err)
	}
	return o, nil
}

type fileBody struct {
	io.Reader
	f *os.File
}

func (b *fileBody) Close() error { return b.f.Close() }

// Get implements r2.Store.
func (s *Store) Get(ctx context.Context, bucket, key string, opts r2.GetOptions) (*r2.GetResult, error) {
	if err := r2.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("r2 get: %w", err)
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("r2 get: %w", err)
		}
		o, blob, data, err := s.lookup(bucket, key, true)
		if err != nil {
			return nil, fmt.Errorf("r2 get: %w", err)
		}
		if !opts.OnlyIf.Check(&o) {
			return &r2.GetResult{Object: o, PreconditionFailed: true}, nil
		}
		off, n, err := opts.Range.Resolve(o.Size)
		if err != nil {
			return nil, fmt.Errorf("r2 get: %w", err)
		}
		if isInline(blob) {
			if int64(len(data)) != o.Size {
				return nil, fmt.Errorf("r2 get: inline body of %q is %d bytes, its metadata says %d; the database is damaged (restore it from a backup)", key, len(data), o.Size)
			}
			return &r2.GetResult{Object: o, Body: newBytesBody(data[off : off+n]), Offset: off, Length: n, Ranged: opts.Range != nil}, nil
		}
		if b, ok := s.small.get(blob); ok && int64(len(b)) == o.Size {
			return &r2.GetResult{Object: o, Body: newBytesBody(b[off : off+n]), Offset: off, Length: n, Ranged: opts.Range != nil}, nil
		}
		f, err := os.Open(s.blobPath(blob))
		if errors.Is(err, fs.ErrNotExist) && attempt < 5 {
			continue // replaced or deleted after we read the row
		}
		if err != nil {
			return nil, fmt.Errorf("r2 get: %w", err)
		}
		if o.Size <= SmallBody {
			// Read the whole blob, so that the cache can serve any range.
			b, err := readWhole(f, 0, o.Size)
			if err != nil {
				return nil, fmt.Errorf("r2 get: %w", err)
			}
			s.small.put(blob, b)
			return &r2.GetResult{Object: o, Body: newBytesBody(b[off : off+n]), Offset: off, Length: n, Ranged: opts.Range != nil}, nil
		}
		if n <= SmallBody {
			b, err := readWhole(f, off, n)
			if err != nil {
				return nil, fmt.Errorf("r2 get: %w", err)
			}
			return &r2.GetResult{Object: o, Body: newBytesBody(b), Offset: off, Length: n, Ranged: opts.Range != nil}, nil
		}
		if off > 0 {
			if _, err := f.Seek(off, io.SeekStart); err != nil {
				f.Close()
				return nil, fmt.Errorf("r2 get: %w", err)
			}
		}
		return &r2.GetResult{Object: o, Body: &fileBody{io.LimitReader(f, n), f}, Offset: off, Length: n, Ranged: opts.Range != nil}, nil
	}
}

func checkDigest(name string, want, got []byte) error {
	if want != nil && string(want) != string(got) {
		return r2.ErrBadDigest.With("The %s checksum you specified did not match what we received.\nYou provided a %s checksum with value: %x\nActual %s was: %x", name, name, want, name, got)
	}
	return nil
}

// Put implements r2.Store.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.Reader, opts r2.PutOptions) (r2.Object, error) {
	o, err := s.put(ctx, bucket, key, body, opts)
	if err != nil {
		return r2.Object{}, fmt.Errorf("r2 put: %w", err)
	}
	return o, nil
}

func (s *Store) put(ctx context.Context, bucket, key string, body io.Reader, opts r2.PutOptions) (r2.Object, error) {
	if err := r2.ValidateKey(key); err != nil {
		return r2.Object{}, err
	}
	if err := r2.ValidateCustomMetadata(opts.CustomMetadata); err != nil {
		return r2.Object{}, err
	}
	class, err := r2.ValidateStorageClass(opts.StorageClass)
	if err != nil {
		return r2.Object{}, err
	}
	for _, d := range []struct {
		v []byte
		n int
	}{{opts.MD5, md5.Size}, {opts.SHA1, sha1.Size}, {opts.SHA256, sha256.Size}, {opts.SHA384, sha512.Size384}, {opts.SHA512, sha512.Size}} {
		if d.v != nil && len(d.v) != d.n {
			return r2.Object{}, r2.ErrInvalidArgument.With("Invalid checksum length %d, expected %d bytes", len(d.v), d.n)
		}
	}
	if opts.OnlyIf != nil {
		cur, _, err := s.head(ctx, s.db.R, bucket, key)
		var curp *r2.Object
		if err == nil {
			curp = &cur
		} else if !errors.Is(err, r2.ErrNoSuchKey) {
			return r2.Object{}, err
		}
		if !opts.OnlyIf.Check(curp) {
			return r2.Object{}, r2.ErrPreconditionFailed
		}
	}
	h := &hashes{md5: md5.New()}
	if opts.SHA1 != nil {
		h.sha1 = sha1.New()
	}
	if opts.SHA256 != nil {
		h.sha256 = sha256.New()
	}
	if opts.SHA384 != nil {
		h.sha384 = sha512.New384()
	}
	if opts.SHA512 != nil {
		h.sha512 = sha512.New()
	}
	var sums r2.Checksums
	checkSums := func(int64) error {
		sums = r2.Checksums{MD5: sum(h.md5), SHA1: sum(h.sha1), SHA256: sum(h.sha256), SHA384: sum(h.sha384), SHA512: sum(h.sha512)}
		// The first mismatch, as an *r2.Error the caller can map.
		for _, err := range []error{checkDigest("MD5", opts.MD5, sums.MD5), checkDigest("SHA-1", opts.SHA1, sums.SHA1),
			checkDigest("SHA-256", opts.SHA256, sums.SHA256), checkDigest("SHA-384", opts.SHA384, sums.SHA384),
			checkDigest("SHA-512", opts.SHA512, sums.SHA512)} {
			if err != nil {
				return err
			}
		}
		return nil
	}
	// Read up to inlineMax+1 bytes: a body that ends within them is stored
	// inline; a longer one continues into a blob file.
	bp := inlineBufs.Get().(*[]byte)
	defer inlineBufs.Put(bp)
	head := (*bp)[:s.inlineMax+1]
	nh, err := io.ReadFull(ctxReader{ctx, body}, head)
	var blob string
	var size int64
	var data []byte
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		data = head[:nh]
		for _, w := range h.writers() {
			w.Write(data)
		}
		if err := checkSums(int64(nh)); err != nil {
			return r2.Object{}, err
		}
		blob, size = inlinePrefix+randomHex(16), int64(nh)
	case err != nil:
		return r2.Object{}, err
	default:
		blob, size, err = s.writeBlob(ctx, io.MultiReader(bytes.NewReader(head), body), r2.MaxPutSize, h, checkSums)
		if err != nil {
			return r2.Object{}, err
		}
	}
	o := r2.Object{
		Key: key, Version: randomHex(16), Size: size, ETag: hex.EncodeToString(sums.MD5),
		Uploaded: s.now().UTC().Truncate(time.Millisecond), HTTPMetadata: opts.HTTPMetadata,
		CustomMetadata: opts.CustomMetadata, Checksums: sums, StorageClass: class,
	}
	if o.CustomMetadata == nil {
		o.CustomMetadata = map[string]string{}
	}
	old, err := s.commitObject(ctx, bucket, o, blob, data, opts.OnlyIf, nil)
	if err != nil {
		s.removeBlobs(blob)
		return r2.Object{}, err
	}
	s.removeBlobs(old)
	return o, nil
}

// inlineBufs holds the buffers put reads bodies into (InlineMax+1 bytes).
var inlineBufs = sync.Pool{New: func() any { b := make([]byte, InlineMax+1); return &b }}

// commitObject records o (its body in data when blob is inline, else in the
// blob file) and returns the blob it replaced. extra runs inside the same
// transaction.
func (s *Store) commitObject(ctx context.Context, bucket string, o r2.Object, blob string, data []byte, cond *r2.Conditional, extra func(ctx context.Context, tx *sql.Tx) error) (string, error) {
	var old string
	if data == nil && isInline(blob) {
		data = []byte{} // an empty inline body is not NULL
	}
	hm, cm, cs := mustJSON(o.HTTPMetadata), mustJSON(o.CustomMetadata), mustJSON(o.Checksums)
	write := s.write
	if extra == nil {
		// Reads, then one INSERT: a failing INSERT undoes itself.
		write = s.writeOne
	}
	err := write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		old = ""
		var curBlob string
		var err error
		if cond == nil {
			// Only the replaced blob is needed: skip decoding the row.
			err = tx.StmtContext(ctx, s.blobWStmt).QueryRowContext(ctx, bucket, []byte(o.Key)).Scan(&curBlob)
			if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
			if err != nil {
				return err
			}
		} else {
			var cur r2.Object
			cur, curBlob, err = s.head(ctx, tx, bucket, o.Key)
			switch {
			case err == nil:
				if !cond.Check(&cur) {
					return r2.ErrPreconditionFailed
				}
			case errors.Is(err, r2.ErrNoSuchKey):
				if !cond.Check(nil) {
					return r2.ErrPreconditionFailed
				}
			default:
				return err
			}
		}
		if extra != nil {
			if err := extra(ctx, tx); err != nil {
				return err
			}
		}
		_, err = tx.StmtContext(ctx, s.upsertStmt).ExecContext(ctx, bucket, []byte(o.Key), o.Version, blob, o.Size, o.ETag, o.Uploaded.UnixMilli(),
			hm, cm, cs, o.StorageClass, data)
		if err == nil {
			old = curBlob
		}
		return err
	})
	return old, err
}

// Delete implements r2.Store.
func (s *Store) Delete(ctx context.Context, bucket string, keys ...string) error {
	if len(keys) > r2.MaxDeleteKeys {
		return fmt.Errorf("r2 delete: %w", r2.ErrInvalidArgument.With("Cannot delete more than %d keys at once", r2.MaxDeleteKeys))
	}
	for _, k := range keys {
		if err := r2.ValidateKey(k); err != nil {
			return fmt.Errorf("r2 delete: %w", err)
		}
	}
	var blobs []string
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		blobs = blobs[:0]
		for _, k := range keys {
			var blob string
			err := tx.QueryRowContext(ctx, "DELETE FROM r2_objects WHERE bucket = ? AND key = ? RETURNING blob", bucket, []byte(k)).Scan(&blob)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			blobs = append(blobs, blob)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("r2 delete: %w", err)
	}
	s.removeBlobs(blobs...)
	return nil
}
