package use

import (
	"strings"
	"testing"
)

// benchSentence has 20 words, like the sentences the Node figures used.
const benchSentence = "The quick brown fox jumps over the lazy dog while the farmer watches from the old wooden porch nearby today."

func BenchmarkLoad(b *testing.B) {
	dir := DefaultDir()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbedOne(b *testing.B) {
	m := model(b)
	for b.Loop() {
		if _, err := m.Embed([]string{benchSentence}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "embeddings/s")
}

func BenchmarkEmbedBatch16(b *testing.B) {
	m := model(b)
	batch := make([]string, 16)
	for i := range batch {
		batch[i] = strings.Replace(benchSentence, "fox", strings.Repeat("x", i+1), 1)
	}
	for b.Loop() {
		if _, err := m.Embed(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "embeddings/s")
}
