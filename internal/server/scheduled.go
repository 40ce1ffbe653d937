package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/cron"
)

// startCrons runs the configuration's [triggers] crons while the server
// runs. A trigger fires at its scheduled minute; runs missed while the
// process was down are not made up (so none runs twice), and a slow run
// does not delay the next one, as on Cloudflare. Each run's outcome is
// logged.
func (d *Dev) startCrons() error {
	var scheds []*cron.Schedule
	for _, expr := range d.cfg.Triggers.Crons {
		s, err := cron.Parse(expr)
		if err != nil {
			return fmt.Errorf("dev: [triggers] crons: %w", err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		d.wg.Add(1)
		go d.runCron(s)
	}
	return nil
}

func (d *Dev) runCron(s *cron.Schedule) {
	defer d.wg.Done()
	for {
		next := s.Next(time.Now())
		if next.IsZero() {
			d.log.Warn("cron never fires", "cron", s.String())
			return
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-d.stop:
			t.Stop()
			return
		case <-t.C:
		}
		go d.fireCron(s.String(), next)
	}
}

// fireCron runs one scheduled event and logs its outcome.
func (d *Dev) fireCron(expr string, at time.Time) (ok bool, msg string) {
	w := d.current.Load()
	if w == nil {
		return false, "zerostack is shutting down"
	}
	start := time.Now()
	res := w.Scheduled(expr, at)
	took := time.Since(start).Round(time.Millisecond)
	if res.OK {
		d.log.Info("scheduled event", "cron", expr, "outcome", "ok", "took", took)
		if d.opts.AccessLog != nil {
			d.opts.AccessLog("SCHEDULED", expr, http.StatusOK, took)
		}
		return true, ""
	}
	d.log.Error("scheduled event", "cron", expr, "outcome", "exception", "took", took, "err", res.Error)
	if d.opts.AccessLog != nil {
		d.opts.AccessLog("SCHEDULED", expr, http.StatusInternalServerError, took)
	}
	return false, res.Error
}

// serveTestScheduled answers wrangler's /__scheduled route (with
// --test-scheduled): ?cron= picks the expression (default "* * * * *"),
// ?time= the scheduled time in milliseconds since the epoch (default now).
func (d *Dev) serveTestScheduled(rw http.ResponseWriter, r *http.Request) {
	expr := r.URL.Query().Get("cron")
	if expr == "" {
		expr = "* * * * *"
	}
	at := time.Now()
	if ts := r.URL.Query().Get("time"); ts != "" {
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			http.Error(rw, "time must be milliseconds since the epoch", http.StatusBadRequest)
			return
		}
		at = time.UnixMilli(ms)
	}
	ok, msg := d.fireCron(expr, at)
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		rw.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintln(rw, strings.TrimSpace(msg))
		return
	}
	fmt.Fprint(rw, "Ran scheduled event")
}
