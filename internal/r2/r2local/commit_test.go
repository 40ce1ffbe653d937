package r2local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/sqlitedb"
)

// blobFiles lists the blob files of the store in dir.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, d.Name())
		}
		return nil
	})
	return out
}

func getBytes(t *testing.T, s *Store, key string, rg *r2.Range) []byte {
	t.Helper()
	res, err := s.Get(context.Background(), "b", key, r2.GetOptions{Range: rg})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

// TestInlineBodies checks where bodies live: up to InlineMax bytes in the
// metadata row (no blob file), larger in a blob file; both read back the
// same, whole and ranged, after a reopen; replacing an object in either
// direction and deleting it leaves no blob file behind.
func TestInlineBodies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, InlineMax+1)
	for i := range data {
		data[i] = byte(i*13 + i>>8)
	}
	sizes := map[string]int{"empty": 0, "one": 1, "max": InlineMax, "file": InlineMax + 1}
	for k, n := range sizes {
		o, err := s.Put(ctx, "b", k, bytes.NewReader(data[:n]), r2.PutOptions{})
		if err != nil || o.Size != int64(n) {
			t.Fatalf("put %s: %+v, %v", k, o, err)
		}
	}
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Fatalf("blob files after puts of 0, 1, InlineMax and InlineMax+1 bytes: %v, want one", files)
	}
	s.Close()
	s = open(t, dir)
	i64 := func(n int64) *int64 { return &n }
	for k, n := range sizes {
		if got := getBytes(t, s, k, nil); !bytes.Equal(got, data[:n]) {
			t.Errorf("%s: got %d bytes, want %d", k, len(got), n)
		}
		if n > 10 {
			if got := getBytes(t, s, k, &r2.Range{Offset: i64(3), Length: i64(7)}); !bytes.Equal(got, data[3:10]) {
				t.Errorf("%s: range got %q", k, got)
			}
		}
	}
	// file → inline, inline → file, then deletes.
	if _, err := s.Put(ctx, "b", "file", strings.NewReader("now small"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	s.waitRemovals()
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Fatalf("blob file kept after its object became inline: %v", files)
	}
	if _, err := s.Put(ctx, "b", "one", bytes.NewReader(data), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := getBytes(t, s, "one", nil); !bytes.Equal(got, data) {
		t.Fatal("inline → file replacement reads back wrong")
	}
	if err := s.Delete(ctx, "b", "one", "file", "max", "empty"); err != nil {
		t.Fatal(err)
	}
	s.waitRemovals()
	if files := blobFiles(t, dir); len(files) != 0 {
		t.Fatalf("blob files after deleting everything: %v", files)
	}
	var n int
	if err := s.DB().R.QueryRow("SELECT count(*) FROM r2_objects").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows after delete: %d, %v", n, err)
	}
}

// TestGroupCommit runs many concurrent writers that also race to create
// the same keys with If-None-Match: * (exactly one may win each; the
// losers that passed the early check fail inside a group), and checks that
// each failure is that writer's alone (the rest of its group is stored),
// that every acknowledged put reads back after a reopen, and that the
// writers shared transactions.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var groups, changes int
	s.onGroup = func(n int) { groups++; changes += n }
	const writers, each = 48, 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := map[string]string{}
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("k-%d-%d", w, i)
				if _, err := s.Put(ctx, "b", key, strings.NewReader(key), r2.PutOptions{}); err != nil {
					errs <- fmt.Errorf("put %s: %w", key, err)
				}
				race, mine := fmt.Sprintf("race-%d", i), fmt.Sprintf("writer %d", w)
				_, err := s.Put(ctx, "b", race, strings.NewReader(mine), r2.PutOptions{OnlyIf: &r2.Conditional{EtagDoesNotMatch: []string{"*"}}})
				switch {
				case err == nil:
					mu.Lock()
					if prev, ok := winners[race]; ok {
						errs <- fmt.Errorf("%s created by %s and by %s", race, prev, mine)
					}
					winners[race] = mine
					mu.Unlock()
				case !errors.Is(err, r2.ErrPreconditionFailed):
					errs <- fmt.Errorf("conditional put of %s: %v, want ErrPreconditionFailed", race, err)
				}
				// A multi-statement change (savepoint path) in the same groups.
				if i%5 == 4 {
					if err := s.Delete(ctx, "b", fmt.Sprintf("k-%d-%d", w, i-1), "no-such-key"); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if groups >= changes {
		t.Errorf("%d groups for %d concurrent changes: no two shared a transaction", groups, changes)
	}
	t.Logf("%d changes in %d groups", changes, groups)
	s.Close()
	s = open(t, dir)
	for i := range each {
		race := fmt.Sprintf("race-%d", i)
		if got := getBytes(t, s, race, nil); string(got) != winners[race] {
			t.Fatalf("%s = %q, but the put acknowledged was by %q", race, got, winners[race])
		}
	}
	for w := range writers {
		for i := range each {
			key := fmt.Sprintf("k-%d-%d", w, i)
			_, err := s.Head(ctx, "b", key)
			if i%5 == 3 {
				if !errors.Is(err, r2.ErrNoSuchKey) {
					t.Fatalf("%s was deleted but head says %v", key, err)
				}
				continue
			}
			if got := getBytes(t, s, key, nil); string(got) != key {
				t.Fatalf("%s = %q after reopen", key, got)
			}
		}
	}
}

// TestWriteAfterClose checks that writes racing with Close either commit
// or fail with a clear error, and that none hangs.
func TestWriteAfterClose(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				_, err := s.Put(ctx, "b", fmt.Sprintf("k%d-%d", w, i), strings.NewReader("v"), r2.PutOptions{})
				if err != nil && !errors.Is(err, errClosed) {
					t.Errorf("put during close: %v", err)
				}
			}
		}()
	}
	s.Close()
	wg.Wait()
	if _, err := s.Put(ctx, "b", "late", strings.NewReader("v"), r2.PutOptions{}); !errors.Is(err, errClosed) {
		t.Fatalf("put after close: %v, want errClosed", err)
	}
}

// TestMigrateAddsInlineColumn opens a database made before bodies were
// stored inline (no data column) and checks that its objects stay readable
// and new small ones go inline.
func TestMigrateAddsInlineColumn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "blobs", "ab"), 0o755)
	blob := "ab" + strings.Repeat("0", 30)
	if err := os.WriteFile(filepath.Join(dir, "blobs", "ab", blob), []byte("old bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.Open(filepath.Join(dir, "r2.sqlite"), nil)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(schema, "\tdata BLOB,\n", "", 1)
	if old == schema {
		t.Fatal("schema has no data column to leave out")
	}
	if _, err := db.W.Exec(old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`INSERT INTO r2_objects (bucket, `+objectCols+`) VALUES ('b', CAST('old' AS BLOB), 'v1', ?, 9, 'e', 0, '{}', '{}', '{}', 'Standard')`, blob); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := open(t, dir)
	if got := getBytes(t, s, "old", nil); string(got) != "old bytes" {
		t.Fatalf("old object = %q", got)
	}
	if _, err := s.Put(ctx, "b", "new", strings.NewReader("new bytes"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := getBytes(t, s, "new", nil); string(got) != "new bytes" {
		t.Fatalf("new object = %q", got)
	}
}

// TestDecodeChecksums checks the fast path for an MD5 alone against
// encoding/json on what json.Marshal writes.
func TestDecodeChecksums(t *testing.T) {
	for _, c := range []r2.Checksums{
		{}, {MD5: []byte{1, 2, 3, 250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5, 6}},
		{MD5: []byte("0123456789abcdef"), SHA256: bytes.Repeat([]byte{7}, 32)}, {SHA1: bytes.Repeat([]byte{9}, 20)},
	} {
		var got r2.Checksums
		if err := decodeChecksums(mustJSON(c), &got); err != nil {
			t.Fatal(err)
		}
		if mustJSON(got) != mustJSON(c) {
			t.Errorf("decodeChecksums(%s) = %s", mustJSON(c), mustJSON(got))
		}
	}
	var got r2.Checksums
	if err := decodeChecksums(`{"md5":"not base64!"}`, &got); err == nil {
		t.Error("invalid base64 accepted")
	}
}

// TestGetsAcrossClose runs Gets concurrently with Close: each either reads
// the object or fails cleanly, and none panics or leaks a connection into
// the closed pool.
func TestGetsAcrossClose(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "b", "k", strings.NewReader("value"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				res, err := s.Get(ctx, "b", "k", r2.GetOptions{})
				if err != nil {
					continue
				}
				if b, _ := io.ReadAll(res.Body); string(b) != "value" {
					t.Errorf("get = %q", b)
				}
				res.Body.Close()
			}
		}()
	}
	s.Close()
	wg.Wait()
	if _, err := s.Get(ctx, "b", "k", r2.GetOptions{}); err == nil {
		t.Fatal("get after close succeeded")
	}
	s.readers.mu.Lock()
	defer s.readers.mu.Unlock()
	if len(s.readers.idle) != 0 {
		t.Fatalf("%d connections left in the closed pool", len(s.readers.idle))
	}
}

// TestCanceledChangeNotApplied checks that a change whose context is done
// by the time the committer reaches it is skipped and reported as such.
func TestCanceledChangeNotApplied(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if _, err := s.Put(ctx, "b", "k", strings.NewReader("v"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Delete(canceled, "b", "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("delete with a canceled context: %v", err)
	}
	if got := getBytes(t, s, "k", nil); string(got) != "v" {
		t.Fatalf("object after a canceled delete = %q", got)
	}
}
