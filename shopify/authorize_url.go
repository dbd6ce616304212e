package shopify

import "net/url"

// AuthorizeURL returns the authorization-code grant URL on the shop's admin
// for an offline token: https://{shop}/admin/oauth/authorize with client_id,
// scope, redirect_uri and state. It always points at https://{shop} (the
// browser goes there; AdminOrigin does not apply). It returns "" when shop is
// not a valid shop domain, so it can never become an open redirect.
func (c *Client) AuthorizeURL(shop, state, redirectURI, scopes string) string {
	if !ValidShopDomain(shop) {
		return ""
	}
	q := url.Values{
		"client_id":    {c.APIKey},
		"scope":        {scopes},
		"redirect_uri": {redirectURI},
		"state":        {state},
	}
	u := url.URL{Scheme: "https", Host: shop, Path: "/admin/oauth/authorize", RawQuery: q.Encode()}
	return u.String()
}
