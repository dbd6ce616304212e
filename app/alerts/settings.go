package alerts

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// Limits of the settings (the idle threshold's are funnel's:
// funnel.ValidIdleThreshold).
const (
	MaxEmails    = 20
	maxURLLength = 2048
)

// IdleThreshold is the idle time after which a session of the shop whose
// settings are set counts as abandoned: the shop's own threshold, or
// fallback (the app's default, ABANDON_AFTER) when it set none. Detection,
// the reports and the settings all read the threshold through it.
func IdleThreshold(set store.Settings, fallback time.Duration) time.Duration {
	if set.AbandonAfter > 0 {
		return set.AbandonAfter
	}
	return fallback
}

// SettingsJSON is the shape of GET and PUT /api/settings.
type SettingsJSON struct {
	AbandonAfterMinutes int      `json:"abandon_after_minutes"`
	AlertsEnabled       bool     `json:"alerts_enabled"`
	MinValue            string   `json:"min_value"`
	Kinds               []string `json:"kinds"`
	Emails              []string `json:"emails"`
	ChatWebhookURL      string   `json:"chat_webhook_url"`
	// FlowEnabled sends every alert to Shopify Flow too, as the app's
	// "Funnelscope: cart abandoned" trigger.
	FlowEnabled bool `json:"flow_enabled"`
	// HoldoutPercent (0 to store.MaxHoldoutPercent, 0 = off) is the share
	// of carts held out of alerts to measure what alerts add.
	HoldoutPercent    int    `json:"holdout_percent"`
	ImmediateMinValue string `json:"immediate_min_value"`
	Digest            string `json:"digest"`
	// Timezone is the shop's time zone for reports and digests: on GET the
	// zone in use (store.Settings.Location); on PUT one to choose.
	Timezone string `json:"timezone"`
	// AnomaliesEnabled turns the step anomaly scan on or off.
	AnomaliesEnabled bool `json:"anomalies_enabled"`
	// AnomalyMateriality is the relative drop of a step, in percent
	// (store.MinAnomalyMateriality to store.MaxAnomalyMateriality), from
	// which a clear drop raises an anomaly.
	AnomalyMateriality int `json:"anomaly_materiality"`
}

// FieldError is a settings validation error a merchant can read, naming the
// JSON field it concerns ("" when the body as a whole is wrong).
type FieldError struct {
	Field   string
	Message string
}

// Error returns the field's name and its message, for the logs.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ToJSON writes settings in the API's shape; defaultIdle stands in for an
// unset threshold.
func ToJSON(set store.Settings, shop store.Shop, defaultIdle time.Duration) SettingsJSON {
	st := set.AlertSettings()
	out := SettingsJSON{
		AbandonAfterMinutes: int(IdleThreshold(set, defaultIdle) / time.Minute),
		AlertsEnabled:       st.Enabled,
		MinValue:            funnel.FormatMoney(st.MinValue),
		Kinds:               []string{},
		Emails:              append([]string{}, st.Emails...),
		ChatWebhookURL:      st.ChatWebhookURL,
		FlowEnabled:         st.FlowEnabled,
		HoldoutPercent:      st.HoldoutPercent,
		ImmediateMinValue:   funnel.FormatMoney(st.ImmediateMinValue),
		Digest:              st.Digest,
		Timezone:            set.Location(shop).String(),
		AnomaliesEnabled:    st.AnomaliesEnabled,
		AnomalyMateriality:  st.AnomalyMateriality,
	}
	if out.AnomalyMateriality == 0 {
		out.AnomalyMateriality = store.DefaultAnomalyMateriality
	}
	for _, k := range st.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	if out.Digest == "" {
		out.Digest = store.DigestOff
	}
	return out
}

// ApplyJSON validates a PUT body against the current settings: the fields
// it names replace theirs, the others keep their value, unknown fields are
// ignored. It returns the new settings, or the first problem (in the order
// of SettingsJSON) and nothing else, so that a caller saves all or nothing.
// requireChannel asks that enabled alerts name an e-mail address, a chat
// webhook or Shopify Flow (demo mode, which logs alerts, does not).
func ApplyJSON(cur store.Settings, body []byte, requireChannel bool) (store.Settings, *FieldError) {
	out := cur
	st := cur.AlertSettings()
	out.Alerts = &st
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return cur, &FieldError{Message: "The settings must be a JSON object."}
	}
	// Anything after the object is not part of it: the body as a whole is
	// not the settings the caller meant.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return cur, &FieldError{Message: "The settings must be a JSON object."}
	}
	decode := func(name string, v any, msg string) (bool, *FieldError) {
		raw, ok := fields[name]
		if !ok {
			return false, nil
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return false, &FieldError{Field: name, Message: msg}
		}
		return true, nil
	}

	var minutes int64
	if ok, fe := decode("abandon_after_minutes", &minutes, "The abandonment threshold must be a whole number of minutes."); fe != nil {
		return cur, fe
	} else if ok {
		// Bounded before multiplying, which could overflow into range.
		d := time.Duration(minutes) * time.Minute
		if minutes < 0 || minutes > int64(funnel.MaxIdleThreshold/time.Minute) || !funnel.ValidIdleThreshold(d) {
			return cur, &FieldError{"abandon_after_minutes", "The abandonment threshold must be " + funnel.IdleThresholdRange() + "."}
		}
		out.AbandonAfter = d
	}
	if _, fe := decode("alerts_enabled", &st.Enabled, "Alerts must be turned on (true) or off (false)."); fe != nil {
		return cur, fe
	}
	if fe := money(fields, "min_value", "The minimum cart value", &st.MinValue); fe != nil {
		return cur, fe
	}
	var kinds []string
	if ok, fe := decode("kinds", &kinds, "The alert kinds must be a list."); fe != nil {
		return cur, fe
	} else if ok {
		st.Kinds = nil
		for _, k := range kinds {
			if !slices.Contains(store.AlertKinds(), funnel.Status(k)) {
				return cur, &FieldError{"kinds", "Unknown alert kind " + quote(k) + ": choose from abandoned_cart, checkout_dropoff and payment_dropoff."}
			}
			if !slices.Contains(st.Kinds, funnel.Status(k)) {
				st.Kinds = append(st.Kinds, funnel.Status(k))
			}
		}
	}
	var emails []string
	if ok, fe := decode("emails", &emails, "The e-mail addresses must be a list of addresses."); fe != nil {
		return cur, fe
	} else if ok {
		st.Emails = nil
		for _, e := range emails {
			e = strings.TrimSpace(e)
			a, err := mail.ParseAddress(e)
			if err != nil || a.Name != "" || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
				return cur, &FieldError{"emails", quote(e) + " is not an e-mail address like name@example.com."}
			}
			if !slices.ContainsFunc(st.Emails, func(x string) bool { return strings.EqualFold(x, e) }) {
				st.Emails = append(st.Emails, e)
			}
		}
		if len(st.Emails) > MaxEmails {
			return cur, &FieldError{"emails", "Alerts can go to at most " + strconv.Itoa(MaxEmails) + " e-mail addresses."}
		}
	}
	if ok, fe := decode("chat_webhook_url", &st.ChatWebhookURL, "The chat webhook URL must be a string."); fe != nil {
		return cur, fe
	} else if ok {
		st.ChatWebhookURL = strings.TrimSpace(st.ChatWebhookURL)
		if st.ChatWebhookURL != "" {
			u, err := url.Parse(st.ChatWebhookURL)
			if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(st.ChatWebhookURL) > maxURLLength {
				return cur, &FieldError{"chat_webhook_url", "The chat webhook URL must be an https:// address, like https://hooks.slack.com/services/…"}
			}
		}
	}
	if _, fe := decode("flow_enabled", &st.FlowEnabled, "Shopify Flow must be turned on (true) or off (false)."); fe != nil {
		return cur, fe
	}
	holdoutMsg := "The hold-out must be a whole percentage from 0 (off) to " + strconv.Itoa(store.MaxHoldoutPercent) + "."
	var holdout int64
	if ok, fe := decode("holdout_percent", &holdout, holdoutMsg); fe != nil {
		return cur, fe
	} else if ok {
		if holdout < 0 || holdout > store.MaxHoldoutPercent {
			return cur, &FieldError{"holdout_percent", holdoutMsg}
		}
		st.HoldoutPercent = int(holdout)
	}
	if fe := money(fields, "immediate_min_value", "The value for immediate alerts", &st.ImmediateMinValue); fe != nil {
		return cur, fe
	}
	if ok, fe := decode("digest", &st.Digest, "The digest must be off, hourly or daily."); fe != nil {
		return cur, fe
	} else if ok && st.Digest != store.DigestOff && st.Digest != store.DigestHourly && st.Digest != store.DigestDaily {
		return cur, &FieldError{"digest", "The digest must be off, hourly or daily."}
	}
	if ok, fe := decode("timezone", &st.Timezone, "The timezone must be a name like Europe/Paris."); fe != nil {
		return cur, fe
	} else if ok {
		if _, err := time.LoadLocation(st.Timezone); err != nil || st.Timezone == "" || st.Timezone == "Local" {
			return cur, &FieldError{"timezone", "Unknown timezone " + quote(st.Timezone) + ": use an IANA name like Europe/Paris or UTC."}
		}
	}
	if _, fe := decode("anomalies_enabled", &st.AnomaliesEnabled, "Step anomalies must be turned on (true) or off (false)."); fe != nil {
		return cur, fe
	}
	materialityMsg := "The drop that counts as an anomaly must be a whole percentage from " +
		strconv.Itoa(store.MinAnomalyMateriality) + " to " + strconv.Itoa(store.MaxAnomalyMateriality) + "."
	var materiality int64
	if ok, fe := decode("anomaly_materiality", &materiality, materialityMsg); fe != nil {
		return cur, fe
	} else if ok {
		if materiality < store.MinAnomalyMateriality || materiality > store.MaxAnomalyMateriality {
			return cur, &FieldError{"anomaly_materiality", materialityMsg}
		}
		st.AnomalyMateriality = int(materiality)
	}
	if requireChannel && st.Enabled && !st.HasChannel() {
		return cur, &FieldError{"emails", "Add an e-mail address or a chat webhook URL, or turn on Shopify Flow, to receive alerts."}
	}
	return out, nil
}

// money decodes an amount field ("12.50", or a bare JSON number) into minor
// units, refusing negative and malformed amounts.
func money(fields map[string]json.RawMessage, name, what string, dst *int64) *FieldError {
	raw, ok := fields[name]
	if !ok {
		return nil
	}
	bad := &FieldError{name, what + " must be an amount like 25.00, zero or more."}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return bad
		}
		text = n.String()
	}
	v, err := funnel.ParseMoney(strings.TrimSpace(text))
	if err != nil || v < 0 || strings.HasPrefix(strings.TrimSpace(text), "-") {
		return bad
	}
	*dst = v
	return nil
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "“" + s + "”"
}
