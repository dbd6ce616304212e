package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "set-a.myshopify.com")
		b := storetest.Install(t, s, "set-b.myshopify.com")
		got, err := s.Settings(ctx, a.ID)
		if err != nil || got != (store.Settings{ShopID: a.ID}) {
			t.Fatalf("default settings = %+v, %v", got, err)
		}
		if err := s.SaveSettings(ctx, store.Settings{ShopID: a.ID, AbandonAfter: 90 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSettings(ctx, store.Settings{ShopID: a.ID, AbandonAfter: 2 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Settings(ctx, a.ID); err != nil || got.AbandonAfter != 2*time.Hour {
			t.Errorf("saved settings = %+v, %v", got, err)
		}
		if got, err := s.Settings(ctx, b.ID); err != nil || got.AbandonAfter != 0 {
			t.Errorf("other shop settings = %+v, %v", got, err)
		}
		if err := s.SaveSettings(ctx, store.Settings{ShopID: a.ID, AbandonAfter: -time.Second}); err == nil {
			t.Error("negative AbandonAfter accepted")
		}
	})
}
