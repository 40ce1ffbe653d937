package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
)

func TestAIModels(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"x\"\n[ai]\nbinding = \"AI\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "zerostack.toml"), []byte(`[ai.providers.local]
type = "openai"
url = "http://127.0.0.1:1/v1"
model = "llama3.2"

[ai.models."@cf/meta/llama-3.1-8b-instruct"]
provider = "local"
model = "llama3.1:8b"
`), 0o644)
	code, out, errOut := runIn(t, dir, "", "ai", "models")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"@cf/meta/llama-3.1-8b-instruct",
		"local (llama3.1:8b)",
		"@cf/baai/bge-base-en-v1.5",
		"embedded, 512 dimensions",
		"zerostack has no local Text-to-Image model",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runIn(t, dir, "", "ai", "models", "--json")
	var rows []map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 11 {
		t.Fatalf("json: %d %s", code, out)
	}
	// A bad zerostack.toml is reported with its line.
	os.WriteFile(filepath.Join(dir, "zerostack.toml"), []byte("[ai]\ndefault = 1\n"), 0o644)
	code, _, errOut = runIn(t, dir, "", "ai", "models")
	if code != 1 || !strings.Contains(errOut, "zerostack.toml:2:1: ai.default: expected a string") {
		t.Errorf("bad config: %d %s", code, errOut)
	}
}

func TestAIUsage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"x\"\n"), 0o644)
	code, out, _ := runIn(t, dir, "", "ai", "usage")
	if code != 0 || !strings.Contains(out, "No Workers AI requests recorded yet") {
		t.Errorf("empty: %d %q", code, out)
	}
	u, err := ai.OpenUsage(filepath.Join(dir, ".zerostack", "state", "ai", ai.UsageFile))
	if err != nil {
		t.Fatal(err)
	}
	u.Record("@cf/meta/llama-2-7b-chat-int8", 12, 30, 250*time.Millisecond, false)
	u.Record("@cf/meta/llama-2-7b-chat-int8", 3, 0, 5*time.Millisecond, true)
	u.Close()
	code, out, _ = runIn(t, dir, "", "ai", "usage")
	if code != 0 || !strings.Contains(out, "@cf/meta/llama-2-7b-chat-int8") || !strings.Contains(out, "255ms") {
		t.Errorf("usage: %d\n%s", code, out)
	}
	code, out, _ = runIn(t, dir, "", "ai", "usage", "--json")
	var rows []ai.ModelUsage
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Requests != 2 || rows[0].Errors != 1 || rows[0].InputTokens != 15 || rows[0].OutputTokens != 30 {
		t.Errorf("json: %d %s", code, out)
	}
}

func TestAIPull(t *testing.T) {
	data := []byte(strings.Repeat("GGUF model bytes ", 5000))
	sum := sha256.Sum256(data)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "tiny.gguf", time.Time{}, strings.NewReader(string(data)))
	}))
	defer hs.Close()
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"x\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "zerostack.toml"), []byte("[ai]\nmodels_dir = \"models\"\n"), 0o644)
	// Half the file is already there from an interrupted run.
	os.MkdirAll(models, 0o755)
	os.WriteFile(filepath.Join(models, "tiny.gguf.part"), data[:len(data)/2], 0o644)
	code, out, errOut := runIn(t, dir, "", "ai", "pull", hs.URL+"/org/repo/resolve/main/tiny.gguf", "--sha256", hex.EncodeToString(sum[:]))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, _ := os.ReadFile(strings.TrimSpace(out))
	if strings.TrimSpace(out) != filepath.Join(models, "tiny.gguf") || string(got) != string(data) {
		t.Errorf("pulled to %q, %d bytes", out, len(got))
	}
	if !strings.Contains(errOut, "zerostack dev --ai-gguf") {
		t.Errorf("no hint: %s", errOut)
	}
	code, _, errOut = runIn(t, dir, "", "ai", "pull", hs.URL+"/x/tiny.gguf", "--name", "bad.gguf", "--sha256", strings.Repeat("ab", 32))
	if code != 1 || !strings.Contains(errOut, "checksum mismatch") {
		t.Errorf("bad checksum: %d %s", code, errOut)
	}
}
