package app_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/store"
)

// segmentedReport is the part of /api/funnel the segments scenario reads.
type segmentedReport struct {
	Stages []struct {
		Key                 string
		Sessions            int64
		RateFromPrevious    *float64 `json:"rate_from_previous"`
		RateFromStart       *float64 `json:"rate_from_start"`
		DropoffFromPrevious int64    `json:"dropoff_from_previous"`
	}
	AbandonedCarts   int64  `json:"abandoned_carts"`
	CheckoutDropoffs int64  `json:"checkout_dropoffs"`
	PaymentDropoffs  int64  `json:"payment_dropoffs"`
	KnownFrom        string `json:"known_from"`
	SegmentValue     string `json:"segment_value"`
	Segments         []struct {
		Value string
		segmentedReport
	}
	Opportunities []struct {
		To          string
		Entering    int64
		Band        string
		Opportunity string
	}
}

// TestScenarioSegments delivers shoppers of three countries, new and
// returning, shuffled, redelivered and duplicated, some of whose orders
// name nothing but their tokens, and checks every split: orders count
// under their shopper's country and customer type, the segments add up to
// the whole, the rates an attribute cannot support are null, and a chosen
// segment value drives the funnel, its drop-offs and what to fix first.
func TestScenarioSegments(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "segments.myshopify.com"
		h.install(shop)
		now := h.clock.Now()
		start := now.Add(-2 * 24 * time.Hour)

		// Shoppers give their country at the checkout's address step and
		// sign in at its contact step, new or returning; every third order
		// names neither country, source nor customer (a digital order of a
		// newer API version), which must erase nothing.
		var all []delivery
		wantOrders := map[string]int64{}
		wantOrdersByType := map[string]int64{}
		n := 0
		for _, stop := range funnel.Stages() {
			for _, country := range []string{"CA", "US", "DE"} {
				for k := range 2 {
					n++
					prior := 0
					if k == 0 { // the first of each pair has ordered before
						prior = 3
					}
					s := journeys.Shopper{
						N: n, Cart: fmt.Sprintf("seg-cart-%03d", n), Checkout: fmt.Sprintf("seg-chk-%03d", n), Email: fmt.Sprintf("seg%d@example.com", n),
						Stop: stop, At: scenarioTimes(start.Add(time.Duration(n) * time.Minute)),
						Items:  []journeys.Item{{Title: "Example T-Shirt", Cents: 5997, Qty: 1}},
						Source: "web", Country: journeys.Country{Code: country},
						SignedIn: true, PriorOrders: prior, BareOrder: n%3 == 0,
					}
					all = append(all, deliveriesOf(t, s)...)
					if stop == funnel.StageCompleted {
						wantOrders[country]++
						wantOrdersByType[map[bool]string{true: "returning", false: "new"}[s.PriorOrders > 0]]++
					}
				}
			}
		}
		rng := rand.New(rand.NewPCG(3, 5))
		sent := append([]delivery(nil), all...)
		for _, d := range all {
			switch rng.IntN(4) {
			case 0:
				sent = append(sent, d)
			case 1:
				sent = append(sent, delivery{topic: d.topic, id: d.id + "-dup", body: d.body})
			}
		}
		// Newest first, then shuffled within: orders before their checkouts.
		for i, j := 0, len(sent)-1; i < j; i, j = i+1, j-1 {
			sent[i], sent[j] = sent[j], sent[i]
		}
		rng.Shuffle(len(sent)/2, func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
		for _, d := range sent {
			if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", d.topic, d.id, resp.StatusCode, body)
			}
		}

		get := func(query url.Values) segmentedReport {
			t.Helper()
			query.Set("from", start.Format("2006-01-02"))
			query.Set("to", now.Format("2006-01-02"))
			resp, body := h.api(http.MethodGet, "/api/funnel?"+query.Encode(), shop, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/api/funnel?%s: %d %s", query.Encode(), resp.StatusCode, body)
			}
			var r segmentedReport
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		whole := get(url.Values{})
		for _, segment := range funnel.Segments() {
			r := get(url.Values{"segment": {segment}})
			known := funnel.KnownFrom(segment)
			for i, stage := range whole.Stages {
				var sessions, dropped int64
				for _, seg := range r.Segments {
					sessions += seg.Stages[i].Sessions
					dropped += seg.Stages[i].DropoffFromPrevious
					st, _ := funnel.ParseStage(stage.Key)
					if i == 0 || seg.Stages[i-1].Sessions == 0 {
						continue // no rate to give or hide
					}
					if hidden := st <= known; hidden != (seg.Stages[i].RateFromPrevious == nil) {
						t.Errorf("by %s, %s: %s rate from previous = %v, known from %s", segment, seg.Value, stage.Key, seg.Stages[i].RateFromPrevious, known)
					}
				}
				if sessions != stage.Sessions || dropped != stage.DropoffFromPrevious {
					t.Errorf("by %s: %s adds up to %d (%d dropped), whole %d (%d)", segment, stage.Key, sessions, dropped, stage.Sessions, stage.DropoffFromPrevious)
				}
			}
			var abandoned, checkout, payment int64
			for _, seg := range r.Segments {
				abandoned, checkout, payment = abandoned+seg.AbandonedCarts, checkout+seg.CheckoutDropoffs, payment+seg.PaymentDropoffs
				if want := map[bool]string{true: known.Key(), false: ""}[known > funnel.StageAddedToCart]; seg.KnownFrom != want {
					t.Errorf("by %s, %s: known_from %q, want %q", segment, seg.Value, seg.KnownFrom, want)
				}
			}
			if abandoned != whole.AbandonedCarts || checkout != whole.CheckoutDropoffs || payment != whole.PaymentDropoffs {
				t.Errorf("by %s: drop-offs add up to %d/%d/%d, whole %d/%d/%d", segment, abandoned, checkout, payment,
					whole.AbandonedCarts, whole.CheckoutDropoffs, whole.PaymentDropoffs)
			}
		}

		// Every order counts under its shopper's country and customer type,
		// those whose order named neither included.
		byValue := func(r segmentedReport) map[string]int64 {
			out := map[string]int64{}
			for _, s := range r.Segments {
				out[s.Value] = s.Stages[5].Sessions
			}
			return out
		}
		countries := byValue(get(url.Values{"segment": {"country"}}))
		for c, want := range wantOrders {
			if countries[c] != want {
				t.Errorf("orders from %s = %d, want %d (all: %v)", c, countries[c], want, countries)
			}
		}
		if countries["unknown"] != 0 {
			t.Errorf("%d orders have an unknown country", countries["unknown"])
		}
		types := byValue(get(url.Values{"segment": {"new_vs_returning"}}))
		for c, want := range wantOrdersByType {
			if types[c] != want {
				t.Errorf("orders from %s customers = %d, want %d (all: %v)", c, types[c], want, types)
			}
		}

		// Chosen segment value: the funnel, its drop-offs and what to fix
		// first are that value's.
		split := get(url.Values{"segment": {"country"}})
		ca := get(url.Values{"segment": {"country"}, "segment_value": {"CA"}})
		var caSeg *segmentedReport
		for i := range split.Segments {
			if split.Segments[i].Value == "CA" {
				caSeg = &split.Segments[i].segmentedReport
			}
		}
		if caSeg == nil || ca.SegmentValue != "CA" || ca.KnownFrom != "address_submitted" {
			t.Fatalf("segment_value=CA: value %q known_from %q, segments %v", ca.SegmentValue, ca.KnownFrom, split.Segments)
		}
		for i, stage := range ca.Stages {
			if stage.Sessions != caSeg.Stages[i].Sessions || stage.Sessions >= whole.Stages[i].Sessions && stage.Sessions > 0 && i < 3 {
				t.Errorf("CA funnel %s = %d, its segment %d, whole %d", stage.Key, stage.Sessions, caSeg.Stages[i].Sessions, whole.Stages[i].Sessions)
			}
		}
		if ca.AbandonedCarts != caSeg.AbandonedCarts || ca.CheckoutDropoffs != caSeg.CheckoutDropoffs || ca.PaymentDropoffs != caSeg.PaymentDropoffs {
			t.Errorf("CA drop-offs %d/%d/%d, its segment %d/%d/%d", ca.AbandonedCarts, ca.CheckoutDropoffs, ca.PaymentDropoffs,
				caSeg.AbandonedCarts, caSeg.CheckoutDropoffs, caSeg.PaymentDropoffs)
		}
		for _, o := range ca.Opportunities {
			to, _ := funnel.ParseStage(o.To)
			if want := ca.Stages[to-2].Sessions; o.Entering != want {
				t.Errorf("CA opportunity into %s: %d entering, the CA funnel has %d", o.To, o.Entering, want)
			}
			// No verdict where the country cannot be known yet.
			if to <= funnel.StageAddressSubmitted && (o.Band != string(funnel.VerdictNotKnown) || o.Opportunity != "0.00") {
				t.Errorf("CA step into %s before the country is known: band %s, opportunity %s", o.To, o.Band, o.Opportunity)
			}
		}
		if resp, _ := h.api(http.MethodGet, "/api/funnel?segment_value=CA", shop, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("segment_value without a segment: %d, want 400", resp.StatusCode)
		}
	})
}
