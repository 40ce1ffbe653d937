package server

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleCronCleanup drives the guide's Cron Trigger through
// /__scheduled, as `zerostack dev --test-scheduled` serves it.
func TestExampleCronCleanup(t *testing.T) {
	src := filepath.Join(examplesDir(t), "cron-cleanup")
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", src+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy example: %v %s", err, out)
	}
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, TestScheduled: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
	})
	for _, s := range []string{`{"id":"old","ageHours":48}`, `{"id":"new","ageHours":1}`} {
		if r := do(t, "POST", d.URL()+"/seed", s, map[string]string{"Content-Type": "application/json"}); r.status != 201 {
			t.Fatalf("seed: %d %s", r.status, r.body)
		}
	}
	r := do(t, "GET", d.URL()+"/__scheduled?cron="+strings.ReplaceAll("0 * * * *", " ", "+"), "", nil)
	if r.status != 200 || r.body != "Ran scheduled event" {
		t.Fatalf("scheduled: %d %q", r.status, r.body)
	}
	stats := decodeJSON(t, do(t, "GET", d.URL()+"/stats", "", nil).body)
	if stats["sessions"] != float64(1) {
		t.Fatalf("stats %v: want the old session deleted and one left", stats)
	}
}

func TestCronTriggersFire(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, `
let runs = 0;
export default {
  fetch: () => new Response(String(runs)),
  scheduled: () => { runs++; },
};`, map[string]string{"wrangler.toml": "name = \"cron\"\nmain = \"src/index.ts\"\n[triggers]\ncrons = [\"* * * * *\"]\n"})
	d := startDir(t, DevOptions{Path: dir})
	// The trigger fires at the start of the next minute.
	deadline := time.Now().Add(75 * time.Second)
	for {
		if r := do(t, "GET", d.URL(), "", nil); r.body != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the every-minute trigger did not fire")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestBadCronFailsStart(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, dir, `export default { fetch: () => new Response("x") }`,
		map[string]string{"wrangler.toml": "name = \"cron\"\nmain = \"src/index.ts\"\n[triggers]\ncrons = [\"61 * * * *\"]\n"})
	_, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1})
	if err == nil || !strings.Contains(err.Error(), "61 * * * *") {
		t.Fatalf("got %v", err)
	}
}
