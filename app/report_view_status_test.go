package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// TestReportViewStatus: /api/view/report answers 4xx for bad input only; a
// report that failed on our side is a 5xx, so that monitoring counts it,
// still with the page's plain message.
func TestReportViewStatus(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "report-status.myshopify.com"
		h.install(shop)
		if resp, b := h.api(http.MethodGet, "/api/view/report?from=2026-02-30", shop, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad date: %d %s, want 400", resp.StatusCode, b)
		}
		if resp, b := h.api(http.MethodGet, "/api/view/report", shop, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("report: %d %s", resp.StatusCode, b)
		}
		// The sessions are gone from under the report; the shop and its
		// session token still check out.
		if _, err := st.DB().ExecContext(t.Context(), "ALTER TABLE sessions RENAME TO sessions_gone"); err != nil {
			t.Fatal(err)
		}
		resp, b := h.api(http.MethodGet, "/api/view/report", shop, nil)
		if resp.StatusCode < 500 || !strings.Contains(string(b), "on our side") || strings.Contains(string(b), "sessions") {
			t.Errorf("report on a failing database: %d %s, want a 5xx with a plain message", resp.StatusCode, b)
		}
	})
}
