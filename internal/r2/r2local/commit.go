package r2local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group commit.
//
// Every metadata change of the store (and every small object's bytes, which
// live in the database) goes through one committer goroutine that owns the
// writer connection's transactions. It takes the first waiting change, then
// every other change already queued behind it (up to maxGroup), and runs
// them all in one IMMEDIATE transaction, each inside its own SAVEPOINT so
// that one change failing (a precondition, a missing upload) rolls back
// only that change. One COMMIT — one fsync of the WAL, as the database runs
// with synchronous=FULL — then acknowledges the whole group. Nothing waits
// to fill a group: while one commit is syncing, the writers that arrive
// queue up and form the next group, so a lone writer pays one fsync and 32
// concurrent writers share about one fsync among them.

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
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// write runs fn in a group transaction and returns once that transaction
// is durable (nil) or fn's error (nothing of fn's is kept). It waits for
// the group even when ctx is canceled after fn started, so that memory fn
// refers to stays untouched until the commit is over.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	c := &change{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.submitMu.RLock()
	if s.stopping {
		s.submitMu.RUnlock()
		return errClosed
	}
	s.changes <- c
	s.submitMu.RUnlock()
	return <-c.done
}

// committer runs groups until Close; it then commits what is still queued
// and returns.
func (s *Store) committer() {
	defer close(s.committerDone)
	group := make([]*change, 0, maxGroup)
	for {
		var first *change
		select {
		case first = <-s.changes:
		case <-s.stop:
			// Close set stopping before closing stop, so nothing more
			// is sent: drain what is queued and finish.
			for {
				select {
				case c := <-s.changes:
					s.commitGroup([]*change{c})
				default:
					return
				}
			}
		}
		group = append(group[:0], first)
	fill:
		for len(group) < maxGroup {
			select {
			case c := <-s.changes:
				group = append(group, c)
			default:
				break fill
			}
		}
		s.commitGroup(group)
		clear(group)
	}
}

// commitGroup runs one transaction over the group and answers each change.
func (s *Store) commitGroup(group []*change) {
	ctx := context.Background()
	errs := make([]error, len(group))
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		for _, c := range group {
			c.done <- fmt.Errorf("r2local begin: %w", err)
		}
		return
	}
	applied := 0
	for i, c := range group {
		if err := c.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if len(group) == 1 {
			errs[i] = c.fn(ctx, tx)
		} else {
			var fatal error
			errs[i], fatal = savepoint(ctx, tx, c.fn)
			if fatal != nil {
				// The transaction's state is unknown: give up the group.
				_ = tx.Rollback()
				for _, c := range group {
					c.done <- fmt.Errorf("r2local savepoint: %w", fatal)
				}
				return
			}
		}
		if errs[i] == nil {
			applied++
		}
	}
	if applied == 0 {
		_ = tx.Rollback()
	} else if err := tx.Commit(); err != nil {
		err = fmt.Errorf("r2local commit: %w", err)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	for i, c := range group {
		c.done <- errs[i]
	}
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
