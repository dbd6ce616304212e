package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

func envOf(m map[string]string) getenv { return func(k string) string { return m[k] } }

func TestServeRefusesIncompleteConfiguration(t *testing.T) {
	t.Parallel()
	_, err := loadSettings(envOf(map[string]string{
		"SHOPIFY_APP_URL":      "http://funnelscope.example.com",
		"TOKEN_ENCRYPTION_KEY": "c2hvcnQ=",
		"DATABASE_URL":         "mysql://root@localhost/x",
		"PORT":                 "eighty",
		"ABANDON_AFTER":        "soon",
		"SMTP_URL":             "http://mail.example.com",
		"STOREFRONT_RETENTION": "a week",
	}), true)
	if err == nil {
		t.Fatal("serve accepted a broken configuration")
	}
	for _, name := range []string{"SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "TOKEN_ENCRYPTION_KEY",
		"DATABASE_URL", "PORT", "ABANDON_AFTER", "SMTP_URL", "ALERT_FROM", "STOREFRONT_RETENTION"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "root@") {
		t.Errorf("the error repeats the database URL, which may hold a password")
	}
}

func TestServeAcceptsCompleteConfiguration(t *testing.T) {
	t.Parallel()
	s, err := loadSettings(envOf(map[string]string{
		"SHOPIFY_API_KEY":      "key",
		"SHOPIFY_API_SECRET":   "secret",
		"SHOPIFY_APP_URL":      "https://funnelscope.example.com/",
		"TOKEN_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"DATABASE_URL":         "postgres://postgres@127.0.0.1:5432/test",
		"ABANDON_AFTER":        "45m",
	}), true)
	if err != nil {
		t.Fatal(err)
	}
	if s.app.AppURL != "https://funnelscope.example.com" || len(s.key) != 32 || s.port != 8080 ||
		s.app.AbandonAfter.Minutes() != 45 || s.app.Scopes != app.DefaultScopes || s.app.APIVersion != "2026-10" {
		t.Fatalf("settings = %+v", s.app)
	}
}

// TestStorefrontRetention checks STOREFRONT_RETENTION: 7 days when unset,
// any duration of at least an hour, nothing shorter.
func TestStorefrontRetention(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  string
		want time.Duration
		ok   bool
	}{{"", 7 * 24 * time.Hour, true}, {"72h", 72 * time.Hour, true}, {"1h", time.Hour, true}, {"59m", 0, false}, {"-1h", 0, false}, {"7d", 0, false}} {
		s, err := loadSettings(envOf(map[string]string{"STOREFRONT_RETENTION": c.env}), false)
		if (err == nil) != c.ok || (c.ok && s.app.StorefrontRetention != c.want) {
			t.Errorf("STOREFRONT_RETENTION=%q: %v, %v; want %v (accepted %v)", c.env, s.app.StorefrontRetention, err, c.want, c.ok)
		}
	}
}

func TestMigrateNeedsNoShopifyConfiguration(t *testing.T) {
	t.Parallel()
	if _, err := loadSettings(envOf(map[string]string{}), false); err != nil {
		t.Fatalf("migrate and demo need no configuration: %v", err)
	}
}

// TestAbandonAfterLimits checks ABANDON_AFTER, the app's default idle
// threshold, at each bound of a shop's own threshold: both take the same
// values, a whole number of minutes from funnel.MinIdleThreshold to
// funnel.MaxIdleThreshold, and so does the app's default.
func TestAbandonAfterLimits(t *testing.T) {
	t.Parallel()
	if !funnel.ValidIdleThreshold(app.DefaultAbandonAfter) {
		t.Errorf("the default threshold %s is outside the limits", app.DefaultAbandonAfter)
	}
	for _, c := range []struct {
		env  string
		want time.Duration // 0: refused
	}{
		{"4m", 0}, {"4m59s", 0}, {"5m", 5 * time.Minute}, {"5m30s", 0}, {"45m", 45 * time.Minute},
		{"167h59m", 167*time.Hour + 59*time.Minute}, {"168h", 168 * time.Hour}, {"168h1m", 0}, {"168h0m1s", 0},
		{"10000h", 0}, {"0s", 0}, {"-1h", 0},
	} {
		d, err := time.ParseDuration(c.env)
		if err != nil {
			t.Fatal(err)
		}
		s, err := loadSettings(envOf(map[string]string{"ABANDON_AFTER": c.env}), false)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("ABANDON_AFTER=%s accepted", c.env)
		case c.want == 0 && !strings.Contains(err.Error(), "ABANDON_AFTER") || c.want == 0 && !strings.Contains(err.Error(), "between 5 minutes and 7 days"):
			t.Errorf("ABANDON_AFTER=%s: the error does not say what it takes: %v", c.env, err)
		case c.want != 0 && (err != nil || s.app.AbandonAfter != c.want):
			t.Errorf("ABANDON_AFTER=%s: %v, threshold %s", c.env, err, s.app.AbandonAfter)
		}
		// A shop's own threshold, in minutes, takes the same values.
		if d%time.Minute == 0 && d > 0 {
			body := fmt.Sprintf(`{"abandon_after_minutes": %d}`, d/time.Minute)
			set, fe := alerts.ApplyJSON(store.Settings{}, []byte(body), false)
			if (fe == nil) != (c.want != 0) || fe == nil && set.AbandonAfter != c.want {
				t.Errorf("abandon_after_minutes %d: %v, threshold %s; ABANDON_AFTER=%s valid: %v", d/time.Minute, fe, set.AbandonAfter, c.env, c.want != 0)
			}
		}
	}
}
