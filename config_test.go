package main

import (
	"strings"
	"testing"
)

func envOf(m map[string]string) getenv { return func(k string) string { return m[k] } }

func TestServeRefusesIncompleteConfiguration(t *testing.T) {
	_, err := loadSettings(envOf(map[string]string{
		"SHOPIFY_APP_URL":      "http://funnelscope.example.com",
		"TOKEN_ENCRYPTION_KEY": "c2hvcnQ=",
		"DATABASE_URL":         "mysql://root@localhost/x",
		"PORT":                 "eighty",
		"ABANDON_AFTER":        "soon",
		"SMTP_URL":             "http://mail.example.com",
	}), true)
	if err == nil {
		t.Fatal("serve accepted a broken configuration")
	}
	for _, name := range []string{"SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "TOKEN_ENCRYPTION_KEY",
		"DATABASE_URL", "PORT", "ABANDON_AFTER", "SMTP_URL", "ALERT_FROM"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "root@") {
		t.Errorf("the error repeats the database URL, which may hold a password")
	}
}

func TestServeAcceptsCompleteConfiguration(t *testing.T) {
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
		s.app.AbandonAfter.Minutes() != 45 || s.app.Scopes != "read_orders" || s.app.APIVersion != "2026-10" {
		t.Fatalf("settings = %+v", s.app)
	}
}

func TestMigrateNeedsNoShopifyConfiguration(t *testing.T) {
	if _, err := loadSettings(envOf(map[string]string{}), false); err != nil {
		t.Fatalf("migrate and demo need no configuration: %v", err)
	}
}
