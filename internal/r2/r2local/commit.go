package r2local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Group commit.
//
// Every metadata change of the store (and every small object's bytes, which
// live in the database) goes through one committer goroutine that owns the
// writer connection's transactions. It takes the first waiting change, then
// every other change already queued behind it (up to maxGroup), and runs
// them all in one IMMEDIATE transaction, each inside its own SAVEPOINT so
// that one change failing (a precondition, a missing upload) rolls back
// only that change (a change whose only write is its last statement needs
// none: SQLite undoes a failed statement by itself). Nothing waits to fill a group: while one group is
// being committed, the writers that arrive queue up and form the next.
//
// The database runs with synchronous=NORMAL, so COMMIT appends the group's
// frames to the write-ahead log with write(2) and returns without an
// fsync. The committer then hands the group to a syncer goroutine, which
// fsyncs the WAL file and only then answers the group's writers; meanwhile
// the committer already runs the next group. One fsync covers every group
// committed before it started, so the fsync's latency overlaps with the
// next groups' work instead of adding to it, and a lone writer still pays
// one fsync. This is as durable as synchronous=FULL for acknowledged
// writes: the WAL is a log whose valid prefix SQLite recovers after a
// crash, and a checkpoint (which moves frames into the database file and
// lets the WAL be overwritten) syncs the WAL and then the database file
// first under synchronous=NORMAL. The difference is visibility: readers
// may see a group's changes during its fsync, before its writers are
// answered; a power loss at that moment loses changes that nobody was told
// were stored.

// maxGroup bounds the changes committed in one transaction.
const maxGroup = 256

// errClosed is returned for changes submitted after Close.
var errClosed = errors.New("r2local: store closed; reopen it to write")

// change is one unit of work for the committer.
type change struct {
	ctx context.Context // checked before fn runs; fn itself gets a context that is never canceled
	// fn applies the change inside the group's transaction. It must use
	// the context it is given, not the caller's: a canceled statement
	// context interrupts SQLite, which rolls back the whole transaction.
	fn func(ctx context.Context, tx *sql.Tx) error
	// oneStatement says fn writes with at most one statement, its last:
	// when it fails, SQLite has already undone that statement, so fn needs
	// no savepoint of its own.
	oneStatement bool
	err          error
	done         chan error
}

// write runs fn in a group transaction and returns once that transaction
// is durable (nil) or fn's error (nothing of fn's is kept). It waits for
// the group even when ctx is canceled after fn started, so that memory fn
// refers to stays untouched until the commit is over.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.submit(&change{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// writeOne is write for a fn whose only write is one statement, its last
// (see change.oneStatement).
func (s *Store) writeOne(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.submit(&change{ctx: ctx, fn: fn, oneStatement: true, done: make(chan error, 1)})
}

func (s *Store) submit(c *change) error {
	s.submitMu.RLock()
	if s.stopping {
		s.submitMu.RUnlock()
		return errClosed
	}
	s.changes <- c
	s.submitMu.RUnlock()
	return <-c.done
}

// committer runs groups until Close; it then commits what is still queued,
// lets the syncer finish and returns.
func (s *Store) committer() {
	syncq := make(chan []*change, 64)
	syncerDone := make(chan struct{})
	go s.syncer(syncq, syncerDone)
	defer func() {
		close(syncq)
		<-syncerDone
		close(s.committerDone)
	}()
	for {
		var first *change
		select {
		case first = <-s.changes:
		case <-s.stop:
			// Close set stopping before closing stop, so nothing more
			// is sent: commit what is queued and finish.
			for {
				select {
				case c := <-s.changes:
					s.commitGroup([]*change{c}, syncq)
				default:
					return
				}
			}
		}
		group := make([]*change, 1, 32)
		group[0] = first
	fill:
		for len(group) < maxGroup {
			select {
			case c := <-s.changes:
				group = append(group, c)
			default:
				break fill
			}
		}
		if s.onGroup != nil {
			s.onGroup(len(group))
		}
		s.commitGroup(group, syncq)
	}
}

// commitGroup runs one transaction over the group. Changes that failed are
// answered at once; when something was committed, the group goes to the
// syncer, which answers the rest after the fsync.
func (s *Store) commitGroup(group []*change, syncq chan<- []*change) {
	ctx := context.Background()
	fail := func(err error) {
		for _, c := range group {
			c.done <- err
		}
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("r2local begin: %w", err))
		return
	}
	applied := 0
	for _, c := range group {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			continue
		}
		if len(group) == 1 || c.oneStatement {
			c.err = c.fn(ctx, tx)
		} else {
			var fatal error
			c.err, fatal = savepoint(ctx, tx, c.fn)
			if fatal != nil {
				// The transaction's state is unknown: give up the group.
				_ = tx.Rollback()
				fail(fmt.Errorf("r2local savepoint: %w", fatal))
				return
			}
		}
		if c.err == nil {
			applied++
		}
	}
	if applied == 0 {
		_ = tx.Rollback()
		for _, c := range group {
			c.done <- c.err
		}
		return
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("r2local commit: %w", err)
		for _, c := range group {
			if c.err == nil {
				c.err = err
			}
			c.done <- c.err
		}
		return
	}
	syncq <- group
}

// syncer fsyncs the WAL for the committed groups it receives and answers
// their writers. Groups that arrive while it syncs share the next fsync.
func (s *Store) syncer(syncq <-chan []*change, done chan<- struct{}) {
	defer close(done)
	defer func() {
		if s.wal != nil {
			s.wal.Close()
		}
	}()
	for group := range syncq {
		groups := [][]*change{group}
	more:
		for {
			select {
			case g, ok := <-syncq:
				if !ok {
					break more
				}
				groups = append(groups, g)
			default:
				break more
			}
		}
		err := s.syncWAL()
		if err != nil {
			s.log.Error("r2: fsync of the metadata log failed; the last writes may or may not be kept", "err", err)
			err = fmt.Errorf("r2local sync: %w (the write may or may not have been kept; check the disk)", err)
		}
		for _, g := range groups {
			for _, c := range g {
				if c.err == nil {
					c.err = err
				}
				c.done <- c.err
			}
		}
	}
}

// syncWAL fsyncs (fdatasync on Linux) the database's write-ahead log. It
// keeps the file open between calls and reopens it when SQLite has
// replaced it (same path, another inode), so that the sync always reaches
// the file SQLite writes.
func (s *Store) syncWAL() error {
	path := s.db.Path() + "-wal"
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if s.wal != nil {
		if cur, err := s.wal.Stat(); err != nil || !os.SameFile(cur, st) {
			s.wal.Close()
			s.wal = nil
		}
	}
	if s.wal == nil {
		if s.wal, err = os.Open(path); err != nil {
			return err
		}
	}
	return fdatasync(s.wal)
}

// savepoint runs fn inside a savepoint of tx, rolling back to it when fn
// fails, and returns fn's error. fatal is an error of the savepoint
// statements themselves, after which the transaction must be abandoned.
func savepoint(ctx context.Context, tx *sql.Tx, fn func(ctx context.Context, tx *sql.Tx) error) (err, fatal error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT change"); err != nil {
		return nil, err
	}
	if err := fn(ctx, tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO change"); rerr != nil {
			return err, rerr
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE change"); rerr != nil {
			return err, rerr
		}
		return err, nil
	}
	if _, err := tx.ExecContext(ctx, "RELEASE change"); err != nil {
		return nil, err
	}
	return nil, nil
}
