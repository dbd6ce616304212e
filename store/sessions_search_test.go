package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// listKeys is the keys of the shop's sessions that f finds, in its order.
func listKeys(t *testing.T, s *store.Store, f store.SessionFilter) []string {
	t.Helper()
	f.Limit = store.MaxListLimit
	list, total, err := s.ListSessions(context.Background(), f)
	if err != nil {
		t.Fatalf("ListSessions(%+v): %v", f, err)
	}
	keys := []string{}
	for _, sess := range list {
		keys = append(keys, sess.Key)
	}
	if int(total) != len(keys) {
		t.Errorf("ListSessions(%+v): total %d, %d listed", f, total, len(keys))
	}
	slices.Sort(keys)
	return keys
}

// TestListSessionsSearch searches a shop's sessions by e-mail, phone and
// product title, letter case aside, with LIKE's wildcards matching only
// themselves, never the line items' JSON keys, and never another shop's.
func TestListSessionsSearch(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "search.myshopify.com")
		other := storetest.Install(t, s, "search-other.myshopify.com")
		add := func(shop store.Shop, key, email, phone string, titles ...string) {
			t.Helper()
			ev := checkoutEvent(key, "co-"+key, at(0), at(time.Minute), 1000)
			ev.Email, ev.Phone, ev.LineItems = email, phone, nil
			for _, title := range titles {
				ev.LineItems = append(ev.LineItems, funnel.LineItem{Title: title, Quantity: 1})
			}
			ingest(t, s, shop.ID, shop.Domain+key, ev)
		}
		add(sh, "ann", "Ann.Lee@Example.com", "", "Blue MUG", "Tea towel")
		add(sh, "bob", "bob@example.org", "+1 555 0100", "100% Cotton Tee")
		add(sh, "cy", "", "", "100 Cotton_Tee")
		add(sh, "dee", "dee@example.com", "", `Back\slash "quoted" title`)
		add(other, "ann", "ann.lee@example.com", "", "Blue mug")
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"ANN.lee@example", []string{"ann"}},
			{"example.", []string{"ann", "bob", "dee"}},
			{"mug", []string{"ann"}},
			{"cotton", []string{"bob", "cy"}},
			{"100%", []string{"bob"}},
			{"n_T", []string{"cy"}},
			{"0 cotton", []string{"cy"}}, // not "0% cotton"
			{`\s`, []string{"dee"}},
			{`"quoted"`, []string{"dee"}},
			{"555 01", []string{"bob"}},
			{"title", []string{"dee"}},  // a title's word, not the JSON's key
			{"quantity", []string{}},    // the JSON's other key
			{"%", []string{"bob"}},      // a literal percent sign
			{"nobody here", []string{}}, // nothing
			{"towel", []string{"ann"}},  // the second line item
			{"z", []string{}},           // no e-mail, phone or title has one
		} {
			if got := listKeys(t, s, store.SessionFilter{ShopID: sh.ID, Search: tc.q}); !slices.Equal(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		}
		if got := listKeys(t, s, store.SessionFilter{ShopID: other.ID, Search: "cotton"}); len(got) != 0 {
			t.Errorf("the other shop's search for cotton = %v, want nothing", got)
		}
	})
}

// TestListSessionsBySegmentValue lists the sessions of one segment value,
// by the rule the segmented report groups by, with an unknown value as
// "unknown".
func TestListSessionsBySegmentValue(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "segments.myshopify.com")
		for i, country := range []string{"DE", "FR", "DE", ""} {
			ev := checkoutEvent(fmt.Sprintf("c%d", i), fmt.Sprintf("k%d", i), at(0), at(time.Minute), int64(1000+i*4000))
			ev.Country = country
			ingest(t, s, sh.ID, fmt.Sprintf("seg-%d", i), ev)
		}
		for _, tc := range []struct {
			segment, value string
			want           []string
		}{
			{funnel.SegmentCountry, "DE", []string{"c0", "c2"}},
			{funnel.SegmentCountry, "unknown", []string{"c3"}},
			{funnel.SegmentCountry, "", []string{"c0", "c1", "c2", "c3"}},
			{funnel.SegmentValueBand, "<25", []string{"c0"}},
			{funnel.SegmentValueBand, "100–250", []string{"c3"}},
		} {
			f := store.SessionFilter{ShopID: sh.ID, Segment: tc.segment, SegmentValue: tc.value}
			if got := listKeys(t, s, f); !slices.Equal(got, tc.want) {
				t.Errorf("%s = %q: %v, want %v", tc.segment, tc.value, got, tc.want)
			}
		}
		if _, _, err := s.ListSessions(context.Background(), store.SessionFilter{ShopID: sh.ID, Segment: "shoe_size", SegmentValue: "9"}); err == nil {
			t.Error("an unknown segment was accepted")
		}
	})
}

// TestEachSession exports more than two chunks of sessions with ties on
// time and value, in each order the lists offer, and finds every session
// once, in the order ListSessions gives; and a session written while the
// export runs, sorting after the ones given, is given too: the export
// reads the database as it goes, chunk by chunk, never all of it first.
func TestEachSession(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "export.myshopify.com")
		n := 2*store.ExportChunk + 7
		var items []store.IngestItem
		for i := range n {
			ev := cartEvent(fmt.Sprintf("e%04d", i), at(time.Duration(i%13)*time.Minute), at(time.Hour), int64(i%7)*100)
			items = append(items, store.IngestItem{ShopID: sh.ID, Event: &ev, Delivery: delivery(fmt.Sprintf("export-%d", i), sh.Domain, "carts/create", `{}`)})
			if len(items) == 64 || i == n-1 {
				if _, err := s.IngestEvents(ctx, items); err != nil {
					t.Fatal(err)
				}
				items = nil
			}
		}
		for _, f := range []store.SessionFilter{
			{ShopID: sh.ID},
			{ShopID: sh.ID, OrderBy: "started_at", Desc: true},
			{ShopID: sh.ID, OrderBy: "started_at"},
			{ShopID: sh.ID, OrderBy: "value", Desc: true},
			{ShopID: sh.ID, OrderBy: "value"},
		} {
			var want []string
			for page := 0; ; page++ {
				g := f
				g.Limit, g.Offset = store.MaxListLimit, page*store.MaxListLimit
				list, _, err := s.ListSessions(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				for _, sess := range list {
					want = append(want, sess.Key)
				}
				if len(list) < store.MaxListLimit {
					break
				}
			}
			var got []string
			if err := s.EachSession(ctx, f, func(sess funnel.Session) error { got = append(got, sess.Key); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(want) != n || !slices.Equal(got, want) {
				t.Errorf("order %q desc %v: exported %d sessions, listed %d of %d; first difference at %d",
					f.OrderBy, f.Desc, len(got), len(want), n, firstDifference(got, want))
			}
		}

		// Newest first: a session that started before all others, written
		// once the first session was given, comes last.
		var got []string
		late := cartEvent("late", at(-time.Hour), at(time.Hour), 100)
		err := s.EachSession(ctx, store.SessionFilter{ShopID: sh.ID}, func(sess funnel.Session) error {
			if len(got) == 0 {
				ingest(t, s, sh.ID, "late", late)
			}
			got = append(got, sess.Key)
			return nil
		})
		if err != nil || len(got) != n+1 || got[n] != "late" {
			t.Errorf("exported %d sessions (%v), the last %q; want %d, the last the one written meanwhile", len(got), err, got[len(got)-1], n+1)
		}

		// fn's error stops the export and is returned.
		stop := errors.New("the client went away")
		calls := 0
		if err := s.EachSession(ctx, store.SessionFilter{ShopID: sh.ID}, func(funnel.Session) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
			t.Errorf("EachSession with a failing fn = %v after %d calls", err, calls)
		}
	})
}

// firstDifference is the first index where a and b differ.
func firstDifference(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
