package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// apiChange is a change as GET and POST /api/changes give it.
type apiChange struct {
	ID          int64
	At          time.Time
	Day         string
	Kind        string
	KindLabel   string `json:"kind_label"`
	Description string
	Source      string
}

// changesOf is shop's changes as its own token lists them.
func (h *harness) changesOf(shop, query string) []apiChange {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/changes"+query, shop, nil)
	var r struct{ Changes []apiChange }
	if err := json.Unmarshal(body, &r); resp.StatusCode != http.StatusOK || err != nil {
		h.t.Fatalf("GET /api/changes%s as %s: %d %s", query, shop, resp.StatusCode, body)
	}
	return r.Changes
}

// TestAPIChanges records a merchant's changes: a good one is recorded as
// written, in the shop's time zone; every bad one is a 400 naming its
// field that records nothing; and one shop's token never sees nor writes
// another's changes.
func TestAPIChanges(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const a, b = "changes-a.myshopify.com", "changes-b.myshopify.com"
		h.install(a)
		h.install(b)
		now := h.clock.Now()
		// Shop a's data begins with a session two days ago.
		for _, d := range journey(t, 1, 1, now.Add(-48*time.Hour), 1000) {
			h.webhook(d.topic, a, "a-"+d.id, d.body)
		}
		if resp, body := h.api(http.MethodPut, "/api/settings", a, map[string]any{"timezone": "Asia/Kolkata"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT settings: %d %s", resp.StatusCode, body)
		}
		kolkata, err := time.LoadLocation("Asia/Kolkata")
		if err != nil {
			t.Fatal(err)
		}
		local := now.Add(-3 * time.Hour).In(kolkata).Format("2006-01-02T15:04")
		resp, body := h.api(http.MethodPost, "/api/changes", a, map[string]any{
			"description": "  moved the reviews above the fold ", "kind": "merchant_note", "at": local})
		var got apiChange
		if err := json.Unmarshal(body, &got); resp.StatusCode != http.StatusCreated || err != nil {
			t.Fatalf("POST a good change: %d %s", resp.StatusCode, body)
		}
		wantAt, _ := time.ParseInLocation("2006-01-02T15:04", local, kolkata)
		if got.ID == 0 || !got.At.Equal(wantAt) || got.Day != local[:10] || got.Description != "moved the reviews above the fold" ||
			got.Kind != "merchant_note" || got.KindLabel != "Note" || got.Source != "merchant" {
			t.Errorf("the change as recorded: %+v, want at %v", got, wantAt)
		}
		// An RFC 3339 time and no kind (a note) are taken too.
		resp, body = h.api(http.MethodPost, "/api/changes", a, map[string]any{
			"description": "20% off everything", "at": now.Add(-time.Hour).Format(time.RFC3339)})
		if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"kind":"merchant_note"`) {
			t.Fatalf("POST with an RFC 3339 time: %d %s", resp.StatusCode, body)
		}

		for _, bad := range []struct {
			name  string
			body  any
			field string
		}{
			{"empty description", map[string]any{"description": "  ", "kind": "merchant_note"}, "description"},
			{"too long", map[string]any{"description": strings.Repeat("x", 501)}, "description"},
			{"unknown kind", map[string]any{"description": "x", "kind": "weather"}, "kind"},
			{"a time too far ahead", map[string]any{"description": "x", "at": now.Add(25 * time.Hour).Format(time.RFC3339)}, "at"},
			{"before the shop's data", map[string]any{"description": "x", "at": now.Add(-72 * time.Hour).Format(time.RFC3339)}, "at"},
			{"not a time", map[string]any{"description": "x", "at": "yesterday"}, "at"},
			{"a shop named in the body", map[string]any{"description": "x", "shop": b}, ""},
			{"not an object", []string{"x"}, ""},
		} {
			resp, body := h.api(http.MethodPost, "/api/changes", a, bad.body)
			var e struct{ Error, Field string }
			if err := json.Unmarshal(body, &e); resp.StatusCode != http.StatusBadRequest || err != nil || e.Error == "" || e.Field != bad.field {
				t.Errorf("%s: %d %s, want 400 about %q", bad.name, resp.StatusCode, body, bad.field)
			}
		}
		list := h.changesOf(a, "")
		if len(list) != 2 || list[0].Description != "20% off everything" || list[1].ID != got.ID {
			t.Errorf("shop a's changes, newest first: %+v", list)
		}
		// The days of the range, in the shop's zone.
		if in := h.changesOf(a, "?from="+local[:10]+"&to="+local[:10]); len(in) == 0 || in[len(in)-1].ID != got.ID {
			t.Errorf("the changes of %s: %+v", local[:10], in)
		}
		if in := h.changesOf(a, "?from=2026-01-01&to=2026-01-02"); len(in) != 0 {
			t.Errorf("the changes of a January: %+v", in)
		}

		// Shop b, before it has any data, cannot date a change before its
		// install; what it records is its own.
		resp, body = h.api(http.MethodPost, "/api/changes?shop="+a, b, map[string]any{"description": "b's own note"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST as b: %d %s", resp.StatusCode, body)
		}
		for _, q := range []string{"", "?shop=" + a} {
			bs := h.changesOf(b, q)
			if len(bs) != 1 || bs[0].Description != "b's own note" {
				t.Errorf("shop b's changes (%q): %+v", q, bs)
			}
		}
		if as := h.changesOf(a, ""); len(as) != 2 {
			t.Errorf("shop a's changes after b's: %+v", as)
		}
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/changes", nil)
		if resp, _ := h.do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /api/changes without a token: %d", resp.StatusCode)
		}
	})
}
