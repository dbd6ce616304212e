package funnel

import (
	"strings"
	"testing"
	"time"
)

func TestCheckChange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	since := now.AddDate(0, 0, -90)
	cases := []struct {
		name, desc, kind string
		at               time.Time
		field            string
	}{
		{"ok", "  moved the reviews above the fold ", "merchant_note", now.Add(-time.Hour), ""},
		{"a day ahead is fine", "x", "discount", now.Add(MaxChangeAhead), ""},
		{"at the first data is fine", "x", "price_changed", since, ""},
		{"empty", "   ", "merchant_note", now, "description"},
		{"too long", strings.Repeat("é", MaxChangeDescription+1), "merchant_note", now, "description"},
		{"longest", strings.Repeat("é", MaxChangeDescription), "merchant_note", now, ""},
		{"control character", "a\x07b", "merchant_note", now, "description"},
		{"not UTF-8", "a\xffb", "merchant_note", now, "description"},
		{"unknown kind", "x", "weather", now, "kind"},
		{"empty kind", "x", "", now, "kind"},
		{"too far ahead", "x", "merchant_note", now.Add(MaxChangeAhead + time.Second), "at"},
		{"before the data", "x", "merchant_note", since.Add(-time.Second), "at"},
	}
	for _, c := range cases {
		d, p := CheckChange(c.desc, c.kind, c.at, now, since)
		switch {
		case c.field == "" && p != nil:
			t.Errorf("%s: refused: %+v", c.name, p)
		case c.field == "" && d != strings.TrimSpace(c.desc):
			t.Errorf("%s: description %q", c.name, d)
		case c.field != "" && (p == nil || p.Field != c.field || p.Message == ""):
			t.Errorf("%s: got %+v, want a problem with %s", c.name, p, c.field)
		}
	}
}

func TestChangeKinds(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range ChangeKinds() {
		if got, ok := ParseChangeKind(string(k)); !ok || got != k {
			t.Errorf("ParseChangeKind(%s) = %v %v", k, got, ok)
		}
		if k.Label() == string(k) || seen[k.Label()] {
			t.Errorf("%s has label %q", k, k.Label())
		}
		seen[k.Label()] = true
	}
	if _, ok := ParseChangeKind("Theme published"); ok {
		t.Error("a label parses as a kind")
	}
}
