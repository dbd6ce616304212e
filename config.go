package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
)

// settings is everything read from the environment, once, at start-up.
type settings struct {
	app         app.Config
	databaseURL string
	port        int
	key         []byte
	// collectNow is the app's /collect clock (app.Options.CollectNow):
	// demo mode's replay clock, nil otherwise.
	collectNow func() time.Time
}

// getenv reads one variable; tests pass a map instead of the process environment.
type getenv func(string) string

// loadSettings reads and checks the environment. When required is true (serve),
// the Shopify credentials, app URL and encryption key must be present. Every
// problem is reported at once, so an operator fixes them in one go.
func loadSettings(env getenv, required bool) (settings, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	s := settings{app: app.Config{
		APIKey:              strings.TrimSpace(env("SHOPIFY_API_KEY")),
		APISecret:           strings.TrimSpace(env("SHOPIFY_API_SECRET")),
		AppURL:              strings.TrimRight(strings.TrimSpace(env("SHOPIFY_APP_URL")), "/"),
		Scopes:              orDefault(env("SCOPES"), app.DefaultScopes),
		APIVersion:          orDefault(env("SHOPIFY_API_VERSION"), app.DefaultAPIVersion),
		AbandonAfter:        app.DefaultAbandonAfter,
		PayloadRetention:    app.DefaultPayloadRetention,
		StorefrontRetention: app.DefaultStorefrontRetention,
		SMTPURL:             strings.TrimSpace(env("SMTP_URL")),
		AlertFrom:           strings.TrimSpace(env("ALERT_FROM")),
		AdminOrigin:         strings.TrimRight(strings.TrimSpace(env("SHOPIFY_ADMIN_ORIGIN")), "/"),
	}}
	s.databaseURL = orDefault(env("DATABASE_URL"), "sqlite:funnelscope.db")

	if required {
		if s.app.APIKey == "" {
			bad("SHOPIFY_API_KEY is missing: set it to the app's client id from the Partner dashboard")
		}
		if s.app.APISecret == "" {
			bad("SHOPIFY_API_SECRET is missing: set it to the app's client secret from the Partner dashboard")
		}
		switch u, err := url.Parse(s.app.AppURL); {
		case s.app.AppURL == "":
			bad("SHOPIFY_APP_URL is missing: set it to the app's public https URL")
		case err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
			bad("SHOPIFY_APP_URL %q is not an https URL without query, like https://funnelscope.example.com", s.app.AppURL)
		}
		raw := strings.TrimSpace(env("TOKEN_ENCRYPTION_KEY"))
		if raw == "" {
			bad("TOKEN_ENCRYPTION_KEY is missing: set it to 32 random bytes in base64 (openssl rand -base64 32)")
		} else if key, err := base64.StdEncoding.DecodeString(raw); err != nil || len(key) != 32 {
			bad("TOKEN_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
		} else {
			s.key = key
		}
	}
	if !strings.HasPrefix(s.databaseURL, "postgres://") && !strings.HasPrefix(s.databaseURL, "postgresql://") &&
		!strings.HasPrefix(s.databaseURL, "sqlite:") {
		bad("DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got scheme %q)", scheme(s.databaseURL))
	}
	s.port = 8080
	if p := strings.TrimSpace(env("PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			bad("PORT %q is not a port number", p)
		}
		s.port = n
	}
	if v := strings.TrimSpace(env("ABANDON_AFTER")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || !funnel.ValidIdleThreshold(d) {
			bad("ABANDON_AFTER %q must be a whole number of minutes %s, like 1h or 45m (a shop's own threshold has the same limits)",
				v, funnel.IdleThresholdRange())
		}
		s.app.AbandonAfter = d
	}
	if v := strings.TrimSpace(env("STOREFRONT_RETENTION")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < app.MinStorefrontRetention {
			bad("STOREFRONT_RETENTION %q must be a duration of at least %s, like 168h (7 days)", v, app.MinStorefrontRetention)
		}
		s.app.StorefrontRetention = d
	}
	if s.app.SMTPURL != "" {
		if u, err := url.Parse(s.app.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
		}
		if s.app.AlertFrom == "" {
			bad("ALERT_FROM is missing: alert e-mail needs a sender address when SMTP_URL is set")
		}
	}
	if s.app.AdminOrigin != "" {
		if u, err := url.Parse(s.app.AdminOrigin); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("SHOPIFY_ADMIN_ORIGIN %q must be an origin like http://127.0.0.1:9999", s.app.AdminOrigin)
		}
	}
	if len(problems) > 0 {
		return s, errors.New("configuration:\n  - " + strings.Join(problems, "\n  - "))
	}
	return s, nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// scheme names a URL's scheme without echoing credentials it may contain.
func scheme(u string) string {
	if i := strings.Index(u, ":"); i > 0 {
		return u[:i]
	}
	return ""
}
