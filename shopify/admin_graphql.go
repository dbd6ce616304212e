package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

// apiVersionPattern is the shape go-shopify accepts; anything else would make
// it silently fall back to the unversioned (oldest) API.
var apiVersionPattern = regexp.MustCompile(`\A(\d{4}-\d{2}|unstable)\z`)

// adminClient returns a go-shopify client for one shop. go-shopify clients
// are not goroutine-safe, so one is built per operation. Its own retries are
// left off (they sleep with time.Sleep and ignore ctx); graphQL retries.
func (c *Client) adminClient(shop, accessToken string) (*goshopify.Client, error) {
	if !ValidShopDomain(shop) {
		return nil, ErrInvalidShop
	}
	if !apiVersionPattern.MatchString(c.APIVersion) {
		return nil, fmt.Errorf("shopify: invalid API version %q", c.APIVersion)
	}
	app := goshopify.App{ApiKey: c.APIKey, ApiSecret: c.Secret}
	return goshopify.NewClient(app, shop, accessToken,
		goshopify.WithVersion(c.APIVersion),
		goshopify.WithHTTPClient(c.httpClient()))
}

// graphQL runs one GraphQL operation, retrying on HTTP 429 (honouring
// Retry-After), 5xx and THROTTLED errors within c.Retry. A 401 wraps
// ErrReauthorize.
func (c *Client) graphQL(ctx context.Context, gs *goshopify.Client, query string, vars, out any) error {
	p := c.Retry.withDefaults()
	for attempt := 1; ; attempt++ {
		err := gs.GraphQL.Query(ctx, query, vars, out)
		if err == nil {
			return nil
		}
		retryable, retryAfter := classifyAdminError(err)
		if status := adminErrorStatus(err); status == http.StatusUnauthorized {
			return fmt.Errorf("%w: %w", ErrReauthorize, err)
		}
		if !retryable || attempt >= p.MaxAttempts || ctx.Err() != nil {
			return err
		}
		d := p.delay(attempt, retryAfter)
		c.logger().DebugContext(ctx, "shopify: retrying admin API call",
			"attempt", attempt, "status", adminErrorStatus(err), "wait", d)
		if serr := p.Sleep(ctx, d); serr != nil {
			return fmt.Errorf("%w (while waiting to retry: %w)", err, serr)
		}
	}
}

// classifyAdminError tells whether a go-shopify error is worth retrying and
// the server-requested wait, if any.
func classifyAdminError(err error) (retryable bool, retryAfter time.Duration) {
	var rl goshopify.RateLimitError
	if errors.As(err, &rl) {
		// HTTP 429 (Retry-After header) or GraphQL THROTTLED (cost based).
		return true, time.Duration(rl.RetryAfter) * time.Second
	}
	status := adminErrorStatus(err)
	return status >= 500 && status <= 599, 0
}

// adminErrorStatus returns the HTTP status carried by a go-shopify error, or 0.
func adminErrorStatus(err error) int {
	var rl goshopify.RateLimitError
	if errors.As(err, &rl) {
		return rl.Status
	}
	var re goshopify.ResponseError
	if errors.As(err, &re) {
		return re.Status
	}
	var de goshopify.ResponseDecodingError
	if errors.As(err, &de) {
		return de.Status
	}
	return 0
}
