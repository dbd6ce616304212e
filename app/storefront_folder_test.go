package app_test

import (
	"bytes"
	"io"
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
		// The fold's figures are observed once its transaction has
		// committed, a moment after the rows above are visible.
		want := "funnelscope_storefront_folded_events_total " + strconv.Itoa(h.rows("storefront_events"))
		testkit.Eventually(t, "/metrics to say "+want, func() bool {
			_, body := h.get("/metrics")
			return strings.Contains(string(body), want)
		})
	})
}

// TestStorefrontInboxMetrics: /metrics reports the storefront inbox: here
// nothing waiting and one row given up, which the folder no longer takes.
func TestStorefrontInboxMetrics(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		shopID, _ := h.pixelShop(visitShop)
		if _, err := st.DB().ExecContext(t.Context(), `INSERT INTO storefront_inbox (shop_id, received_at, events, attempts, last_error)
			VALUES ($1, $2, 'not json', 5, 'decoding inbox row')`, shopID, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, body := h.get("/metrics")
		for _, want := range []string{"funnelscope_storefront_inbox_rows 0", "funnelscope_storefront_inbox_oldest_seconds 0",
			"funnelscope_storefront_inbox_given_up_rows 1"} {
			if !strings.Contains(string(body), want+"\n") {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
}

// TestStorefrontFolderFoldsWhatWaited: a batch acknowledged by an app
// that stopped before any fold (it never started its folder) waits in the
// store, and another app on the same database folds it once it starts:
// an acknowledged event is not lost with the process that took it.
func TestStorefrontFolderFoldsWhatWaited(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		first, srv, err := serveApp(st, testkit.NewClock(visitArrival), io.Discard, "")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		shop, err := st.InstallShop(t.Context(), visitShop, store.Tokens{AccessToken: "t", Scope: "read_orders"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		key, err := st.EnsurePixelKey(t.Context(), shop.ID)
		if err != nil {
			t.Fatal(err)
		}
		b := visitBatch(t)
		resp, err := http.Post(srv.URL+"/collect", "text/plain;charset=UTF-8", bytes.NewReader(b.body(t, visitShop, key, b.Events)))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST /collect: %d", resp.StatusCode)
		}
		if err := first.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		if b, err := st.StorefrontBacklog(t.Context()); err != nil || b.Rows == 0 {
			t.Fatalf("the acknowledged batch is not waiting in the inbox: %+v, %v", b, err)
		}
		h := newHarness(t, st)
		testkit.Eventually(t, "the second app to fold the batch", func() bool {
			return h.rows("storefront_inbox") == 0 && len(h.visits(shop.ID)) == 1
		})
	})
}
