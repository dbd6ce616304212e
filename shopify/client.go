package shopify

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// DefaultHTTPTimeout bounds each call to Shopify when Client.HTTP is nil.
const DefaultHTTPTimeout = 30 * time.Second

// Client calls Shopify on behalf of the app: the access-token endpoint and
// the GraphQL Admin API. The zero value of every optional field is usable.
// A Client holds no per-call state and is safe for concurrent use.
type Client struct {
	APIKey     string
	Secret     string
	APIVersion string // e.g. "2026-10"

	// HTTP is the underlying HTTP client; a client with DefaultHTTPTimeout
	// when nil.
	HTTP *http.Client

	// AdminOrigin, for development and tests only, sends every call meant
	// for https://{shop} to this origin (e.g. http://127.0.0.1:4567),
	// keeping path and query and setting the Host header to the shop.
	AdminOrigin string

	// Now is the clock used for token expiries; time.Now when nil.
	Now func() time.Time

	// Logger receives debug records about retries (never tokens); discarded
	// when nil.
	Logger *slog.Logger

	// Retry bounds retries of Admin API calls; defaults when zero.
	Retry RetryPolicy
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// httpClient returns the HTTP client for calls to shops, with the admin
// origin override installed when AdminOrigin is set. c.HTTP is not modified.
func (c *Client) httpClient() *http.Client {
	base := c.HTTP
	if base == nil {
		base = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if c.AdminOrigin == "" {
		return base
	}
	hc := *base
	hc.Transport = AdminOriginTransport{Origin: c.AdminOrigin, Base: base.Transport}
	return &hc
}

// sleepContext waits for d or until ctx is done, and returns ctx's error
// when it ends first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
