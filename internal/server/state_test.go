package server

import (
	"testing"

	"github.com/zerostack/zerostack/internal/config"
)

// The local ids follow wrangler dev's choice: preview ids first.
func TestLocalIDs(t *testing.T) {
	if got := KVNamespaceID(config.KVNamespace{Binding: "B", ID: "prod", PreviewID: "prev"}); got != "prev" {
		t.Errorf("KV with both ids: %q", got)
	}
	if got := KVNamespaceID(config.KVNamespace{Binding: "B", ID: "prod"}); got != "prod" {
		t.Errorf("KV with id: %q", got)
	}
	if got := KVNamespaceID(config.KVNamespace{Binding: "B"}); got != "B" {
		t.Errorf("KV without ids: %q", got)
	}
	if got := R2BucketName(config.R2Bucket{Binding: "B", BucketName: "prod", PreviewBucketName: "prev"}); got != "prev" {
		t.Errorf("R2: %q", got)
	}
	st, err := OpenState(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := config.D1Database{Binding: "DB", DatabaseName: "app", DatabaseID: "11111111-1111-4111-8111-111111111111",
		PreviewDatabaseID: "22222222-2222-4222-8222-222222222222"}
	info, err := st.EnsureD1(t.Context(), b)
	if err != nil || info.UUID != b.PreviewDatabaseID || info.Name != "app" {
		t.Fatalf("EnsureD1: %v %+v", err, info)
	}
	again, err := st.EnsureD1(t.Context(), b)
	if err != nil || again.UUID != info.UUID {
		t.Fatalf("EnsureD1 again: %v %+v", err, again)
	}
	// A placeholder id that is not a UUID still gets a database, by name.
	info, err = st.EnsureD1(t.Context(), config.D1Database{Binding: "X", DatabaseName: "other", DatabaseID: "xxxx"})
	if err != nil || info.Name != "other" {
		t.Fatalf("EnsureD1 placeholder id: %v %+v", err, info)
	}
}
