package shopify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCollectBatch decodes the recorded 28-event visit, as
// recorded (indented) and compact (as the pixel's JSON.stringify sends
// it): the collector's decoding cost per batch and per event, beside the
// former decoder's (the differential oracle), so that one run on a busy
// machine compares the two.
func BenchmarkParseCollectBatch(b *testing.B) {
	indented, err := os.ReadFile(filepath.Join("..", "testdata", "customer-events", "batch_visit.json"))
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, indented); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		body  []byte
		parse func([]byte) (CollectBatch, error)
	}{
		{"one-pass/compact", compact.Bytes(), ParseCollectBatch}, {"former/compact", compact.Bytes(), oracleParseCollectBatch},
		{"one-pass/indented", indented, ParseCollectBatch}, {"former/indented", indented, oracleParseCollectBatch},
	} {
		body := c.body
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
