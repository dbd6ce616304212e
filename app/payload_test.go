package app_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
)

// payload is a fixture decoded for editing; numbers stay exact (ids exceed 2^53).
type payload map[string]any

func loadPayload(t *testing.T, name string) payload {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(testkit.Fixture(t, name)))
	dec.UseNumber()
	var p payload
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return p
}

// with returns a deep copy of p with the given top-level fields replaced.
func (p payload) with(t *testing.T, fields map[string]any) payload {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out payload
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

func (p payload) bytes(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineItems returns the payload's line items, for editing prices.
func (p payload) lineItems() []any {
	items, _ := p["line_items"].([]any)
	return items
}
