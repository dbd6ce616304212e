package app

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// settingsView is what the settings page shows: the shop's settings as
// its form holds them, the server's defaults as the placeholders of the
// amounts, and the limits of the abandonment threshold, from the rule that
// checks them. The form is filled on the server, so that its first state
// is the saved one: the admin's save bar (data-save-bar) compares edits
// with it, and Discard returns to it.
type settingsView struct {
	MinMinutes, MaxMinutes int64
	// Range is the limits in words, e.g. "between 5 minutes and 7 days".
	Range    string
	Settings settingsResponse
	// Emails is Settings' addresses as the field holds them.
	Emails string
	// Kinds are the alert kinds a merchant can choose, Digests the digest
	// periods.
	Kinds   []choiceView
	Digests []choiceView
	// Timezone is the zone the page writes times in: the one in use.
	Timezone string
	// ThemeEditorURL is the deep link that turns the theme app embed on.
	ThemeEditorURL string
	// MaxHoldout is the largest hold-out percentage.
	MaxHoldout int
	// MinMateriality and MaxMateriality bound the anomaly materiality.
	MinMateriality, MaxMateriality int
}

// choiceView is one checkbox or option of the settings form.
type choiceView struct {
	Value, Label string
	Chosen       bool
}

// newSettingsView fills the settings page's view for settings s.
func newSettingsView(s settingsResponse) settingsView {
	v := settingsView{
		MinMinutes: int64(funnel.MinIdleThreshold / time.Minute),
		MaxMinutes: int64(funnel.MaxIdleThreshold / time.Minute),
		Range:      funnel.IdleThresholdRange(),
		Settings:   s,
		Emails:     strings.Join(s.Emails, ", "),
		Timezone:   s.Timezone,
		MaxHoldout: store.MaxHoldoutPercent,

		MinMateriality: store.MinAnomalyMateriality,
		MaxMateriality: store.MaxAnomalyMateriality,
	}
	for _, k := range store.AlertKinds() {
		v.Kinds = append(v.Kinds, choiceView{Value: string(k), Label: k.Label() + "s", Chosen: slices.Contains(s.Kinds, string(k))})
	}
	for _, d := range []struct{ value, label string }{{store.DigestOff, "Off"}, {store.DigestHourly, "Hourly"}, {store.DigestDaily, "Daily"}} {
		v.Digests = append(v.Digests, choiceView{Value: d.value, Label: d.label, Chosen: s.Digest == d.value})
	}
	return v
}

// settingsPage is the embedded settings page, filled with the shop's
// settings; its script saves them through PUT /api/settings.
func (a *App) settingsPage(c echo.Context) error {
	shop := shopOf(c)
	s, err := a.store.Settings(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	v := newSettingsView(a.settingsJSON(s, shop))
	v.ThemeEditorURL = themeEditorURL(shop.Domain, a.cfg.APIKey)
	return a.render(c, http.StatusOK, "settings.html", pageData{Title: "Settings", Nav: navigation(), Data: v})
}
