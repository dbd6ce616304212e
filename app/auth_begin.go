package app

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
)

// authBegin starts the authorization-code grant for the shop in the query.
func (a *App) authBegin(c echo.Context) error {
	shop := c.QueryParam("shop")
	if !shopify.ValidShopDomain(shop) {
		return userError(http.StatusBadRequest, "That is not a Shopify store address. Use the form your-store.myshopify.com.")
	}
	// Shopify's callback names the shop in lower case; the state cookie
	// must name it the same way.
	shop = shopify.NormalizeShopDomain(shop)
	// Inside the admin iframe a cookie would be a third-party one and the
	// authorize page refuses to be framed: leave the iframe first.
	if c.QueryParam("embedded") == "1" {
		return a.render(c, http.StatusOK, "exit_iframe.html", pageData{
			Shop:     shop,
			Redirect: a.cfg.AppURL + "/auth?shop=" + shop,
		})
	}
	state, err := newState(a.random)
	if err != nil {
		return err
	}
	c.SetCookie(a.stateCookie(state, shop, a.now()))
	return c.Redirect(http.StatusFound, a.shopify.AuthorizeURL(shop, state, a.cfg.AppURL+"/auth/callback", a.cfg.Scopes))
}
