package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// ctxShop is the echo context key of the authenticated shop.
const ctxShop = "shop"

// shopOf returns the shop authenticated for this request by a session token.
func shopOf(c echo.Context) store.Shop {
	s, _ := c.Get(ctxShop).(store.Shop)
	return s
}

// sessionToken guards /api: a valid session token in the Authorization header
// names the shop, and every call is scoped to it.
func (a *App) sessionToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		claims, err := a.tokens.Verify(strings.TrimSpace(raw))
		if !ok || err != nil {
			// App Bridge fetches a fresh token and retries once on this header.
			c.Response().Header().Set("X-Shopify-Retry-Invalid-Session-Request", "1")
			return &Error{Status: http.StatusUnauthorized, Err: err, Message: "Your session has expired. Reload the page."}
		}
		shop, err := a.ensureInstalled(c.Request().Context(), claims, raw)
		if err != nil {
			return err
		}
		c.Set(ctxShop, shop)
		return next(c)
	}
}

// embeddedPage guards the admin pages: a document request authenticates with
// the id_token query parameter; without a valid one, the bounce page lets App
// Bridge reload the page with a fresh token (in demo mode, the demo's entry
// gives it one).
func (a *App) embeddedPage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		claims, err := a.tokens.Verify(c.QueryParam("id_token"))
		if err != nil && a.cfg.Demo {
			// The path as requested: a route with a parameter
			// (/sessions/:key) opens the page it names.
			return a.demoOpen(c, c.Request().URL.EscapedPath())
		}
		if err != nil {
			shop := c.QueryParam("shop")
			if !shopify.ValidShopDomain(shop) {
				shop = ""
			}
			return a.render(c, http.StatusOK, "bounce.html", pageData{Shop: shop})
		}
		shop, err := a.ensureInstalled(c.Request().Context(), claims, c.QueryParam("id_token"))
		if err != nil {
			return err
		}
		c.Set(ctxShop, shop)
		return next(c)
	}
}

// downloadToken guards a download the page starts by navigating to it
// (GET /api/sessions.csv): like sessionToken, but the session token may
// also come as the id_token query parameter, as it does on a page's own
// document request. Shopify's session tokens live a minute and are signed
// with the app's secret, and request logs never carry the query, so the
// link is of no use to anyone a minute later.
func (a *App) downloadToken(next echo.HandlerFunc) echo.HandlerFunc {
	bearer := a.sessionToken(next)
	return func(c echo.Context) error {
		raw := c.QueryParam("id_token")
		if raw == "" {
			return bearer(c)
		}
		claims, err := a.tokens.Verify(raw)
		if err != nil {
			return &Error{Status: http.StatusUnauthorized, Err: err, Message: "This download link has expired. Start the export again from the report."}
		}
		shop, err := a.ensureInstalled(c.Request().Context(), claims, raw)
		if err != nil {
			return err
		}
		c.Set(ctxShop, shop)
		return next(c)
	}
}

// ensureInstalled returns the shop named by a verified session token. A shop
// with no usable token is installed by token exchange (Shopify-managed
// installation), which also repairs a shop whose refresh failed.
func (a *App) ensureInstalled(ctx context.Context, claims shopify.SessionClaims, idToken string) (store.Shop, error) {
	shop, err := a.store.ShopByDomain(ctx, claims.Shop)
	if err == nil && shop.Installed() && !shop.NeedsReauth {
		return shop, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Shop{}, err
	}
	if a.cfg.Demo {
		return store.Shop{}, userError(http.StatusForbidden, "Demo mode serves only its demo shop.")
	}
	tok, err := a.shopify.ExchangeSessionToken(ctx, claims.Shop, idToken)
	if err != nil {
		if refusedByShopify(err) {
			return store.Shop{}, &Error{Status: http.StatusUnauthorized, Err: err, Message: "Shopify did not accept this session. Reload the page."}
		}
		return store.Shop{}, &Error{Status: http.StatusBadGateway, Err: err, Message: "Shopify could not be reached to set up the app. Please try again."}
	}
	if !shopify.ScopesCover(tok.Scope, a.cfg.Scopes) {
		return store.Shop{}, userError(http.StatusForbidden, "Funnelscope needs the %s access to work. Ask the store owner to approve it.", a.cfg.Scopes)
	}
	shop, err = a.install(ctx, claims.Shop, tok)
	if err != nil {
		return store.Shop{}, err
	}
	a.log.InfoContext(ctx, "shop installed", "shop", claims.Shop, "via", "token_exchange")
	return shop, nil
}

// setFrameAncestors allows only this shop's admin to frame the page.
func (a *App) setFrameAncestors(c echo.Context, shop string) {
	fa := "frame-ancestors https://admin.shopify.com"
	if shop != "" {
		fa = "frame-ancestors https://" + shop + " https://admin.shopify.com"
	}
	c.Response().Header().Set("Content-Security-Policy", fa+"; object-src 'none'; base-uri 'self'")
}
