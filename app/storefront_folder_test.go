package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// TestStorefrontFolderFoldsInTheBackground: a batch /collect answered 204
// is in the inbox, and the running app's folder folds it into its visit
// on its own (no test drain), counts it in /metrics, and leaves nothing
// to fold.
func TestStorefrontFolderFoldsInTheBackground(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		shopID, key := h.pixelShop(visitShop)
		b := visitBatch(t)
		if resp, body := h.postCollect(b.body(t, visitShop, key, b.Events)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST /collect: %d %s", resp.StatusCode, body)
		}
		testkit.Eventually(t, "the folder to fold the batch", func() bool {
			return h.rows("storefront_inbox") == 0 && len(h.visits(shopID)) == 1
		})
		_, body := h.get("/metrics")
		if want := "funnelscope_storefront_folded_events_total " + strconv.Itoa(h.rows("storefront_events")); !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	})
}
