package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // shops' zones, even on hosts without zoneinfo

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Digest periods of Settings.Digest.
const (
	DigestOff    = "off"
	DigestHourly = "hourly"
	DigestDaily  = "daily"
)

// AlertKinds returns the statuses a merchant can be alerted about, in the
// order the settings list them. The slice is new on every call.
func AlertKinds() []funnel.Status {
	return []funnel.Status{funnel.StatusAbandonedCart, funnel.StatusCheckoutDropoff, funnel.StatusPaymentDropoff}
}

// Settings are a shop's own settings.
type Settings struct {
	ShopID int64
	// AbandonAfter is the shop's idle threshold; 0 means the app's default.
	AbandonAfter time.Duration
	// Alerts are the shop's alert settings: nil when it has saved no
	// settings (DefaultAlertSettings apply), and for SaveSettings, nil
	// leaves the saved alert settings alone.
	Alerts *AlertSettings
}

// AlertSettings are a shop's abandoned-cart alert settings.
type AlertSettings struct {
	// Enabled turns the shop's alerts on.
	Enabled bool
	// MinValue is the smallest cart value (minor units) worth an alert.
	MinValue int64
	// Kinds are the statuses alerted about; empty means none.
	Kinds []funnel.Status
	// Emails receive the alerts by e-mail; ChatWebhookURL, when set, gets a
	// Slack-compatible JSON message.
	Emails         []string
	ChatWebhookURL string
	// FlowEnabled sends the alerts to Shopify Flow too, as the app's Flow
	// triggers (flowTriggerReceive).
	FlowEnabled bool
	// HoldoutPercent (0 to MaxHoldoutPercent, 0 = off) is the share of the
	// carts that would get an alert that are deliberately held out of
	// alerts, chosen by funnel.HeldOut, so that the report can measure what
	// alerts add.
	HoldoutPercent int
	// ImmediateMinValue is the value (minor units) from which a cart is
	// alerted at once; smaller ones go into the digest.
	ImmediateMinValue int64
	// Digest is DigestOff, DigestHourly or DigestDaily.
	Digest string
	// Timezone is the IANA zone the shop's days and digests follow; ""
	// means the shop's own (see Settings.Location).
	Timezone string
	// AnomaliesEnabled turns the step anomaly scan on (the default): a
	// step that falls clearly and materially below its usual rate raises
	// an anomaly, sent through the channels above.
	AnomaliesEnabled bool
	// AnomalyMateriality is the relative drop, in percent
	// (MinAnomalyMateriality to MaxAnomalyMateriality), from which a clear
	// drop of a step is worth an anomaly.
	AnomalyMateriality int
}

// Bounds and default of AlertSettings.AnomalyMateriality: below 5% a drop
// is too small to act on, above 90% only a step that stopped altogether
// would count.
const (
	MinAnomalyMateriality     = 5
	MaxAnomalyMateriality     = 90
	DefaultAnomalyMateriality = 20
)

// MaxHoldoutPercent bounds AlertSettings.HoldoutPercent: holding out more
// than half of the carts would cost more recoveries than the measurement
// needs.
const MaxHoldoutPercent = 50

// HasChannel reports whether the settings name somewhere for alerts to go:
// an e-mail address, a chat webhook or Shopify Flow. Detection and the
// settings' validation both ask it.
func (st AlertSettings) HasChannel() bool {
	return len(st.Emails) > 0 || st.ChatWebhookURL != "" || st.FlowEnabled
}

// DefaultAlertSettings are the alert settings of a shop that saved none:
// off, every kind, no digest, step anomalies on at the default
// materiality.
func DefaultAlertSettings() AlertSettings {
	return AlertSettings{Kinds: AlertKinds(), Digest: DigestOff, AnomaliesEnabled: true, AnomalyMateriality: DefaultAnomalyMateriality}
}

// AlertSettings returns the shop's alert settings (a copy), or the defaults.
func (st Settings) AlertSettings() AlertSettings {
	if st.Alerts == nil {
		return DefaultAlertSettings()
	}
	a := *st.Alerts
	a.Kinds = append([]funnel.Status(nil), a.Kinds...)
	a.Emails = append([]string(nil), a.Emails...)
	return a
}

// Location is the shop's time zone, the one rule for every day the app
// counts or shows (the report's dates, "today", the trend, the lists) and
// for digest windows: the zone chosen in Settings if any, else the shop's
// own (Shop.Timezone, read from Shopify after install), else UTC. A name
// that does not load is skipped.
func (st Settings) Location(shop Shop) *time.Location {
	var chosen string
	if st.Alerts != nil {
		chosen = st.Alerts.Timezone
	}
	for _, name := range []string{chosen, shop.Timezone} {
		if name == "" || name == "Local" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Alerts reports whether a session of that kind and value gets an alert,
// and whether immediately (else in the digest).
func (st AlertSettings) Alerts(kind funnel.Status, value int64) (alert, immediate bool) {
	if !st.Enabled || value < st.MinValue {
		return false, false
	}
	found := false
	for _, k := range st.Kinds {
		found = found || k == kind
	}
	if !found {
		return false, false
	}
	if value >= st.ImmediateMinValue {
		return true, true
	}
	return st.Digest == DigestHourly || st.Digest == DigestDaily, false
}

// settingsRow is the settings table. Kinds is a comma-separated list and
// emails a newline-separated one.
type settingsRow struct {
	ShopID              int64 `gorm:"primaryKey;autoIncrement:false"`
	AbandonAfterSeconds int64
	AlertsEnabled       bool
	MinValue            int64
	Kinds               string
	Emails              string
	ChatWebhookURL      string `gorm:"column:chat_webhook_url"`
	FlowEnabled         bool
	HoldoutPercent      int
	ImmediateMinValue   int64
	Digest              string
	Timezone            string
	AnomaliesEnabled    bool
	AnomalyMateriality  int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName maps settingsRow to its table.
func (settingsRow) TableName() string { return "settings" }

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

func (r settingsRow) toSettings() Settings {
	a := AlertSettings{
		Enabled:            r.AlertsEnabled,
		MinValue:           r.MinValue,
		Emails:             splitList(r.Emails, "\n"),
		ChatWebhookURL:     r.ChatWebhookURL,
		FlowEnabled:        r.FlowEnabled,
		HoldoutPercent:     r.HoldoutPercent,
		ImmediateMinValue:  r.ImmediateMinValue,
		Digest:             r.Digest,
		Timezone:           r.Timezone,
		AnomaliesEnabled:   r.AnomaliesEnabled,
		AnomalyMateriality: r.AnomalyMateriality,
	}
	for _, k := range splitList(r.Kinds, ",") {
		a.Kinds = append(a.Kinds, funnel.Status(k))
	}
	if a.Digest == "" {
		a.Digest = DigestOff
	}
	return Settings{ShopID: r.ShopID, AbandonAfter: time.Duration(r.AbandonAfterSeconds) * time.Second, Alerts: &a}
}

// Settings returns the shop's settings; Alerts is nil when it has saved
// none.
func (s *Store) Settings(ctx context.Context, shopID int64) (Settings, error) {
	var row settingsRow
	err := s.db(ctx).Where("shop_id = ?", shopID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Settings{ShopID: shopID}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("store: loading settings of shop %d: %w", shopID, err)
	}
	return row.toSettings(), nil
}

// SaveSettings stores the shop's settings in one statement, so a save is
// all or nothing; with Alerts nil the saved alert settings stay as they are
// (a new row gets DefaultAlertSettings). AbandonAfter is kept to whole
// seconds; an AnomalyMateriality of 0 saves the default. It checks only what would corrupt the row (negative amounts,
// separators inside list items); validating input for people is the
// caller's job.
func (s *Store) SaveSettings(ctx context.Context, st Settings) error {
	a := st.AlertSettings()
	if st.AbandonAfter < 0 || a.MinValue < 0 || a.ImmediateMinValue < 0 {
		return fmt.Errorf("store: saving settings of shop %d: negative duration or amount", st.ShopID)
	}
	if a.HoldoutPercent < 0 || a.HoldoutPercent > MaxHoldoutPercent {
		return fmt.Errorf("store: saving settings of shop %d: hold-out %d%% out of range", st.ShopID, a.HoldoutPercent)
	}
	if a.AnomalyMateriality == 0 {
		a.AnomalyMateriality = DefaultAnomalyMateriality
	}
	if a.AnomalyMateriality < MinAnomalyMateriality || a.AnomalyMateriality > MaxAnomalyMateriality {
		return fmt.Errorf("store: saving settings of shop %d: anomaly materiality %d%% out of range", st.ShopID, a.AnomalyMateriality)
	}
	kinds := make([]string, len(a.Kinds))
	for i, k := range a.Kinds {
		if strings.Contains(string(k), ",") || k == "" {
			return fmt.Errorf("store: saving settings of shop %d: bad kind %q", st.ShopID, k)
		}
		kinds[i] = string(k)
	}
	for _, e := range a.Emails {
		if strings.ContainsAny(e, "\r\n") || e == "" {
			return fmt.Errorf("store: saving settings of shop %d: bad e-mail address", st.ShopID)
		}
	}
	digest := a.Digest
	if digest == "" {
		digest = DigestOff
	}
	update := `abandon_after_seconds = excluded.abandon_after_seconds,
			updated_at = excluded.updated_at`
	if st.Alerts != nil {
		update += `,
			alerts_enabled = excluded.alerts_enabled,
			min_value = excluded.min_value,
			kinds = excluded.kinds,
			emails = excluded.emails,
			chat_webhook_url = excluded.chat_webhook_url,
			flow_enabled = excluded.flow_enabled,
			holdout_percent = excluded.holdout_percent,
			immediate_min_value = excluded.immediate_min_value,
			digest = excluded.digest,
			timezone = excluded.timezone,
			anomalies_enabled = excluded.anomalies_enabled,
			anomaly_materiality = excluded.anomaly_materiality`
	}
	now := s.nowUTC()
	err := s.db(ctx).Exec(`INSERT INTO settings (shop_id, abandon_after_seconds, alerts_enabled, min_value,
			kinds, emails, chat_webhook_url, flow_enabled, holdout_percent, immediate_min_value, digest, timezone,
			anomalies_enabled, anomaly_materiality, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET `+update,
		st.ShopID, int64(st.AbandonAfter/time.Second), a.Enabled, a.MinValue,
		strings.Join(kinds, ","), strings.Join(a.Emails, "\n"), a.ChatWebhookURL, a.FlowEnabled, a.HoldoutPercent, a.ImmediateMinValue,
		digest, a.Timezone, a.AnomaliesEnabled, a.AnomalyMateriality, now, now).Error
	if err != nil {
		return fmt.Errorf("store: saving settings of shop %d: %w", st.ShopID, err)
	}
	return nil
}
