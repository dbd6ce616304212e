package app

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestSettingsPageLimits checks that the settings page's threshold input
// takes what the server accepts: its limits come from the rule that checks
// them, not from a copy in the template.
func TestSettingsPageLimits(t *testing.T) {
	pages := parsePages(t)
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "settings.html", pageData{Title: "Settings", Shop: "s.myshopify.com", Data: newSettingsView(settingsResponse{})}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	minutes := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Minute), 10) }
	for _, want := range []string{
		`name="abandon_after_minutes" value="0" min="` + minutes(funnel.MinIdleThreshold) + `" max="` + minutes(funnel.MaxIdleThreshold) + `" required aria-describedby="abandon_after_minutes-help abandon_after_minutes-error">`,
		"Any whole number of minutes " + funnel.IdleThresholdRange() + " (" + minutes(funnel.MinIdleThreshold) + " to " + minutes(funnel.MaxIdleThreshold) + " minutes).",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
}
