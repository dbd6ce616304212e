package shopify

import (
	"context"
	"time"
)

// RetryPolicy bounds how Admin API calls are retried on HTTP 429, 5xx and
// GraphQL THROTTLED answers. Zero fields take the Default* values.
type RetryPolicy struct {
	MaxAttempts int                                              // total attempts, first one included
	BaseDelay   time.Duration                                    // first backoff; doubles each retry
	MaxDelay    time.Duration                                    // cap on any single wait, Retry-After included
	Sleep       func(ctx context.Context, d time.Duration) error // waits; tests inject a fake
}

// Defaults for the zero fields of RetryPolicy.
const (
	DefaultRetryAttempts  = 5
	DefaultRetryBaseDelay = 500 * time.Millisecond
	DefaultRetryMaxDelay  = 10 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryMaxDelay
	}
	if p.Sleep == nil {
		p.Sleep = sleepContext
	}
	return p
}

// delay returns the wait before retry number retry (1-based): the server's
// Retry-After when it gave one, else exponential backoff; capped.
func (p RetryPolicy) delay(retry int, retryAfter time.Duration) time.Duration {
	d := retryAfter
	if d <= 0 {
		d = p.BaseDelay
		for i := 1; i < retry && d < p.MaxDelay; i++ {
			d *= 2
		}
	}
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}
