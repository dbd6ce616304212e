package shopify

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCollectBatch decodes the recorded 28-event visit: the
// collector's decoding cost per batch and per event, beside the former
// decoder's (the differential oracle), so that one run on a busy machine
// compares the two.
func BenchmarkParseCollectBatch(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "customer-events", "batch_visit.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		parse func([]byte) (CollectBatch, error)
	}{{"one-pass", ParseCollectBatch}, {"former", oracleParseCollectBatch}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.parse(body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/28, "ns/event")
		})
	}
}
