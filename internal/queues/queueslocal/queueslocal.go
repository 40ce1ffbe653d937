// Package queueslocal is the embedded backend of Cloudflare Queues
// ([queues.Store]): every queue's messages in one SQLite table of a file in
// the state directory (queues/queues.sqlite).
//
// A message is a row. Leasing it (delivering it to a consumer) moves its
// visible_ms into the future and stamps it with a lease token, in the same
// UPDATE … RETURNING that selects it; acknowledging deletes the row;
// retrying moves visible_ms to the retry time. A lease that is never
// settled simply expires: the row is visible again and the next lease
// delivers it, with its attempt count raised. Every change is one SQLite
// transaction in WAL mode, so a message that Send accepted, or the ack
// that settled it, survives a crash of the process.
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
	"strconv"
	"strings"
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
	lease        TEXT
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
}

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
	s := &Store{db: db, now: opts.Now, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
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
	err = s.db.R.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(lease IS NOT NULL AND visible_ms > ?), 0),
		coalesce(sum(lease IS NULL AND visible_ms > ?), 0)
		FROM messages WHERE queue = ?`, now, now, name).Scan(&info.Backlog, &info.Leased, &info.Delayed)
	if err != nil {
		return info, err
	}
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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(msgs); start += insertChunk {
			n := min(insertChunk, len(msgs)-start)
			if _, err := tx.ExecContext(ctx, insertSQL(n), args[start*perRow:(start+n)*perRow]...); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertChunk is the most rows one INSERT carries (7 parameters each, well
// under SQLite's parameter limit).
const insertChunk = 200

var insertSQLs [insertChunk + 1]string

// insertSQL returns the INSERT of n message rows.
func insertSQL(n int) string {
	if q := insertSQLs[n]; q != "" {
		return q
	}
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

// Lease implements [queues.Store].
func (s *Store) Lease(ctx context.Context, queue string, max int, visibility time.Duration) ([]queues.Delivery, error) {
	if max <= 0 {
		return nil, nil
	}
	now := s.now()
	token := randomHex(8)
	var out []queues.Delivery
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE messages SET visible_ms = ?, attempts = attempts + 1, lease = ?
			WHERE seq IN (SELECT seq FROM messages WHERE queue = ? AND visible_ms <= ? ORDER BY visible_ms, seq LIMIT ?)
			RETURNING seq, id, body, content_type, sent_ms, attempts`,
			ms(now.Add(visibility)), token, queue, ms(now), max)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d queues.Delivery
			var seq, sent int64
			if err := rows.Scan(&seq, &d.ID, &d.Body, &d.ContentType, &sent, &d.Attempts); err != nil {
				return err
			}
			d.Timestamp = time.UnixMilli(sent)
			d.LeaseID = strconv.FormatInt(seq, 10) + "." + token
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives rows in no promised order: restore the lease order.
	sortBySeq(out)
	return out, nil
}

func leaseSeq(lease string) (int64, string, bool) {
	a, token, ok := strings.Cut(lease, ".")
	if !ok {
		return 0, "", false
	}
	seq, err := strconv.ParseInt(a, 10, 64)
	return seq, token, err == nil
}

func sortBySeq(ds []queues.Delivery) {
	// Insertion sort: batches are at most a few hundred and usually sorted.
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0; j-- {
			a, _, _ := leaseSeq(ds[j-1].LeaseID)
			b, _, _ := leaseSeq(ds[j].LeaseID)
			if a <= b {
				break
			}
			ds[j-1], ds[j] = ds[j], ds[j-1]
		}
	}
}

// Settle implements [queues.Store].
func (s *Store) Settle(ctx context.Context, queue string, acks []string, retries []queues.Retry) error {
	if len(acks) == 0 && len(retries) == 0 {
		return nil
	}
	now := s.now()
	missing := 0
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		missing = 0
		if len(acks) > 0 {
			// Leases of one Lease call share a token: delete each group
			// with one statement.
			groups := map[string][]any{}
			for _, l := range acks {
				seq, token, ok := leaseSeq(l)
				if !ok {
					missing++
					continue
				}
				groups[token] = append(groups[token], seq)
			}
			for token, seqs := range groups {
				for start := 0; start < len(seqs); start += insertChunk {
					part := seqs[start:min(start+insertChunk, len(seqs))]
					q := "DELETE FROM messages WHERE queue = ? AND lease = ? AND seq IN (?" + strings.Repeat(",?", len(part)-1) + ")"
					res, err := tx.ExecContext(ctx, q, append([]any{queue, token}, part...)...)
					if err != nil {
						return err
					}
					n, _ := res.RowsAffected()
					missing += len(part) - int(n)
				}
			}
		}
		if len(retries) > 0 {
			upd, err := tx.PrepareContext(ctx, "UPDATE messages SET visible_ms = ?, lease = NULL WHERE seq = ? AND lease = ? AND queue = ?")
			if err != nil {
				return err
			}
			defer upd.Close()
			for _, r := range retries {
				seq, token, ok := leaseSeq(r.LeaseID)
				if !ok {
					missing++
					continue
				}
				res, err := upd.ExecContext(ctx, ms(now.Add(r.Delay)), seq, token, queue)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					missing++
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if missing > 0 {
		return fmt.Errorf("%w: %d of %d leases had expired or were already settled", queues.ErrLeaseNotFound, missing, len(acks)+len(retries))
	}
	return nil
}

// NextVisible implements [queues.Store].
func (s *Store) NextVisible(ctx context.Context, queue string) (time.Time, bool, error) {
	var v sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, "SELECT min(visible_ms) FROM messages WHERE queue = ?", queue).Scan(&v)
	if err != nil || !v.Valid {
		return time.Time{}, false, err
	}
	return time.UnixMilli(v.Int64), true, nil
}

// CountVisible implements [queues.Store].
func (s *Store) CountVisible(ctx context.Context, queue string, limit int) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM messages WHERE queue = ? AND visible_ms <= ? LIMIT ?)", queue, ms(s.now()), limit).Scan(&n)
	return n, err
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
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE queue = ?", queue)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// ReleaseLeases implements [queues.Store].
func (s *Store) ReleaseLeases(ctx context.Context, queue string) (int, error) {
	now := ms(s.now())
	var n int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE messages SET visible_ms = ?, lease = NULL WHERE queue = ? AND lease IS NOT NULL AND visible_ms > ?", now, queue, now)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
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
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO consumers (queue, script, settings) VALUES (?, ?, ?) ON CONFLICT (queue) DO UPDATE SET script = excluded.script, settings = excluded.settings", c.Queue, c.Script, string(b))
		return err
	})
}

// RemoveConsumer forgets the consumer of queue recorded for script
// (queues.ErrQueueNotFound-wrapped error if there is none).
func (s *Store) RemoveConsumer(ctx context.Context, queue, script string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
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
