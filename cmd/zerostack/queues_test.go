package main

import (
	"encoding/json"
	"net/http"
	"syscall"
	"testing"
	"time"
)

type ledgerStats struct {
	Total    int `json:"total"`
	Distinct int `json:"distinct_seqs"`
}

func ledger(t *testing.T, base string) ledgerStats {
	t.Helper()
	resp, err := http.Get(base + "/stats")
	if err != nil {
		return ledgerStats{}
	}
	defer resp.Body.Close()
	var s ledgerStats
	json.NewDecoder(resp.Body).Decode(&s)
	return s
}

// TestQueueSurvivesSIGKILL produces 10,000 messages, kills the real binary
// with SIGKILL while its consumer is recording them in D1, restarts it on
// the same state and checks that every message was processed at least
// once. Duplicates (processed, not yet acknowledged when killed) are
// allowed by at-least-once delivery and reported.
func TestQueueSurvivesSIGKILL(t *testing.T) {
	bin := testBinary(t)
	state := t.TempDir()
	cmd, base := startDev(t, bin, "queue-ledger", state)
	resp, err := http.Post(base+"/produce?count=10000", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("produce: %v %v", err, resp)
	}
	resp.Body.Close()
	deadline := time.Now().Add(60 * time.Second)
	var before ledgerStats
	for before = ledger(t, base); before.Total < 1500; before = ledger(t, base) {
		if time.Now().After(deadline) {
			t.Fatal("consumer made no progress")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if killed := ledger(t, base); killed.Total != 0 {
		t.Fatal("the process survived SIGKILL")
	}
	_, base = startDev(t, bin, "queue-ledger", state)
	var s ledgerStats
	deadline = time.Now().Add(120 * time.Second)
	for {
		s = ledger(t, base)
		if s.Distinct == 10000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s.Distinct != 10000 {
		t.Fatalf("after restart %d of 10000 messages processed (%d records)", s.Distinct, s.Total)
	}
	t.Logf("10000 messages, killed after about %d were processed; %d processed records in all: %d duplicates (at-least-once)", before.Total, s.Total, s.Total-s.Distinct)
}
