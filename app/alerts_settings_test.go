package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// TestAlertSettingsAPI checks the settings JSON, its defaults, and that each
// bad field is a 400 naming it with nothing saved.
func TestAlertSettingsAPI(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "settings.myshopify.com"
		h.install(shop)

		_, body := h.api(http.MethodGet, "/api/settings", shop, nil)
		const defaults = `{"abandon_after_minutes":60,"alerts_enabled":false,"min_value":"0.00",` +
			`"kinds":["abandoned_cart","checkout_dropoff","payment_dropoff"],"emails":[],"chat_webhook_url":"",` +
			`"flow_enabled":false,"holdout_percent":0,"immediate_min_value":"0.00","digest":"off","timezone":"UTC",` +
			`"anomalies_enabled":true,"anomaly_materiality":20}`
		// The settings, and under "defaults" those of a shop that saved none
		// (here the same), which the settings page shows for an empty field.
		withDefaults := strings.TrimSuffix(defaults, "}") + `,"defaults":` + defaults + "}"
		if got := string(body); got != withDefaults+"\n" {
			t.Fatalf("default settings\n got %s\nwant %s", got, withDefaults)
		}

		valid := map[string]any{
			"abandon_after_minutes": 45, "alerts_enabled": true, "min_value": "5.00",
			"kinds": []string{"abandoned_cart", "payment_dropoff"}, "emails": []string{"a@example.com", "b@example.org"},
			"chat_webhook_url": "https://hooks.example.com/services/x", "flow_enabled": true, "holdout_percent": 10,
			"immediate_min_value": "100.00", "digest": "daily", "timezone": "Europe/Paris",
			"anomalies_enabled": false, "anomaly_materiality": 30,
		}
		resp, saved := h.api(http.MethodPut, "/api/settings", shop, valid)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT valid: %d %s", resp.StatusCode, saved)
		}
		var back map[string]any
		if err := json.Unmarshal(saved, &back); err != nil {
			t.Fatal(err)
		}
		// Saving changes the settings, never the defaults.
		var after struct{ Defaults json.RawMessage }
		if err := json.Unmarshal(saved, &after); err != nil || string(after.Defaults) != defaults {
			t.Errorf("defaults after saving\n got %s (%v)\nwant %s", after.Defaults, err, defaults)
		}
		delete(back, "defaults")
		wantJSON, _ := json.Marshal(valid)
		gotJSON, _ := json.Marshal(back)
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("saved settings\n got %s\nwant %s", gotJSON, wantJSON)
		}
		if _, get := h.api(http.MethodGet, "/api/settings", shop, nil); string(get) != string(saved) {
			t.Errorf("GET after PUT %s, PUT answered %s", get, saved)
		}

		bad := []struct {
			field string
			value any
		}{
			{"abandon_after_minutes", 4},
			{"abandon_after_minutes", 7*24*60 + 1},
			{"abandon_after_minutes", "60"},
			{"alerts_enabled", "yes"},
			{"flow_enabled", "on"},
			{"holdout_percent", -1},
			{"holdout_percent", 51},
			{"holdout_percent", 10.5},
			{"holdout_percent", "10"},
			{"anomalies_enabled", "on"},
			{"anomaly_materiality", 4},
			{"anomaly_materiality", 91},
			{"anomaly_materiality", "20"},
			{"min_value", "-1.00"},
			{"min_value", "ten"},
			{"min_value", "1e3"},
			{"min_value", -2},
			{"kinds", []string{"abandoned_cart", "lost_cart"}},
			{"kinds", "abandoned_cart"},
			{"emails", []string{"a@example.com", "not-an-address"}},
			{"emails", []string{"Ana <ana@example.com>"}},
			{"emails", []string{"a@b@example.com"}},
			{"chat_webhook_url", "http://hooks.example.com/x"},
			{"chat_webhook_url", "ftp://hooks.example.com/x"},
			{"chat_webhook_url", "https://user:pw@hooks.example.com/x"},
			{"immediate_min_value", "-0.01"},
			{"immediate_min_value", "12.3.4"},
			{"digest", "weekly"},
			{"timezone", "Mars/Olympus_Mons"},
			{"timezone", "Local"},
			{"timezone", ""},
		}
		for _, b := range bad {
			in := merge(valid, map[string]any{b.field: b.value})
			// Also change a valid field, which must not be saved either.
			in["min_value"] = "7.00"
			if b.field == "min_value" {
				in["min_value"] = b.value
				in["immediate_min_value"] = "200.00"
			}
			resp, body := h.api(http.MethodPut, "/api/settings", shop, in)
			var e struct{ Error, Field string }
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != http.StatusBadRequest || e.Field != b.field || e.Error == "" {
				t.Errorf("%s = %v: %d %s, want 400 naming %s", b.field, b.value, resp.StatusCode, body, b.field)
			}
			if _, get := h.api(http.MethodGet, "/api/settings", shop, nil); string(get) != string(saved) {
				t.Errorf("%s = %v changed the settings: %s", b.field, b.value, get)
			}
		}
		resp, body = h.api(http.MethodPut, "/api/settings", shop, merge(valid, map[string]any{"emails": []string{}, "chat_webhook_url": "", "flow_enabled": false}))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("alerts on with no channel: %d %s", resp.StatusCode, body)
		}
		// Shopify Flow alone is a channel.
		resp, body = h.api(http.MethodPut, "/api/settings", shop, merge(valid, map[string]any{"emails": []string{}, "chat_webhook_url": ""}))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("alerts on with Flow only: %d %s", resp.StatusCode, body)
		}
		h.putSettings(shop, valid)
		// A partial body changes only what it names.
		h.putSettings(shop, map[string]any{"alerts_enabled": false})
		_, body = h.api(http.MethodGet, "/api/settings", shop, nil)
		var partial map[string]any
		_ = json.Unmarshal(body, &partial)
		if partial["alerts_enabled"] != false || partial["digest"] != "daily" || partial["min_value"] != "5.00" {
			t.Errorf("after a partial PUT: %s", body)
		}
	})
}
