// Package queueslocal is the embedded backend of Cloudflare Queues
// ([queues.Store]): every queue's messages in one SQLite table of a file in
// the state directory (queues/queues.sqlite).
//
// A message is a row. Leasing it (delivering it to a consumer) only reads
// it: leases are held in the process's memory (see [Store.Lease]), since a
// lease is void once its process stops. Acknowledging deletes the row;
// retrying moves its visible_ms to the retry time and raises its attempt
// count. A lease that is never settled simply expires and the next lease
// delivers the message again, its attempt count raised. Writes are group
// committed (one SQLite transaction in WAL mode for the writes that arrive
// together), so a message that Send accepted, or the ack that settled it,
// survives a crash of the process; a lease does not need to.
package queueslocal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

const schema = `
CREATE TABLE IF NOT EXISTS queues (
	name       TEXT PRIMARY KEY,
	id         TEXT NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
	seq          INTEGER PRIMARY KEY,
	queue        TEXT NOT NULL,
	id           TEXT NOT NULL,
	body         BLOB NOT NULL,
	content_type TEXT NOT NULL,
	sent_ms      INTEGER NOT NULL,
	visible_ms   INTEGER NOT NULL,
	attempts     INTEGER NOT NULL,
	lease        TEXT -- unused: leases are held in memory (see Lease); kept for older files
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_ms, seq);
CREATE TABLE IF NOT EXISTS consumers (
	queue    TEXT PRIMARY KEY,
	script   TEXT NOT NULL,
	settings TEXT NOT NULL
);
`

// Options configures [Open]. The zero value is valid.
type Options struct {
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Sync is the durability level of the SQLite file (see sqlitedb).
	Sync sqlitedb.Sync
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Store is a [queues.Store] over one SQLite file.
type Store struct {
	db  *sqlitedb.DB
	now func() time.Time
	log *slog.Logger

	lmu    sync.Mutex
	leases map[string]*queueLeases // queue → leases granted by this process

	stmts     sync.Map // query → *sql.Stmt on the writer connection
	toPrepare sync.Map // queries to prepare after the current commit

	ops  chan *writeOp
	quit chan struct{}
	done chan struct{}
}

// writeOp is one write waiting for the committer.
type writeOp struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// maxGroup is the most writes one transaction commits together.
const maxGroup = 64

var _ queues.Store = (*Store)(nil)

// Open opens or creates the queue database at path.
func Open(path string, opts Options) (*Store, error) {
	db, err := sqlitedb.Open(path, &sqlitedb.Options{Sync: opts.Sync})
	if err != nil {
		return nil, fmt.Errorf("queues open: %w", err)
	}
	if _, err := db.W.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("queues open: schema: %w", err)
	}
	s := &Store{db: db, now: opts.Now, log: opts.Logger, ops: make(chan *writeOp, maxGroup), leases: map[string]*queueLeases{}, quit: make(chan struct{}), done: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	go s.committer()
	return s, nil
}

// Close stops the committer and closes the database.
func (s *Store) Close() error {
	close(s.quit)
	<-s.done
	s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	return s.db.Close()
}

var errClosed = errors.New("queues: store is closed")

// write runs fn in a write transaction. Writes that arrive while another
// commits are grouped into the next transaction (group commit), each in
// its own savepoint so that one failing write does not undo the others;
// every caller returns only after the transaction holding its write has
// committed. Producers sending and consumers settling at the same time
// thus share commits instead of queueing for the writer lock.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.ops <- op:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-op.done
}

func (s *Store) committer() {
	defer close(s.done)
	group := make([]*writeOp, 0, maxGroup)
	for {
		select {
		case op := <-s.ops:
			group = append(group[:0], op)
		case <-s.quit:
			for {
				select {
				case op := <-s.ops:
					op.done <- errClosed
				default:
					return
				}
			}
		}
	more:
		for len(group) < maxGroup {
			select {
			case op := <-s.ops:
				group = append(group, op)
			default:
				break more
			}
		}
		s.commit(group)
		s.prepare()
	}
}

// commit runs a group of writes in one transaction.
func (s *Store) commit(group []*writeOp) {
	if len(group) == 1 {
		op := group[0]
		op.done <- s.db.Write(op.ctx, op.fn)
		return
	}
	results := make([]error, len(group))
	err := s.db.Write(context.Background(), func(tx *sql.Tx) error {
		for i, op := range group {
			if err := op.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			if _, err := tx.Exec("SAVEPOINT w"); err != nil {
				return err
			}
			if err := op.fn(tx); err != nil {
				results[i] = err
				if _, err := tx.Exec("ROLLBACK TO w"); err != nil {
					return err
				}
			}
			if _, err := tx.Exec("RELEASE w"); err != nil {
				return err
			}
		}
		return nil
	})
	for i, op := range group {
		if err != nil {
			op.done <- err
		} else {
			op.done <- results[i]
		}
	}
}

// DB returns the underlying database (integrity checks, tools).
func (s *Store) DB() *sqlitedb.DB { return s.db }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// CreateQueue implements [queues.Store].
func (s *Store) CreateQueue(ctx context.Context, name string) (queues.QueueInfo, error) {
	if err := queues.ValidateQueueName(name); err != nil {
		return queues.QueueInfo{}, err
	}
	id := randomHex(16)
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO queues (name, id, created_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING", name, id, ms(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return queues.ErrQueueExists
		}
		return nil
	})
	if err != nil {
		return queues.QueueInfo{}, err
	}
	return s.Info(ctx, name)
}

// DeleteQueue implements [queues.Store].
func (s *Store) DeleteQueue(ctx context.Context, name string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM queues WHERE name = ?", name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return queues.ErrQueueNotFound
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM messages WHERE queue = ?", name)
		return err
	})
	if err == nil {
		s.lmu.Lock()
		delete(s.leases, name)
		s.lmu.Unlock()
	}
	return err
}

// Queues implements [queues.Store].
func (s *Store) Queues(ctx context.Context) ([]queues.QueueInfo, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT name FROM queues ORDER BY name")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]queues.QueueInfo, 0, len(names))
	for _, n := range names {
		info, err := s.Info(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Info implements [queues.Store].
func (s *Store) Info(ctx context.Context, name string) (queues.QueueInfo, error) {
	info := queues.QueueInfo{Name: name}
	var created sql.NullInt64
	var id sql.NullString
	err := s.db.R.QueryRowContext(ctx, "SELECT id, created_ms FROM queues WHERE name = ?", name).Scan(&id, &created)
	recorded := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return info, err
	}
	now := ms(s.now())
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(visible_ms > ?), 0)
		FROM messages WHERE queue = ?`, now, name).Scan(&info.Backlog, &info.Delayed)
	if err != nil {
		return info, err
	}
	s.lmu.Lock()
	if ql := s.leases[name]; ql != nil {
		ql.expire(now)
		info.Leased = len(ql.held)
	}
	s.lmu.Unlock()
	if !recorded && info.Backlog == 0 {
		return info, queues.ErrQueueNotFound
	}
	info.ID = id.String
	if created.Valid {
		info.Created = time.UnixMilli(created.Int64)
	}
	return info, nil
}

// Send implements [queues.Store].
func (s *Store) Send(ctx context.Context, queue string, msgs []queues.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	now := s.now()
	// One multi-row INSERT per chunk: per-statement overhead dominates
	// small messages.
	const perRow = 7
	args := make([]any, 0, len(msgs)*perRow)
	for _, m := range msgs {
		id := m.ID
		if id == "" {
			id = randomHex(16)
		}
		ts := m.Timestamp
		if ts.IsZero() {
			ts = now
		}
		body := m.Body
		if body == nil {
			body = []byte{}
		}
		args = append(args, queue, id, body, m.ContentType, ms(ts), ms(now.Add(m.Delay)), m.Attempts)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(msgs); start += insertChunk {
			n := min(insertChunk, len(msgs)-start)
			if _, err := s.exec(ctx, tx, insertSQL(n), args[start*perRow:(start+n)*perRow]...); err != nil {
				return err
			}
		}
		return nil
	})
}

// exec runs query in tx through the writer connection's prepared
// statement for it (parsing a 100-row INSERT costs more than running it).
// A statement not yet prepared runs unprepared this time and is prepared
// by the committer after the transaction, since the single writer
// connection is busy until then.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
	}
	s.toPrepare.Store(query, true)
	return tx.ExecContext(ctx, query, args...)
}

// query is exec for statements that return rows.
func (s *Store) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryContext(ctx, args...)
	}
	s.toPrepare.Store(query, true)
	return tx.QueryContext(ctx, query, args...)
}

// prepare prepares the statements exec and query asked for; it runs on
// the committer goroutine, outside any transaction.
func (s *Store) prepare() {
	s.toPrepare.Range(func(q, _ any) bool {
		s.toPrepare.Delete(q)
		if _, ok := s.stmts.Load(q); ok {
			return true
		}
		if st, err := s.db.W.Prepare(q.(string)); err == nil {
			s.stmts.Store(q, st)
		}
		return true
	})
}

// insertChunk is the most rows one INSERT carries (7 parameters each, well
// under SQLite's parameter limit).
const insertChunk = 200

// insertSQL returns the INSERT of n message rows (its text is also the
// key of the prepared statement that runs it).
func insertSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO messages (queue, id, body, content_type, sent_ms, visible_ms, attempts) VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?)")
	}
	return b.String()
}

// Leases are held in memory, not in the database: a lease is void when
// the process that granted it stops anyway (a restarted consumer calls
// ReleaseLeases), so writing it would only cost a row rewrite per message.
// Lease therefore only reads; Settle writes (DELETE for acks, UPDATE of
// visible_ms and attempts for retries). An expired lease counts as a
// failed attempt; the count is kept in memory until the message is
// retried or delivered again. One process consumes a queue of a state
// directory at a time (zerostack dev runs one dispatcher per queue).
type lease struct {
	token string
	until int64 // ms
}

type queueLeases struct {
	held   map[int64]lease // seq → lease
	failed map[int64]int   // seq → expired leases not yet written
}

// leasesOf returns the in-memory lease table of queue; s.lmu is held.
func (s *Store) leasesOf(queue string) *queueLeases {
	ql := s.leases[queue]
	if ql == nil {
		ql = &queueLeases{held: map[int64]lease{}, failed: map[int64]int{}}
		s.leases[queue] = ql
	}
	return ql
}

// expire drops the leases of ql that ran out before now, counting each as
// a failed attempt; s.lmu is held.
func (ql *queueLeases) expire(now int64) {
	for seq, l := range ql.held {
		if l.until <= now {
			delete(ql.held, seq)
			ql.failed[seq]++
		}
	}
}

// headSeqs returns the seqs (and visible times) of the first n messages
// of queue in delivery order, visible by now when onlyVisible.
func (s *Store) headSeqs(ctx context.Context, queue string, now int64, onlyVisible bool, n int) (seqs, visible []int64, err error) {
	q := "SELECT seq, visible_ms FROM messages WHERE queue = ? ORDER BY visible_ms, seq LIMIT ?"
	args := []any{queue, n}
	if onlyVisible {
		q = "SELECT seq, visible_ms FROM messages WHERE queue = ? AND visible_ms <= ? ORDER BY visible_ms, seq LIMIT ?"
		args = []any{queue, now, n}
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq, vis int64
		if err := rows.Scan(&seq, &vis); err != nil {
			return nil, nil, err
		}
		seqs = append(seqs, seq)
		visible = append(visible, vis)
	}
	return seqs, visible, rows.Err()
}

// Lease implements [queues.Store].
func (s *Store) Lease(ctx context.Context, queue string, max int, visibility time.Duration) ([]queues.Delivery, error) {
	if max <= 0 {
		return nil, nil
	}
	now := ms(s.now())
	token := randomHex(8)
	s.lmu.Lock()
	ql := s.leasesOf(queue)
	ql.expire(now)
	held := len(ql.held)
	s.lmu.Unlock()
	cands, _, err := s.headSeqs(ctx, queue, now, true, max+held)
	if err != nil {
		return nil, err
	}
	s.lmu.Lock()
	var chosen []int64
	failed := map[int64]int{}
	for _, seq := range cands {
		if len(chosen) == max {
			break
		}
		if _, ok := ql.held[seq]; ok {
			continue
		}
		ql.held[seq] = lease{token: token, until: now + visibility.Milliseconds()}
		chosen = append(chosen, seq)
		failed[seq] = ql.failed[seq]
	}
	s.lmu.Unlock()
	if len(chosen) == 0 {
		return nil, nil
	}
	args := make([]any, len(chosen))
	for i, seq := range chosen {
		args[i] = seq
	}
	rows, err := s.db.R.QueryContext(ctx, "SELECT seq, id, body, content_type, sent_ms, attempts FROM messages WHERE seq IN (?"+strings.Repeat(",?", len(chosen)-1)+") ORDER BY visible_ms, seq", args...)
	if err != nil {
		s.unhold(queue, chosen, token)
		return nil, err
	}
	defer rows.Close()
	out := make([]queues.Delivery, 0, len(chosen))
	found := map[int64]bool{}
	for rows.Next() {
		var d queues.Delivery
		var seq, sent int64
		if err := rows.Scan(&seq, &d.ID, &d.Body, &d.ContentType, &sent, &d.Attempts); err != nil {
			s.unhold(queue, chosen, token)
			return nil, err
		}
		found[seq] = true
		d.Attempts += failed[seq] + 1
		d.Timestamp = time.UnixMilli(sent)
		d.LeaseID = strconv.FormatInt(seq, 10) + "." + token
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		s.unhold(queue, chosen, token)
		return nil, err
	}
	if len(found) < len(chosen) { // deleted meanwhile (purge, another process)
		var gone []int64
		for _, seq := range chosen {
			if !found[seq] {
				gone = append(gone, seq)
			}
		}
		s.unhold(queue, gone, token)
	}
	return out, nil
}

// settling is the token of leases whose ack or retry is being written.
const settling = "settling"

// unhold drops the leases token holds on seqs.
func (s *Store) unhold(queue string, seqs []int64, token string) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	ql := s.leasesOf(queue)
	for _, seq := range seqs {
		if ql.held[seq].token == token {
			delete(ql.held, seq)
		}
	}
}

func leaseSeq(lease string) (int64, string, bool) {
	a, token, ok := strings.Cut(lease, ".")
	if !ok {
		return 0, "", false
	}
	seq, err := strconv.ParseInt(a, 10, 64)
	return seq, token, err == nil
}

// Settle implements [queues.Store].
func (s *Store) Settle(ctx context.Context, queue string, acks []string, retries []queues.Retry) error {
	if len(acks) == 0 && len(retries) == 0 {
		return nil
	}
	now := s.now()
	nowMS := ms(now)
	missing := 0
	// Claim the leases: a lease that expired (or was never granted) is not
	// settled, as Cloudflare refuses acks of expired leases.
	var ackSeqs []any
	type retry struct {
		seq, visible int64
		failed       int
	}
	var rets []retry
	var claimed []int64
	s.lmu.Lock()
	ql := s.leasesOf(queue)
	claim := func(id string) (int64, bool) {
		seq, token, ok := leaseSeq(id)
		if !ok {
			return 0, false
		}
		l, held := ql.held[seq]
		if !held || l.token != token || l.until <= nowMS {
			return 0, false
		}
		// Keep the message held until the write commits, so that no
		// Lease delivers it again in between.
		ql.held[seq] = lease{token: settling, until: math.MaxInt64}
		claimed = append(claimed, seq)
		return seq, true
	}
	for _, id := range acks {
		if seq, ok := claim(id); ok {
			ackSeqs = append(ackSeqs, seq)
			delete(ql.failed, seq)
		} else {
			missing++
		}
	}
	for _, r := range retries {
		if seq, ok := claim(r.LeaseID); ok {
			rets = append(rets, retry{seq, ms(now.Add(r.Delay)), ql.failed[seq]})
			delete(ql.failed, seq)
		} else {
			missing++
		}
	}
	s.lmu.Unlock()
	if len(ackSeqs) > 0 || len(rets) > 0 {
		err := s.write(ctx, func(tx *sql.Tx) error {
			for start := 0; start < len(ackSeqs); start += insertChunk {
				part := ackSeqs[start:min(start+insertChunk, len(ackSeqs))]
				q := "DELETE FROM messages WHERE seq IN (?" + strings.Repeat(",?", len(part)-1) + ")"
				if _, err := s.exec(ctx, tx, q, part...); err != nil {
					return err
				}
			}
			for _, r := range rets {
				if _, err := s.exec(ctx, tx, "UPDATE messages SET visible_ms = ?, attempts = attempts + 1 + ? WHERE seq = ?", r.visible, r.failed, r.seq); err != nil {
					return err
				}
			}
			return nil
		})
		// Committed or not, the claims end here: a failed write leaves
		// the messages to be delivered again (at least once).
		s.unhold(queue, claimed, settling)
		if err != nil {
			return err
		}
	}
	if missing > 0 {
		return fmt.Errorf("%w: %d of %d leases had expired or were already settled", queues.ErrLeaseNotFound, missing, len(acks)+len(retries))
	}
	return nil
}

// NextVisible implements [queues.Store]: the first message not leased, or
// the first lease to expire, whichever comes first.
func (s *Store) NextVisible(ctx context.Context, queue string) (time.Time, bool, error) {
	s.lmu.Lock()
	ql := s.leasesOf(queue)
	held := len(ql.held)
	var minUntil int64
	for _, l := range ql.held {
		if minUntil == 0 || l.until < minUntil {
			minUntil = l.until
		}
	}
	s.lmu.Unlock()
	seqs, vis, err := s.headSeqs(ctx, queue, 0, false, held+1)
	if err != nil {
		return time.Time{}, false, err
	}
	s.lmu.Lock()
	defer s.lmu.Unlock()
	for i, seq := range seqs {
		if _, ok := ql.held[seq]; !ok {
			if minUntil != 0 && minUntil < vis[i] {
				return time.UnixMilli(minUntil), true, nil
			}
			return time.UnixMilli(vis[i]), true, nil
		}
	}
	if minUntil != 0 {
		return time.UnixMilli(minUntil), true, nil
	}
	return time.Time{}, false, nil
}

// CountVisible implements [queues.Store].
func (s *Store) CountVisible(ctx context.Context, queue string, limit int) (int, error) {
	now := ms(s.now())
	s.lmu.Lock()
	ql := s.leasesOf(queue)
	ql.expire(now)
	held := len(ql.held)
	s.lmu.Unlock()
	seqs, _, err := s.headSeqs(ctx, queue, now, true, limit+held)
	if err != nil {
		return 0, err
	}
	s.lmu.Lock()
	defer s.lmu.Unlock()
	n := 0
	for _, seq := range seqs {
		if _, ok := ql.held[seq]; !ok && n < limit {
			n++
		}
	}
	return n, nil
}

// Peek implements [queues.Store].
func (s *Store) Peek(ctx context.Context, queue string, max int) ([]queues.Delivery, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, body, content_type, sent_ms, attempts FROM messages WHERE queue = ? ORDER BY seq LIMIT ?", queue, max)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []queues.Delivery
	for rows.Next() {
		var d queues.Delivery
		var sent int64
		if err := rows.Scan(&d.ID, &d.Body, &d.ContentType, &sent, &d.Attempts); err != nil {
			return nil, err
		}
		d.Timestamp = time.UnixMilli(sent)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Purge implements [queues.Store].
func (s *Store) Purge(ctx context.Context, queue string) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE queue = ?", queue)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err == nil {
		s.lmu.Lock()
		delete(s.leases, queue)
		s.lmu.Unlock()
	}
	return int(n), err
}

// ReleaseLeases implements [queues.Store]. Leases live in this process's
// memory, so only leases it granted are released.
func (s *Store) ReleaseLeases(ctx context.Context, queue string) (int, error) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	ql := s.leasesOf(queue)
	n := len(ql.held)
	clear(ql.held)
	return n, nil
}

// Consumer is a push consumer recorded with `zerostack queues consumer
// add`: the worker (script) that consumes the queue and its settings, used
// by zerostack dev when the worker's configuration names no consumer for
// that queue. Settings are stored as JSON.
type Consumer struct {
	Queue    string                `json:"queue"`
	Script   string                `json:"script"`
	Settings queues.ConsumerConfig `json:"settings"`
}

// SetConsumer records (or replaces) the consumer of c.Queue.
func (s *Store) SetConsumer(ctx context.Context, c Consumer) error {
	if err := queues.ValidateConsumer(c.Settings); err != nil {
		return err
	}
	b, err := json.Marshal(c.Settings)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO consumers (queue, script, settings) VALUES (?, ?, ?) ON CONFLICT (queue) DO UPDATE SET script = excluded.script, settings = excluded.settings", c.Queue, c.Script, string(b))
		return err
	})
}

// RemoveConsumer forgets the consumer of queue recorded for script
// (queues.ErrQueueNotFound-wrapped error if there is none).
func (s *Store) RemoveConsumer(ctx context.Context, queue, script string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM consumers WHERE queue = ? AND script = ?", queue, script)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("queue %s has no consumer %s", queue, script)
		}
		return nil
	})
}

// Consumers lists the recorded consumers, by queue.
func (s *Store) Consumers(ctx context.Context) ([]Consumer, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT queue, script, settings FROM consumers ORDER BY queue")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Consumer
	for rows.Next() {
		var c Consumer
		var js string
		if err := rows.Scan(&c.Queue, &c.Script, &js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &c.Settings); err != nil {
			return nil, fmt.Errorf("consumer of %s: %w", c.Queue, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
