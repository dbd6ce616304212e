package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// TestThemesPublishRecordsAChange delivers themes/publish through the real
// signed endpoint: the published theme becomes one change of its shop, dated
// by the payload, however often it is delivered; a theme that is not the
// published one, and a shop not installed, record none.
func TestThemesPublishRecordsAChange(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop, other = "themes.myshopify.com", "themes-other.myshopify.com"
		h.install(shop)
		h.install(other)
		body := testkit.Fixture(t, "themes_publish.json")
		status := func(id string, payload []byte, to string) string {
			t.Helper()
			resp, b := h.webhook("themes/publish", to, id, payload)
			var got struct{ Status string }
			if err := json.Unmarshal(b, &got); resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("themes/publish %s: %d %s", id, resp.StatusCode, b)
			}
			return got.Status
		}
		if got := status("theme-1", body, shop); got != "applied" {
			t.Errorf("the first delivery: %s, want applied", got)
		}
		// Redelivered (same id), and delivered again under a new id.
		if got := status("theme-1", body, shop); got != "duplicate" {
			t.Errorf("the redelivery: %s, want duplicate", got)
		}
		if got := status("theme-1-again", body, shop); got != "duplicate" {
			t.Errorf("the same publication under another id: %s, want duplicate", got)
		}
		list := h.changesOf(shop, "")
		want := time.Date(2026, 11, 18, 15, 30, 5, 0, time.UTC)
		if len(list) != 1 || list[0].Kind != "theme_published" || list[0].Source != "webhook" ||
			!list[0].At.Equal(want) || list[0].Description != "Published the theme “Comfort”" {
			t.Fatalf("the shop's changes: %+v", list)
		}
		// The same theme published again later is another change.
		later := bytes.Replace(body, []byte(`"updated_at": "2026-11-18T10:30:05-05:00"`), []byte(`"updated_at": "2026-11-21T08:00:00-05:00"`), 1)
		if bytes.Equal(later, body) {
			t.Fatal("the fixture's updated_at was not replaced")
		}
		if got := status("theme-2", later, shop); got != "applied" {
			t.Errorf("a later publication: %s, want applied", got)
		}
		unpublished := bytes.Replace(body, []byte(`"role": "main"`), []byte(`"role": "unpublished"`), 1)
		if got := status("theme-3", unpublished, shop); got != "kept" {
			t.Errorf("an unpublished theme: %s, want kept", got)
		}
		if got := status("theme-4", body, "not-installed.myshopify.com"); got != "kept" {
			t.Errorf("a shop not installed: %s, want kept", got)
		}
		if list := h.changesOf(shop, ""); len(list) != 2 || list[0].At.Before(list[1].At) {
			t.Errorf("the shop's changes after all deliveries: %+v", list)
		}
		if list := h.changesOf(other, ""); len(list) != 0 {
			t.Errorf("another shop sees %+v", list)
		}
	})
}
