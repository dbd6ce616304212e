// Package shopify implements the parts of Shopify's app protocol that
// Funnelscope relies on: shop-domain validation, OAuth and install query
// HMACs, webhook HMACs and headers, App Bridge session tokens (JWT), the
// access-token endpoint (authorization code, token exchange, refresh),
// webhook subscription through the GraphQL Admin API, and the webhook
// payload types the funnel reads.
//
// Nothing in this package logs or returns secrets or tokens in error text.
package shopify
