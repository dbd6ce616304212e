package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
)

// visitShop is the shop of testdata/customer-events.
const visitShop = "example.myshopify.com"

// visitArrival is when the harness's clock says the fixture's visit
// (2026-11-24 14:02–14:05Z) arrives: a minute after it ended.
var visitArrival = time.Date(2026, 11, 24, 14, 6, 0, 0, time.UTC)

// fixtureBatch is batch_visit.json decoded, its events kept raw.
type fixtureBatch struct {
	Shop   string            `json:"shop"`
	Key    string            `json:"key"`
	Events []json.RawMessage `json:"events"`
}

// visitBatch reads the whole-visit batch of the fixtures.
func visitBatch(t *testing.T) fixtureBatch {
	t.Helper()
	var b fixtureBatch
	raw, err := os.ReadFile(filepath.Join(testkit.RepoRoot(t), "testdata", "customer-events", "batch_visit.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Events) < 20 {
		t.Fatalf("batch_visit.json has only %d events", len(b.Events))
	}
	return b
}

// body encodes a batch for shop with key.
func (b fixtureBatch) body(t *testing.T, shop, key string, events []json.RawMessage) []byte {
	t.Helper()
	out, err := json.Marshal(fixtureBatch{Shop: shop, Key: key, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// collect posts body to /collect as the pixel does (postCollect) and, when it
// is accepted, folds what it queued, as the app's storefront folder would
// moments later, so that the test reads it at once.
func (h *harness) collect(body []byte) (*http.Response, []byte) {
	h.t.Helper()
	resp, out := h.postCollect(body)
	if resp.StatusCode == http.StatusNoContent {
		if err := h.store.DrainStorefront(context.Background()); err != nil {
			h.t.Fatal(err)
		}
	}
	return resp, out
}

// postCollect posts body to /collect as the pixel does: text/plain, from a
// storefront's origin, no cookies.
func (h *harness) postCollect(body []byte) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/collect", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("Origin", "https://"+visitShop)
	return h.do(req)
}

// pixelShop installs shop with a pixel key and returns the key.
func (h *harness) pixelShop(shop string) (int64, string) {
	h.t.Helper()
	sh := h.install(shop)
	key, err := h.store.EnsurePixelKey(context.Background(), sh.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return sh.ID, key
}

// visits returns every visit of the shop stored by now.
func (h *harness) visits(shopID int64) []funnel.Visit {
	h.t.Helper()
	vs, err := h.store.Visits(context.Background(), shopID, time.Unix(0, 0), visitArrival.AddDate(1, 0, 0))
	if err != nil {
		h.t.Fatal(err)
	}
	return vs
}

// rows counts the rows of table.
func (h *harness) rows(table string) int {
	h.t.Helper()
	var n int
	if err := h.store.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}
