package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// registerWebhooksArgs is a job for the enqueue test.
type registerWebhooksArgs struct {
	Shop string `json:"shop"`
}

func (registerWebhooksArgs) Kind() string { return "test_register_webhooks" }

func TestInstallShopEnqueuesRiverJobAtomically(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		client, err := river.NewClient(s.RiverDriver(), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		enqueue := func(domain string, fail error) store.InTx[store.Shop] {
			return func(ctx context.Context, tx *sql.Tx, _ store.Shop) error {
				if _, err := client.InsertTx(ctx, tx, registerWebhooksArgs{Shop: domain}, nil); err != nil {
					return err
				}
				return fail
			}
		}
		if _, err := s.InstallShop(ctx, "river.myshopify.com", store.Tokens{AccessToken: "a"}, enqueue("river.myshopify.com", nil)); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if _, err := s.InstallShop(ctx, "rolled.myshopify.com", store.Tokens{AccessToken: "a"}, enqueue("rolled.myshopify.com", boom)); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if n := countRows(t, s, "river_job", "kind = $1", "test_register_webhooks"); n != 1 {
			t.Errorf("%d jobs, want 1 (the rolled-back one must vanish)", n)
		}
	})
}
