package app

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// themeCheckTimeout bounds the status's call to Shopify for the main
// theme: the page shows "could not be checked" rather than wait longer.
const themeCheckTimeout = 8 * time.Second

// apiStorefrontStatus answers GET /api/storefront/status for the
// authenticated shop: where its web pixel stands, whether the theme app
// embed is on in its published theme (read from Shopify on each call,
// outside demo mode), and the theme editor's deep link.
func (a *App) apiStorefrontStatus(c echo.Context) error {
	st, err := a.storefrontStatus(c.Request().Context(), shopOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// storefrontStatus gathers the shop's storefront status.
func (a *App) storefrontStatus(ctx context.Context, shop store.Shop) (storefrontStatus, error) {
	act, ok, err := a.store.PixelActivationOf(ctx, shop.ID)
	if err != nil {
		return storefrontStatus{}, err
	}
	lastSeen, err := a.store.PixelLastSeen(ctx, shop.ID)
	if err != nil {
		return storefrontStatus{}, err
	}
	var embed shopify.ThemeEmbed
	var embedErr error
	if !a.cfg.Demo {
		embed, embedErr = a.mainThemeEmbed(ctx, shop)
	}
	return storefrontStatus{
		Pixel:          newPixelStatus(a.now(), act, ok, lastSeen, a.cfg.Demo),
		Embed:          newEmbedStatus(embed, embedErr, a.cfg.Demo),
		ThemeEditorURL: themeEditorURL(shop.Domain, a.cfg.APIKey),
	}, nil
}

// mainThemeEmbed reads the app embed's state from the shop's main theme.
func (a *App) mainThemeEmbed(ctx context.Context, shop store.Shop) (shopify.ThemeEmbed, error) {
	ctx, cancel := context.WithTimeout(ctx, themeCheckTimeout)
	defer cancel()
	token, err := a.adminToken(ctx, shop)
	if err != nil {
		return shopify.ThemeEmbed{}, err
	}
	e, err := a.shopify.MainThemeEmbed(ctx, shop.Domain, token, embedHandle)
	if err != nil {
		a.log.WarnContext(ctx, "theme embed not checked", "shop", shop.Domain, "error", err.Error())
	}
	return e, err
}

// apiStorefrontActivate answers POST /api/storefront/activate: the
// merchant's "Connect the pixel" or "Try again". It queues the
// activate_pixel job with its pending state, in one transaction, and
// answers the status (202). Demo mode makes no calls to Shopify: 403.
func (a *App) apiStorefrontActivate(c echo.Context) error {
	if a.cfg.Demo {
		return userError(http.StatusForbidden, "The demo makes no calls to Shopify, so it has no pixel to connect.")
	}
	ctx := c.Request().Context()
	shop := shopOf(c)
	err := a.store.RequeuePixelActivation(ctx, shop.ID, func(ctx context.Context, tx *sql.Tx, _ int64) error {
		_, err := a.jobs.InsertTx(ctx, tx, ActivatePixelArgs{Shop: shop.Domain}, nil)
		return err
	})
	if err != nil {
		return err
	}
	st, err := a.storefrontStatus(ctx, shop)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, st)
}
