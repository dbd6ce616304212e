package app

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// authCallback finishes the authorization-code grant: every check passes
// before the code is spent, and nothing is stored unless all of them do.
func (a *App) authCallback(c echo.Context) error {
	q := c.QueryParams()
	shop := q.Get("shop")
	switch {
	case !shopify.VerifyQueryHMAC(q, a.cfg.APISecret):
		return userError(http.StatusBadRequest, "This request is not signed by Shopify. Start the install again from your Shopify admin.")
	case !shopify.ValidShopDomain(shop):
		return userError(http.StatusBadRequest, "That is not a Shopify store address.")
	case shopify.CheckTimestamp(q, a.now(), shopify.QueryTimestampTolerance) != nil:
		return userError(http.StatusBadRequest, "This install link is too old. Start the install again from your Shopify admin.")
	case q.Get("code") == "":
		return userError(http.StatusBadRequest, "Shopify did not send an authorization code. Start the install again.")
	}
	cookie, err := c.Cookie(stateCookieName)
	if err != nil || !a.checkState(cookie.Value, q.Get("state"), shop, a.now()) {
		return userError(http.StatusBadRequest, "This install link has expired or was opened in another browser. Start the install again from your Shopify admin.")
	}
	c.SetCookie(expiredStateCookie())

	ctx := c.Request().Context()
	tok, err := a.shopify.ExchangeCode(ctx, shop, q.Get("code"))
	if err != nil {
		if refusedByShopify(err) {
			return &Error{Status: http.StatusBadRequest, Err: err,
				Message: "Shopify did not accept this authorization: it may have been used already. Start the install again."}
		}
		return &Error{Status: http.StatusBadGateway, Err: err, Message: "Shopify could not be reached to finish the install. Please try again."}
	}
	if !shopify.ScopesCover(tok.Scope, a.cfg.Scopes) {
		return userError(http.StatusForbidden, "Funnelscope needs the %s access to work. Install it again and accept the requested access.", a.cfg.Scopes)
	}
	if _, err := a.install(ctx, shop, tok); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "shop installed", "shop", shop, "via", "authorization_code")
	return c.Redirect(http.StatusFound, adminAppURL(q.Get("host"), shop, a.cfg.APIKey))
}

// refusedByShopify tells a token request Shopify refused (a 4xx: a used or
// expired code, a bad session token) from one that failed on the way.
func refusedByShopify(err error) bool {
	te, ok := errors.AsType[*shopify.TokenError](err)
	return ok && te.Status >= 400 && te.Status < 500
}

// install stores a shop's tokens and, in the same transaction, queues the
// registration of its webhooks and the activation of its web pixel, so an
// install never goes without them.
func (a *App) install(ctx context.Context, shop string, tok shopify.Token) (store.Shop, error) {
	tokens := store.Tokens{
		AccessToken:           tok.AccessToken,
		Scope:                 tok.Scope,
		RefreshToken:          tok.RefreshToken,
		AccessTokenExpiresAt:  tok.ExpiresAt,
		RefreshTokenExpiresAt: tok.RefreshTokenExpiresAt,
	}
	var enqueue store.InTx[store.Shop] = func(ctx context.Context, tx *sql.Tx, s store.Shop) error {
		if _, err := a.jobs.InsertTx(ctx, tx, RegisterWebhooksArgs{Shop: shop}, nil); err != nil {
			return err
		}
		return a.queuePixelActivation(ctx, tx, s.ID, s.Domain)
	}
	if a.cfg.Demo {
		enqueue = nil
	}
	s, err := a.store.InstallShop(ctx, shop, tokens, enqueue)
	if err != nil {
		return store.Shop{}, err
	}
	return s, nil
}

// adminAppURL is where a merchant lands after install: the app inside their
// admin, from the host parameter when it names a Shopify admin.
func adminAppURL(host, shop, apiKey string) string {
	if raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(host, "=")); err == nil {
		h := string(raw)
		name, _, _ := strings.Cut(h, "/")
		if name == "admin.shopify.com" || (strings.HasSuffix(name, ".myshopify.com") && shopify.ValidShopDomain(name)) {
			if !strings.ContainsAny(h, "?#\\ \"'<>") {
				return "https://" + strings.TrimRight(h, "/") + "/apps/" + apiKey
			}
		}
	}
	return "https://" + shop + "/admin/apps/" + apiKey
}
