package app

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// TestPriceChangeText names the variants of a product of several, not the
// one of a product without options, in the shop's currency, and cuts a
// long description to the longest a change may have.
func TestPriceChangeText(t *testing.T) {
	one := []store.PriceChange{{VariantPrice: store.VariantPrice{VariantID: 1, Title: defaultVariantTitle, Price: 1900}, Old: 2100}}
	if got := priceChangeText("Canvas Tote Bag", one, "USD"); got != "Canvas Tote Bag: $21.00 → $19.00" {
		t.Errorf("one variant: %q", got)
	}
	two := []store.PriceChange{
		{VariantPrice: store.VariantPrice{VariantID: 1, Title: "Small", Price: 1900}, Old: 2100},
		{VariantPrice: store.VariantPrice{VariantID: 2, Title: "Large", Price: 250000}, Old: 230000},
	}
	if got := priceChangeText("Canvas Tote Bag", two, "EUR"); got != "Canvas Tote Bag: Small €21.00 → €19.00, Large €2,300.00 → €2,500.00" {
		t.Errorf("two variants: %q", got)
	}
	if got := priceChangeText("Tote", one, "SEK"); got != "Tote: 21.00 SEK → 19.00 SEK" {
		t.Errorf("SEK: %q", got)
	}
	var many []store.PriceChange
	for range 100 {
		many = append(many, two...)
	}
	if got := priceChangeText("Canvas Tote Bag", many, "USD"); utf8.RuneCountInString(got) != funnel.MaxChangeDescription || !strings.HasSuffix(got, "…") {
		t.Errorf("a long description has %d characters: %q", utf8.RuneCountInString(got), got)
	}
}

// TestChangeFromDiscount: a creation, an expiry, an ends_at passed and a
// deletion are changes; an update of an active discount, or one ending
// later, is none; a date in the future is clamped to now.
func TestChangeFromDiscount(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const gid = `"admin_graphql_api_id": "gid://shopify/DiscountCodeNode/42"`
	for _, tc := range []struct {
		name, topic, body, desc string
		at                      time.Time
	}{
		{"created", shopify.TopicDiscountsCreate, `{` + gid + `, "title": "BFCM", "status": "ACTIVE", "created_at": "2026-11-20T10:00:00Z"}`,
			"Created the discount “BFCM”", time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
		{"created in the future", shopify.TopicDiscountsCreate, `{` + gid + `, "title": "BFCM", "status": "SCHEDULED", "created_at": "2027-01-01T00:00:00Z"}`,
			"Created the discount “BFCM”", now},
		{"expired", shopify.TopicDiscountsUpdate, `{` + gid + `, "title": "BFCM", "status": "EXPIRED", "updated_at": "2026-11-24T00:00:00Z"}`,
			"Ended the discount “BFCM”", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)},
		{"ends_at passed", shopify.TopicDiscountsUpdate, `{` + gid + `, "title": "BFCM", "status": "ACTIVE", "updated_at": "2026-11-24T00:00:00Z", "ends_at": "2026-11-23T00:00:00Z"}`,
			"Ended the discount “BFCM”", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{"still active", shopify.TopicDiscountsUpdate, `{` + gid + `, "title": "BFCM", "status": "ACTIVE", "updated_at": "2026-11-24T00:00:00Z"}`, "", time.Time{}},
		{"ends later", shopify.TopicDiscountsUpdate, `{` + gid + `, "title": "BFCM", "status": "ACTIVE", "ends_at": "2026-12-01T00:00:00Z"}`, "", time.Time{}},
		{"deleted", shopify.TopicDiscountsDelete, `{` + gid + `, "deleted_at": "2026-11-24T09:00:00Z"}`,
			"Ended the discount “#42”", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)},
		{"no id", shopify.TopicDiscountsDelete, `{"deleted_at": "2026-11-24T09:00:00Z"}`, "", time.Time{}},
	} {
		c, reason := changeFromDiscount(store.Delivery{Topic: tc.topic, WebhookID: "w", Payload: []byte(tc.body)}, now)
		if tc.desc == "" {
			if reason == "" {
				t.Errorf("%s: recorded %+v", tc.name, c)
			}
			continue
		}
		if reason != "" || c.Description != tc.desc || !c.At.Equal(tc.at) || c.Kind != funnel.ChangeDiscount || !strings.HasPrefix(c.DedupeKey, "discount:gid://shopify/DiscountCodeNode/42:") {
			t.Errorf("%s: %+v, %q", tc.name, c, reason)
		}
	}
}

// TestChangeTime dates a change by the payload's time when plausible, else
// by the delivery's trigger time, else now: a time in the future is never
// used.
func TestChangeTime(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	triggered := now.Add(-time.Minute)
	past := shopify.Time{Time: now.Add(-48 * time.Hour)}
	future := shopify.Time{Time: now.Add(30 * 24 * time.Hour)}
	for _, tc := range []struct {
		name        string
		t           shopify.Time
		d           store.Delivery
		want        time.Time
		fromPayload bool
	}{
		{"the payload's", past, store.Delivery{TriggeredAt: &triggered}, past.Time, true},
		{"future, triggered", future, store.Delivery{TriggeredAt: &triggered}, triggered, false},
		{"future, now", future, store.Delivery{}, now, false},
		{"none", shopify.Time{}, store.Delivery{}, now, false},
	} {
		if at, from := changeTime(tc.t, tc.d, now); !at.Equal(tc.want) || from != tc.fromPayload {
			t.Errorf("%s: %v %v, want %v %v", tc.name, at, from, tc.want, tc.fromPayload)
		}
	}
}
