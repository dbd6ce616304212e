package store

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestSessionFields checks the table of session columns: names unique,
// every field of a type fieldValue and appendJSONValue know, the stage
// times in stage order, and a row's JSON an object with exactly the
// row's columns.
func TestSessionFields(t *testing.T) {
	t.Parallel()
	rows := benchRows()[:2]
	seen := map[string]bool{"id": true, "shop_id": true, "created_at": true}
	for _, f := range sessionFields {
		if seen[f.name] {
			t.Errorf("column %s listed twice", f.name)
		}
		seen[f.name] = true
		_ = fieldValue(f.field(&rows[0])) // panics on a type it does not know
		if _, err := appendJSONValue(nil, f.field(&rows[0])); err != nil {
			t.Errorf("column %s: %v", f.name, err)
		}
	}
	if want := "added_to_cart_at, checkout_started_at, contact_submitted_at, address_submitted_at, payment_reached_at, completed_at"; stageTimeColumns != want {
		t.Errorf("stageTimeColumns = %q, want %q", stageTimeColumns, want)
	}
	doc, err := appendSessionsJSON(nil, rows)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(doc, &objs); err != nil {
		t.Fatalf("rows' JSON %s: %v", doc, err)
	}
	if len(objs) != len(rows) {
		t.Fatalf("%d objects for %d rows", len(objs), len(rows))
	}
	want := append([]string{"id", "shop_id", "created_at"}, sessionColumns()...)
	slices.Sort(want)
	for _, o := range objs {
		var keys []string
		for k := range o {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Errorf("a row's JSON has keys %v, want %v", keys, want)
		}
	}
}

// benchRows are 64 rows of checkouts with contents and attributes.
func benchRows() []sessionRow {
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 123456789, time.UTC)
	rows := make([]sessionRow, 64)
	for i := range rows {
		k := "cart-" + strconv.Itoa(i)
		rows[i] = sessionRow{ID: int64(i + 1), CreatedAt: t0, UpdatedAt: t0}
		rows[i].setSession(7, funnel.FromEvent(funnel.Event{
			Kind: funnel.KindCheckout, CartToken: k, CheckoutToken: "co-" + k, CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
			Value: 4200, Currency: "EUR", ItemCount: 2, Email: "ann@example.com",
			HasShippingAddress: true, RequiresShipping: true, Country: "DE", SourceName: "web",
			LandingSite: "/products/mug?utm_source=x&y=<z>", Returning: true, ReturningKnown: true,
			LineItems: []funnel.LineItem{{Title: "Mug \"blue\"", Quantity: 1}, {Title: "Tea", Quantity: 1}},
		}))
	}
	return rows
}

// BenchmarkSessionRowsJSON is the work of the PostgreSQL ingest's writes
// on a batch of 64 sessions before they are sent: the rows built from the
// domain sessions and their JSON document.
func BenchmarkSessionRowsJSON(b *testing.B) {
	rows := benchRows()
	sessions := make([]funnel.Session, len(rows))
	for i, r := range rows {
		sessions[i] = r.toSession()
	}
	b.ReportAllocs()
	for b.Loop() {
		out := make([]sessionRow, len(sessions))
		for i, s := range sessions {
			out[i].setSession(7, s)
		}
		if _, err := appendSessionsJSON(nil, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionRowsToSessions is the work of reading 64 loaded rows
// back into domain sessions.
func BenchmarkSessionRowsToSessions(b *testing.B) {
	rows := benchRows()
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rows {
			_ = r.toSession()
		}
	}
}
