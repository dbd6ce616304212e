package shopify

import "errors"

// ErrInvalidSessionToken is returned (wrapped with the reason) when a
// session token fails verification.
var ErrInvalidSessionToken = errors.New("shopify: invalid session token")

// ErrInvalidSubjectToken is returned (wrapped) when Shopify rejects the
// session token offered in a token exchange (HTTP 400, error
// "invalid_subject_token"); the caller should fetch a fresh session token.
var ErrInvalidSubjectToken = errors.New("shopify: invalid subject token")

// ErrReauthorize is returned (wrapped) when Shopify no longer accepts the
// app's credentials for a shop (a retired refresh token, a revoked access
// token). The shop must authorize the app again; callers must not retry in a
// loop.
var ErrReauthorize = errors.New("shopify: shop must re-authorize the app")

// ErrBadPayload is returned (wrapped with the reason) when a webhook body is
// not valid JSON of the shape expected for its topic.
var ErrBadPayload = errors.New("shopify: bad webhook payload")

// ErrBadTimestamp is returned (wrapped with the reason) by CheckTimestamp.
var ErrBadTimestamp = errors.New("shopify: bad query timestamp")

// ErrInvalidShop is returned when a shop argument is not a valid
// myshopify.com domain.
var ErrInvalidShop = errors.New("shopify: invalid shop domain")
