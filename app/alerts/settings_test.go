package alerts

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// saved is the settings ApplyJSON starts from in these tests: every field
// set, none to its default.
func saved() store.Settings {
	return store.Settings{ShopID: 7, AbandonAfter: 90 * time.Minute, Alerts: &store.AlertSettings{
		Enabled: true, MinValue: 500, Kinds: []funnel.Status{funnel.StatusPaymentDropoff},
		Emails: []string{"owner@example.com"}, ChatWebhookURL: "https://hooks.example.com/services/x",
		ImmediateMinValue: 10000, Digest: store.DigestDaily, Timezone: "Europe/Paris",
		AnomaliesEnabled: false, AnomalyMateriality: 35,
	}}
}

// apply runs ApplyJSON on saved() with body built from fields.
func apply(t *testing.T, fields map[string]any, requireChannel bool) (store.Settings, *FieldError) {
	t.Helper()
	body, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return ApplyJSON(saved(), body, requireChannel)
}

// TestApplyJSONAccepts checks each field's accepted values and what they
// become; the fields the body does not name keep their value.
func TestApplyJSONAccepts(t *testing.T) {
	long := "https://hooks.example.com/" + strings.Repeat("a", maxURLLength-len("https://hooks.example.com/"))
	var twenty []string
	for i := range MaxEmails {
		twenty = append(twenty, "a"+strconv.Itoa(i)+"@example.com")
	}
	for _, c := range []struct {
		field string
		value any
		want  func(*store.Settings)
	}{
		{"abandon_after_minutes", 5, func(s *store.Settings) { s.AbandonAfter = 5 * time.Minute }},
		{"abandon_after_minutes", 7 * 24 * 60, func(s *store.Settings) { s.AbandonAfter = 7 * 24 * time.Hour }},
		{"abandon_after_minutes", 45, func(s *store.Settings) { s.AbandonAfter = 45 * time.Minute }},
		{"alerts_enabled", false, func(s *store.Settings) { s.Alerts.Enabled = false }},
		{"min_value", "12.50", func(s *store.Settings) { s.Alerts.MinValue = 1250 }},
		{"min_value", " 3 ", func(s *store.Settings) { s.Alerts.MinValue = 300 }},
		{"min_value", 12.5, func(s *store.Settings) { s.Alerts.MinValue = 1250 }},
		{"min_value", 0, func(s *store.Settings) { s.Alerts.MinValue = 0 }},
		{"min_value", "0.00", func(s *store.Settings) { s.Alerts.MinValue = 0 }},
		{"kinds", []string{"checkout_dropoff", "abandoned_cart", "checkout_dropoff"}, func(s *store.Settings) {
			s.Alerts.Kinds = []funnel.Status{funnel.StatusCheckoutDropoff, funnel.StatusAbandonedCart}
		}},
		{"kinds", []string{}, func(s *store.Settings) { s.Alerts.Kinds = nil }},
		{"emails", []string{" Ana@Example.com ", "ana@example.com", "bo@example.org"}, func(s *store.Settings) {
			s.Alerts.Emails = []string{"Ana@Example.com", "bo@example.org"}
		}},
		{"emails", twenty, func(s *store.Settings) { s.Alerts.Emails = twenty }},
		{"chat_webhook_url", " https://hooks.slack.com/services/T/B/c ", func(s *store.Settings) {
			s.Alerts.ChatWebhookURL = "https://hooks.slack.com/services/T/B/c"
		}},
		{"chat_webhook_url", "", func(s *store.Settings) { s.Alerts.ChatWebhookURL = "" }},
		{"chat_webhook_url", long, func(s *store.Settings) { s.Alerts.ChatWebhookURL = long }},
		{"immediate_min_value", "250", func(s *store.Settings) { s.Alerts.ImmediateMinValue = 25000 }},
		{"digest", "off", func(s *store.Settings) { s.Alerts.Digest = store.DigestOff }},
		{"digest", "hourly", func(s *store.Settings) { s.Alerts.Digest = store.DigestHourly }},
		{"timezone", "Asia/Kolkata", func(s *store.Settings) { s.Alerts.Timezone = "Asia/Kolkata" }},
		{"timezone", "UTC", func(s *store.Settings) { s.Alerts.Timezone = "UTC" }},
	} {
		got, fe := apply(t, map[string]any{c.field: c.value}, true)
		if fe != nil {
			t.Errorf("%s = %#v refused: %v", c.field, c.value, fe)
			continue
		}
		want := saved()
		c.want(&want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v:\n got %+v %+v\nwant %+v %+v", c.field, c.value, got, *got.Alerts, want, *want.Alerts)
		}
	}
}

// TestApplyJSONRefuses checks each field's refused values: the error names
// the field and says what it takes, and the settings come back unchanged
// even when the body's other fields were valid.
func TestApplyJSONRefuses(t *testing.T) {
	var many []string
	for i := range MaxEmails + 1 {
		many = append(many, "a"+strconv.Itoa(i)+"@example.com")
	}
	tooLong := "https://hooks.example.com/" + strings.Repeat("a", maxURLLength+1-len("https://hooks.example.com/"))
	for _, c := range []struct {
		field string
		value any
		says  string
	}{
		{"abandon_after_minutes", 4, "between 5 minutes and 7 days"},
		{"abandon_after_minutes", 7*24*60 + 1, "between 5 minutes and 7 days"},
		{"abandon_after_minutes", 0, "between 5 minutes and 7 days"},
		{"abandon_after_minutes", -60, "between 5 minutes and 7 days"},
		// Times a minute, these wrap around to 60 and to 60 minutes more
		// than nothing: refused before multiplying.
		{"abandon_after_minutes", json.Number("-9007199254740932"), "between 5 minutes and 7 days"},
		{"abandon_after_minutes", json.Number("9007199254741052"), "between 5 minutes and 7 days"},
		{"abandon_after_minutes", json.Number("9223372036854775808"), "whole number of minutes"},
		{"abandon_after_minutes", "60", "whole number of minutes"},
		{"abandon_after_minutes", 60.5, "whole number of minutes"},
		{"alerts_enabled", "yes", "on (true) or off (false)"},
		{"alerts_enabled", 1, "on (true) or off (false)"},
		{"min_value", "-1.00", "zero or more"},
		{"min_value", "-0", "zero or more"},
		{"min_value", -2, "zero or more"},
		{"min_value", "ten", "an amount like 25.00"},
		{"min_value", "1e3", "an amount like 25.00"},
		{"min_value", true, "an amount like 25.00"},
		{"min_value", "", "an amount like 25.00"},
		{"kinds", []string{"abandoned_cart", "lost_cart"}, "“lost_cart”"},
		{"kinds", "abandoned_cart", "must be a list"},
		{"kinds", []any{1}, "must be a list"},
		{"emails", []string{"a@example.com", "not-an-address"}, "“not-an-address” is not an e-mail address"},
		{"emails", []string{"Ana <ana@example.com>"}, "not an e-mail address"},
		{"emails", []string{"a@b@example.com"}, "not an e-mail address"},
		{"emails", []string{"root@localhost"}, "not an e-mail address"},
		{"emails", []string{""}, "not an e-mail address"},
		{"emails", "a@example.com", "must be a list"},
		{"emails", many, "at most 20 e-mail addresses"},
		{"chat_webhook_url", "http://hooks.example.com/x", "https://"},
		{"chat_webhook_url", "ftp://hooks.example.com/x", "https://"},
		{"chat_webhook_url", "https://user:pw@hooks.example.com/x", "https://"},
		{"chat_webhook_url", "https:///path-only", "https://"},
		{"chat_webhook_url", tooLong, "https://"},
		{"chat_webhook_url", 5, "must be a string"},
		{"anomalies_enabled", "on", "Step anomalies must be turned on (true) or off (false)."},
		{"anomaly_materiality", 4, "a whole percentage from 5 to 90"},
		{"anomaly_materiality", 91, "a whole percentage from 5 to 90"},
		{"anomaly_materiality", 0, "a whole percentage from 5 to 90"},
		{"anomaly_materiality", 20.5, "a whole percentage from 5 to 90"},
		{"anomaly_materiality", "20", "a whole percentage from 5 to 90"},
		{"immediate_min_value", "-0.01", "zero or more"},
		{"immediate_min_value", "12.3.4", "an amount like 25.00"},
		{"digest", "weekly", "off, hourly or daily"},
		{"digest", "", "off, hourly or daily"},
		{"digest", "Daily", "off, hourly or daily"},
		{"digest", 1, "off, hourly or daily"},
		{"timezone", "Mars/Olympus_Mons", "“Mars/Olympus_Mons”"},
		{"timezone", "Local", "IANA name"},
		{"timezone", "", "IANA name"},
		{"timezone", 5, "a name like Europe/Paris"},
	} {
		fields := map[string]any{
			"abandon_after_minutes": 30, "alerts_enabled": false, "min_value": "1.00", "kinds": []string{"abandoned_cart"},
			"emails": []string{"new@example.com"}, "chat_webhook_url": "", "immediate_min_value": "2.00",
			"digest": "hourly", "timezone": "UTC",
		}
		fields[c.field] = c.value
		got, fe := apply(t, fields, true)
		if fe == nil {
			t.Errorf("%s = %#v accepted", c.field, c.value)
			continue
		}
		if fe.Field != c.field || !strings.Contains(fe.Message, c.says) {
			t.Errorf("%s = %#v: error %q on %q, want one on %s saying %q", c.field, c.value, fe.Message, fe.Field, c.field, c.says)
		}
		if !reflect.DeepEqual(got, saved()) {
			t.Errorf("%s = %#v: settings changed to %+v %+v", c.field, c.value, got, *got.Alerts)
		}
	}
}

// TestApplyJSONBody checks what is not about one field: a body that is not
// an object, unknown fields, the order problems are reported in, the
// channel a merchant must give, and that the settings passed in are never
// changed.
func TestApplyJSONBody(t *testing.T) {
	for _, body := range []string{"", "null", "[]", `"settings"`, "42", "{", `{"digest": "daily"} {}`, `{"digest": "daily"}}`, `{"digest": "daily"} x`} {
		got, fe := ApplyJSON(saved(), []byte(body), true)
		if fe == nil || fe.Field != "" || fe.Message != "The settings must be a JSON object." {
			t.Errorf("body %q: error %+v", body, fe)
		}
		if !reflect.DeepEqual(got, saved()) {
			t.Errorf("body %q changed the settings", body)
		}
	}

	got, fe := apply(t, map[string]any{"digest": "hourly", "frequency": "weekly", "abandon_after": 1, "Digest": 3}, true)
	if fe != nil {
		t.Fatalf("unknown fields refused: %v", fe)
	}
	want := saved()
	want.Alerts.Digest = store.DigestHourly
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unknown fields: got %+v %+v", got, *got.Alerts)
	}

	// The first bad field in SettingsJSON's order is the one reported.
	_, fe = apply(t, map[string]any{"timezone": "Nowhere", "kinds": []string{"x"}, "abandon_after_minutes": 1}, true)
	if fe == nil || fe.Field != "abandon_after_minutes" {
		t.Errorf("three bad fields reported as %+v, want abandon_after_minutes", fe)
	}
	_, fe = apply(t, map[string]any{"timezone": "Nowhere", "kinds": []string{"x"}}, true)
	if fe == nil || fe.Field != "kinds" {
		t.Errorf("two bad fields reported as %+v, want kinds", fe)
	}

	// Enabled alerts need somewhere to go, unless the caller (demo mode)
	// does not ask for it; disabled ones do not.
	noChannel := map[string]any{"emails": []string{}, "chat_webhook_url": ""}
	if _, fe := apply(t, noChannel, true); fe == nil || fe.Field != "emails" || !strings.Contains(fe.Message, "Add an e-mail address or a chat webhook URL") {
		t.Errorf("enabled alerts without a channel: %+v", fe)
	}
	if got, fe := apply(t, noChannel, false); fe != nil || len(got.Alerts.Emails) != 0 || got.Alerts.ChatWebhookURL != "" {
		t.Errorf("without requireChannel: %+v, %+v", fe, got.Alerts)
	}
	off := map[string]any{"emails": []string{}, "chat_webhook_url": "", "alerts_enabled": false}
	if _, fe := apply(t, off, true); fe != nil {
		t.Errorf("disabled alerts without a channel: %+v", fe)
	}
	onlyChat := map[string]any{"emails": []string{}}
	if _, fe := apply(t, onlyChat, true); fe != nil {
		t.Errorf("alerts to the chat webhook only: %+v", fe)
	}

	// A shop with no saved alert settings starts from the defaults.
	got, fe = ApplyJSON(store.Settings{ShopID: 7}, []byte(`{"min_value": "1"}`), true)
	if fe != nil || got.Alerts == nil || got.Alerts.MinValue != 100 || got.Alerts.Enabled ||
		!reflect.DeepEqual(got.Alerts.Kinds, store.AlertKinds()) || got.Alerts.Digest != store.DigestOff || got.AbandonAfter != 0 {
		t.Errorf("from no settings: %v, %+v", fe, got.Alerts)
	}

	// The caller's settings are not changed through shared slices.
	cur := saved()
	if _, fe := ApplyJSON(cur, []byte(`{"kinds": ["abandoned_cart"], "emails": ["x@example.com"]}`), true); fe != nil {
		t.Fatal(fe)
	}
	if !reflect.DeepEqual(cur, saved()) {
		t.Errorf("ApplyJSON changed the settings passed in: %+v", *cur.Alerts)
	}
}

// TestToJSON checks the API's shape of saved and of default settings.
func TestToJSON(t *testing.T) {
	shop := store.Shop{Domain: "s.myshopify.com", Timezone: "America/New_York"}
	got := ToJSON(saved(), shop, time.Hour)
	want := SettingsJSON{AbandonAfterMinutes: 90, AlertsEnabled: true, MinValue: "5.00", Kinds: []string{"payment_dropoff"},
		Emails: []string{"owner@example.com"}, ChatWebhookURL: "https://hooks.example.com/services/x",
		ImmediateMinValue: "100.00", Digest: "daily", Timezone: "Europe/Paris", AnomalyMateriality: 35}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("saved settings:\n got %+v\nwant %+v", got, want)
	}
	got = ToJSON(store.Settings{ShopID: 7}, shop, 45*time.Minute)
	want = SettingsJSON{AbandonAfterMinutes: 45, MinValue: "0.00", Kinds: []string{"abandoned_cart", "checkout_dropoff", "payment_dropoff"},
		Emails: []string{}, ImmediateMinValue: "0.00", Digest: "off", Timezone: "America/New_York",
		AnomaliesEnabled: true, AnomalyMateriality: store.DefaultAnomalyMateriality}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default settings:\n got %+v\nwant %+v", got, want)
	}
	// What ToJSON writes, ApplyJSON reads back to the same settings.
	body, err := json.Marshal(ToJSON(saved(), shop, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	back, fe := ApplyJSON(store.Settings{ShopID: 7}, body, true)
	if fe != nil || !reflect.DeepEqual(back, saved()) {
		t.Errorf("round trip: %v\n got %+v %+v\nwant %+v %+v", fe, back, *back.Alerts, saved(), *saved().Alerts)
	}
}

// TestIdleThreshold checks the one rule for a shop's threshold: its own,
// or the fallback when it set none.
func TestIdleThreshold(t *testing.T) {
	if got := IdleThreshold(store.Settings{AbandonAfter: 20 * time.Minute}, time.Hour); got != 20*time.Minute {
		t.Errorf("a shop's own threshold: %s", got)
	}
	if got := IdleThreshold(store.Settings{}, 3*time.Hour); got != 3*time.Hour {
		t.Errorf("no threshold of its own: %s", got)
	}
	if got := ToJSON(store.Settings{}, store.Shop{}, 3*time.Hour).AbandonAfterMinutes; got != 180 {
		t.Errorf("the settings show %d minutes for the fallback of 3h", got)
	}
}

// TestAbandonAfterLimits checks the threshold's limits at each bound, and
// that ApplyJSON's abandon_after_minutes follows funnel.ValidIdleThreshold.
func TestAbandonAfterLimits(t *testing.T) {
	if funnel.IdleThresholdRange() != "between 5 minutes and 7 days" {
		t.Errorf("funnel.IdleThresholdRange() = %q", funnel.IdleThresholdRange())
	}
	for d, want := range map[time.Duration]bool{
		funnel.MinIdleThreshold - time.Minute: false, funnel.MinIdleThreshold: true, funnel.MinIdleThreshold + 30*time.Second: false,
		time.Hour: true, funnel.MaxIdleThreshold - time.Minute: true, funnel.MaxIdleThreshold: true, funnel.MaxIdleThreshold + time.Minute: false,
		funnel.MaxIdleThreshold + time.Second: false, 0: false, -time.Hour: false,
	} {
		if got := funnel.ValidIdleThreshold(d); got != want {
			t.Errorf("funnel.ValidIdleThreshold(%s) = %v", d, got)
		}
		if d%time.Minute != 0 {
			continue
		}
		_, fe := apply(t, map[string]any{"abandon_after_minutes": int64(d / time.Minute)}, true)
		if (fe == nil) != want {
			t.Errorf("abandon_after_minutes %d: error %v, want valid %v", d/time.Minute, fe, want)
		}
	}
}

// TestApplyJSONAnomalies checks the step anomaly settings: both bounds of
// the materiality are accepted, and the toggle turns them off and on.
func TestApplyJSONAnomalies(t *testing.T) {
	for _, c := range []struct {
		fields      map[string]any
		enabled     bool
		materiality int
	}{
		{map[string]any{"anomaly_materiality": 5}, false, 5},
		{map[string]any{"anomaly_materiality": 90, "anomalies_enabled": true}, true, 90},
		{map[string]any{"anomalies_enabled": true}, true, 35},
	} {
		got, fe := apply(t, c.fields, true)
		if fe != nil || got.Alerts.AnomaliesEnabled != c.enabled || got.Alerts.AnomalyMateriality != c.materiality {
			t.Errorf("%v: %v, %+v", c.fields, fe, got.Alerts)
		}
	}
}
