package shopify

import (
	"fmt"
	"net/http"
	"net/url"
)

// AdminOriginTransport is an http.RoundTripper for development and tests: a
// request to https://{shop} (a valid myshopify.com domain) is sent to Origin
// instead, keeping path and query, with the Host header set to the shop's
// hostname so that a stand-in server can tell shops apart. Other requests
// pass through unchanged.
type AdminOriginTransport struct {
	Origin string            // e.g. http://127.0.0.1:4567
	Base   http.RoundTripper // http.DefaultTransport when nil
}

// RoundTrip implements http.RoundTripper.
func (t AdminOriginTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if req.URL == nil || req.URL.Scheme != "https" || !ValidShopDomain(req.URL.Host) {
		return base.RoundTrip(req)
	}
	origin, err := url.Parse(t.Origin)
	if err != nil || (origin.Scheme != "http" && origin.Scheme != "https") || origin.Host == "" {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("shopify: admin origin override is not an http(s) origin")
	}
	shop := req.URL.Host
	out := req.Clone(req.Context())
	out.URL.Scheme = origin.Scheme
	out.URL.Host = origin.Host
	out.Host = shop
	return base.RoundTrip(out)
}
