package shopify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

func TestShopDetails(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	fake.ShopTimezone, fake.ShopCurrency = "Europe/Berlin", "EUR"
	c := newClient(fake, time.Now(), nil)
	token := fake.IssueAccessToken(testShop)
	got, err := c.ShopDetails(context.Background(), testShop, token)
	if err != nil || got != (shopify.ShopDetails{Timezone: "Europe/Berlin", Currency: "EUR"}) {
		t.Fatalf("ShopDetails = %+v, %v", got, err)
	}
	fake.RevokeAccessTokens(testShop)
	if _, err := c.ShopDetails(context.Background(), testShop, token); !errors.Is(err, shopify.ErrReauthorize) {
		t.Fatalf("revoked token: %v, want ErrReauthorize", err)
	}
}
