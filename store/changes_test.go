package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestChanges records changes of two shops and reads them back: by shop
// only, in their range, newest first, a webhook's change once however
// often it comes, and gone with a redacted shop.
func TestChanges(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "changes-a.myshopify.com")
		b := storetest.Install(t, s, "changes-b.myshopify.com")
		add := func(c store.Change) (store.Change, bool) {
			t.Helper()
			got, added, err := s.AddChange(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			return got, added
		}
		note, added := add(store.Change{ShopID: a.ID, At: at(-2 * time.Hour), Kind: funnel.ChangeMerchantNote,
			Description: "moved the reviews above the fold", Source: funnel.ChangeFromMerchant})
		if !added || note.ID == 0 || !note.At.Equal(at(-2*time.Hour)) || note.Description != "moved the reviews above the fold" ||
			note.DedupeKey != "" || note.Source != funnel.ChangeFromMerchant || !note.CreatedAt.Equal(t0) {
			t.Fatalf("the note as stored: %+v added %v", note, added)
		}
		// Two notes alike are two changes: only webhooks' are deduplicated.
		if again, added := add(store.Change{ShopID: a.ID, At: at(-2 * time.Hour), Kind: funnel.ChangeMerchantNote,
			Description: "moved the reviews above the fold", Source: funnel.ChangeFromMerchant}); !added || again.ID == note.ID {
			t.Errorf("a second note alike: %+v added %v", again, added)
		}
		theme := store.Change{ShopID: a.ID, At: at(-time.Hour), Kind: funnel.ChangeThemePublished,
			Description: "Theme “Dawn” published", Source: funnel.ChangeFromWebhook, DedupeKey: "theme:1:2026-11-20T11:00:00Z"}
		first, added := add(theme)
		if !added {
			t.Fatal("the theme's change was not added")
		}
		c.Add(time.Minute)
		if again, added := add(theme); added || again.ID != first.ID {
			t.Errorf("a redelivered theme change: %+v added %v, want the first, %d", again, added, first.ID)
		}
		// Another shop may have the same key.
		other, added := add(store.Change{ShopID: b.ID, At: at(-time.Hour), Kind: funnel.ChangeThemePublished,
			Description: "b's theme", Source: funnel.ChangeFromWebhook, DedupeKey: theme.DedupeKey})
		if !added || other.ShopID != b.ID {
			t.Errorf("shop b's change with a's key: %+v added %v", other, added)
		}
		add(store.Change{ShopID: a.ID, At: at(-48 * time.Hour), Kind: funnel.ChangeDiscount, Description: "old", Source: funnel.ChangeFromMerchant})

		got, err := s.Changes(ctx, a.ID, at(-24*time.Hour), at(time.Hour), 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != first.ID || got[0].Kind != funnel.ChangeThemePublished || got[0].DedupeKey != theme.DedupeKey ||
			!got[1].At.Equal(note.At) || !got[2].At.Equal(note.At) {
			t.Errorf("shop a's changes of the last day: %+v", got)
		}
		if got, err := s.Changes(ctx, a.ID, at(-72*time.Hour), at(time.Hour), 1); err != nil || len(got) != 1 || got[0].ID != first.ID {
			t.Errorf("the newest change: %+v, %v", got, err)
		}
		if got, err := s.Changes(ctx, b.ID, at(-72*time.Hour), at(time.Hour), 50); err != nil || len(got) != 1 || got[0].Description != "b's theme" {
			t.Errorf("shop b's changes: %+v, %v", got, err)
		}
		if err := s.RedactShop(ctx, a.Domain); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Changes(ctx, a.ID, at(-72*time.Hour), at(time.Hour), 50); err != nil || len(got) != 0 {
			t.Errorf("a redacted shop's changes: %+v, %v", got, err)
		}
	})
}

// TestDataSince: a shop's data begins at its install, or at its first
// session when that started earlier.
func TestDataSince(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "since.myshopify.com")
		if got, err := s.DataSince(ctx, sh); err != nil || !got.Equal(sh.InstalledAt) {
			t.Errorf("no session: %v, %v; want the install, %v", got, err, sh.InstalledAt)
		}
		ingest(t, s, sh.ID, "since-1", cartEvent("since-cart", at(-30*24*time.Hour), at(-30*24*time.Hour), 100))
		ingest(t, s, sh.ID, "since-2", cartEvent("since-cart-2", at(-time.Hour), at(-time.Hour), 100))
		if got, err := s.DataSince(ctx, sh); err != nil || !got.Equal(at(-30*24*time.Hour)) {
			t.Errorf("with sessions: %v, %v; want the first's start", got, err)
		}
	})
}
