package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// TestAPISessionsByKey opens the one session an alert links to, whatever
// its start date, in the authenticated shop only: another shop's key is
// not found, and a key the database cannot compare is refused plainly.
func TestAPISessionsByKey(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const a, b = "key-a.myshopify.com", "key-b.myshopify.com"
		h.install(a)
		h.install(b)
		now := h.clock.Now()
		deliver := func(shop string, n int, start time.Time) {
			for _, d := range journey(t, n, 1, start, 1000) {
				if resp, body := h.webhook(d.topic, shop, shop+d.id, d.body); resp.StatusCode != http.StatusOK {
					t.Fatalf("%s %s: %d %s", shop, d.topic, resp.StatusCode, body)
				}
			}
		}
		deliver(a, 1, now.AddDate(0, 0, -40)) // before the default 30 days
		deliver(a, 2, now.Add(-3*time.Hour))
		deliver(b, 3, now.Add(-3*time.Hour))

		list := func(shop, query string) (keys []string, total int64) {
			t.Helper()
			resp, body := h.api(http.MethodGet, "/api/sessions?"+query, shop, nil)
			var page struct {
				Total    int64
				Sessions []struct{ Key string }
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
				t.Fatalf("%s /api/sessions?%s: %d %s", shop, query, resp.StatusCode, body)
			}
			for _, s := range page.Sessions {
				keys = append(keys, s.Key)
			}
			return keys, page.Total
		}
		if keys, total := list(a, "session=cart-001"); total != 1 || len(keys) != 1 || keys[0] != "cart-001" {
			t.Errorf("shop A, session=cart-001 = %v (total %d), want cart-001 alone", keys, total)
		}
		if keys, total := list(a, "session=cart-003"); total != 0 || len(keys) != 0 {
			t.Errorf("shop A, shop B's session = %v (total %d), want not found", keys, total)
		}
		if keys, total := list(b, "session=cart-003"); total != 1 || keys[0] != "cart-003" {
			t.Errorf("shop B, session=cart-003 = %v (total %d)", keys, total)
		}
		if keys, total := list(a, "session=cart-001&status=completed"); total != 0 {
			t.Errorf("session=cart-001&status=completed = %v, want nothing (it is an abandoned cart)", keys)
		}
		if keys, total := list(a, "session=cart-001&from="+now.AddDate(0, 0, -7).Format("2006-01-02")); total != 0 {
			t.Errorf("session=cart-001 in the last 7 days = %v, want nothing (it started 40 days ago)", keys)
		}

		for _, bad := range []string{"%FF%FE", "cart%00001"} {
			resp, body := h.api(http.MethodGet, "/api/sessions?session="+bad, a, nil)
			var e struct{ Error, Field string }
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != http.StatusBadRequest || e.Field != "session" || !strings.Contains(e.Error, "session") {
				t.Errorf("session=%s: %d %s, want 400 about session", bad, resp.StatusCode, body)
			}
		}
	})
}
