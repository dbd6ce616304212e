package shopify

import (
	"context"
	"fmt"
)

// ShopDetails is what the app reads about a shop from the Admin API.
type ShopDetails struct {
	// Timezone is the shop's IANA time zone, e.g. America/Toronto.
	Timezone string
	// Currency is the shop's currency code, e.g. CAD.
	Currency string
}

const shopDetailsQuery = `query ShopDetails { shop { ianaTimezone currencyCode } }`

// ShopDetails reads the shop's time zone and currency. A 401 wraps
// ErrReauthorize, as for RegisterWebhooks.
func (c *Client) ShopDetails(ctx context.Context, shop, accessToken string) (ShopDetails, error) {
	gs, err := c.adminClient(shop, accessToken)
	if err != nil {
		return ShopDetails{}, fmt.Errorf("shopify: reading shop details: %w", err)
	}
	var data struct {
		Shop struct {
			IanaTimezone string `json:"ianaTimezone"`
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
	}
	if err := c.graphQL(ctx, gs, shopDetailsQuery, nil, &data); err != nil {
		return ShopDetails{}, fmt.Errorf("shopify: reading shop details: %w", err)
	}
	return ShopDetails{Timezone: data.Shop.IanaTimezone, Currency: data.Shop.CurrencyCode}, nil
}
