package ai_test

import (
	"testing"

	"github.com/zerostack/zerostack/internal/ai"
)

func FuzzParseConfig(f *testing.F) {
	f.Add("[ai]\ndefault = \"x\"\n[ai.providers.x]\ntype = \"openai\"\nurl = \"http://h/v1\"\n")
	f.Add("[ai.models.\"@cf/a/b\"]\nprovider = \"embedded\"\n")
	f.Add("[ai]\nproviders = 3\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ai.ParseConfig("zerostack.toml", []byte(src))
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

func FuzzParseGenerate(f *testing.F) {
	f.Add(`{"prompt":"hi","max_tokens":5}`)
	f.Add(`{"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]}`)
	f.Add(`{"prompt":null,"messages":null}`)
	f.Fuzz(func(t *testing.T, src string) {
		r, err := ai.ParseGenerate([]byte(src))
		if err == nil && r.Prompt == "" && len(r.Messages) == 0 {
			t.Fatalf("accepted %q without prompt or messages", src)
		}
	})
}
