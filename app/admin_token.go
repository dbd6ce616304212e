package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// refreshMargin is how close to expiry an access token is refreshed before use.
const refreshMargin = 5 * time.Minute

// errNeedsReauth means a shop's tokens are gone or refused: the merchant must
// open the app again, which installs it afresh by token exchange.
var errNeedsReauth = errors.New("app: shop needs re-authorization")

// adminToken returns a live access token for an Admin API call, refreshing it
// first when it is near expiry. A refused refresh marks the shop as needing
// re-authorization rather than trying again and again.
func (a *App) adminToken(ctx context.Context, shop store.Shop) (string, error) {
	if !shop.Installed() || shop.NeedsReauth {
		return "", errNeedsReauth
	}
	t := shop.Tokens
	if t.AccessTokenExpiresAt.IsZero() || a.now().Add(refreshMargin).Before(t.AccessTokenExpiresAt) {
		return t.AccessToken, nil
	}
	if t.RefreshToken == "" || (!t.RefreshTokenExpiresAt.IsZero() && !a.now().Before(t.RefreshTokenExpiresAt)) {
		return "", a.markNeedsReauth(ctx, shop, errors.New("no live refresh token"))
	}
	fresh, err := a.shopify.RefreshAccessToken(ctx, shop.Domain, t.RefreshToken)
	if errors.Is(err, shopify.ErrReauthorize) {
		return "", a.markNeedsReauth(ctx, shop, err)
	}
	if err != nil {
		return "", fmt.Errorf("app: refreshing token of %s: %w", shop.Domain, err)
	}
	tokens := store.Tokens{
		AccessToken:           fresh.AccessToken,
		Scope:                 fresh.Scope,
		RefreshToken:          fresh.RefreshToken,
		AccessTokenExpiresAt:  fresh.ExpiresAt,
		RefreshTokenExpiresAt: fresh.RefreshTokenExpiresAt,
	}
	if err := a.store.UpdateTokens(ctx, shop.ID, tokens); err != nil {
		return "", err
	}
	return fresh.AccessToken, nil
}

func (a *App) markNeedsReauth(ctx context.Context, shop store.Shop, cause error) error {
	a.log.WarnContext(ctx, "shop needs re-authorization", "shop", shop.Domain, "reason", cause.Error())
	if err := a.store.MarkNeedsReauth(ctx, shop.ID); err != nil {
		return err
	}
	return errNeedsReauth
}
