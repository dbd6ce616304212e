package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestPixelActivation: queued with the install's transaction (and rolled
// back with it), recorded per shop, the pixel id kept across a new
// queueing, and gone with the shop.
func TestPixelActivation(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "px-a.myshopify.com")
		b := storetest.Install(t, s, "px-b.myshopify.com")
		if _, ok, err := s.PixelActivationOf(ctx, a.ID); ok || err != nil {
			t.Fatalf("a shop never queued has an activation: %v %v", ok, err)
		}
		queue := func(id int64) store.InTx[store.Shop] {
			return func(ctx context.Context, tx *sql.Tx, _ store.Shop) error { return s.QueuePixelActivation(ctx, tx, id) }
		}
		if _, err := s.InstallShop(ctx, a.Domain, store.Tokens{AccessToken: "t"}, queue(a.ID)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.PixelActivationOf(ctx, a.ID)
		if err != nil || !ok || got.State != store.PixelPending || !got.UpdatedAt.Equal(t0) {
			t.Fatalf("after the install: %+v %v %v", got, ok, err)
		}
		// A failing enqueue rolls the state back with the install.
		_, err = s.InstallShop(ctx, b.Domain, store.Tokens{AccessToken: "t"}, func(ctx context.Context, tx *sql.Tx, sh store.Shop) error {
			if err := s.QueuePixelActivation(ctx, tx, sh.ID); err != nil {
				return err
			}
			return errors.New("queue down")
		})
		if err == nil {
			t.Fatal("the install succeeded with a failing enqueue")
		}
		if _, ok, _ := s.PixelActivationOf(ctx, b.ID); ok {
			t.Error("a rolled-back install left an activation")
		}

		c.Add(time.Minute)
		if err := s.SetPixelActivation(ctx, store.PixelActivation{ShopID: a.ID, State: store.PixelActive, WebPixelID: "gid://shopify/WebPixel/1"}); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute)
		long := strings.Repeat("é", 400)
		if err := s.SetPixelActivation(ctx, store.PixelActivation{ShopID: a.ID, State: store.PixelFailed, ErrorCode: "NO_EXTENSION", ErrorMessage: long}); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.PixelActivationOf(ctx, a.ID)
		if got.State != store.PixelFailed || got.WebPixelID != "gid://shopify/WebPixel/1" || got.ErrorCode != "NO_EXTENSION" ||
			len(got.ErrorMessage) != 500 || !strings.HasPrefix(long, got.ErrorMessage) || !got.UpdatedAt.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("after the failure: %+v (message %d bytes)", got, len(got.ErrorMessage))
		}
		if _, ok, _ := s.PixelActivationOf(ctx, b.ID); ok {
			t.Error("the other shop has an activation")
		}
		if err := s.SetPixelActivation(ctx, store.PixelActivation{ShopID: a.ID, State: "connected"}); err == nil {
			t.Error("an unknown state was stored")
		}
		// Queued again (a reinstall): pending, the error gone, the id kept.
		if _, err := s.InstallShop(ctx, a.Domain, store.Tokens{AccessToken: "t"}, queue(a.ID)); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.PixelActivationOf(ctx, a.ID)
		if got.State != store.PixelPending || got.ErrorCode != "" || got.ErrorMessage != "" || got.WebPixelID != "gid://shopify/WebPixel/1" {
			t.Errorf("after queueing again: %+v", got)
		}

		if err := s.RedactShop(ctx, a.Domain); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.PixelActivationOf(ctx, a.ID); ok || err != nil {
			t.Errorf("shop/redact left the activation: %v %v", ok, err)
		}
	})
}
