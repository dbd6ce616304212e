package shopifytest

import (
	"encoding/json"
	"net/http"

	"github.com/funnelscope/funnelscope/shopify"
)

// EmbedState is what a shop's main theme holds of the app's embed block.
type EmbedState int

// The states of SetThemeEmbed.
const (
	// EmbedAbsent: the block was never turned on (the default).
	EmbedAbsent EmbedState = iota
	// EmbedOn: the merchant turned the app embed on.
	EmbedOn
	// EmbedOff: the merchant turned it on once and off again (disabled).
	EmbedOff
	// NoMainTheme: the shop has no published theme.
	NoMainTheme
)

// EmbedBlockType is the block type the app's embed has in settings_data.json:
// shopify://apps/{app}/blocks/{block handle}/{extension uid}.
const EmbedBlockType = "shopify://apps/funnelscope/blocks/funnelscope/6f1c2a4e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"

// SetThemeEmbed sets what shop's main theme holds of the app's embed block.
func (s *Server) SetThemeEmbed(shop string, state EmbedState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.embeds[shop] = state
}

// settingsDataHeader is the comment Shopify writes at the top of a theme's
// JSON files.
const settingsDataHeader = `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 *
 * This file may be updated by the Shopify admin theme editor
 * or related systems. Please exercise caution as any changes
 * made to this file may be overwritten.
 * ------------------------------------------------------------
 */
`

// settingsData is the main theme's config/settings_data.json for state:
// another app's embed is always there, turned on, so that only the block's
// own handle can tell.
func settingsData(state EmbedState) string {
	blocks := map[string]any{
		"1234567890123456789": map[string]any{
			"type": "shopify://apps/other-reviews/blocks/reviews-embed/0a1b2c3d-0000-4000-8000-000000000000", "disabled": false, "settings": map[string]any{},
		},
	}
	switch state {
	case EmbedOn:
		blocks["9876543210987654321"] = map[string]any{"type": EmbedBlockType, "disabled": false, "settings": map[string]any{}}
	case EmbedOff:
		blocks["9876543210987654321"] = map[string]any{"type": EmbedBlockType, "disabled": true, "settings": map[string]any{}}
	}
	b, _ := json.MarshalIndent(map[string]any{
		"current": map[string]any{"colors_solid_button_labels": "#ffffff", "blocks": blocks},
		"presets": map[string]any{"Default": map[string]any{}},
	}, "", "  ")
	return settingsDataHeader + string(b)
}

func (s *Server) mainTheme(w http.ResponseWriter, shop, scope string) {
	if !shopify.ScopesCover(scope, "read_themes") {
		accessDenied(w, "themes", "Access denied for themes field. Required access: `read_themes` access scope.")
		return
	}
	s.mu.Lock()
	state := s.embeds[shop]
	s.mu.Unlock()
	nodes := []any{}
	if state != NoMainTheme {
		nodes = append(nodes, map[string]any{
			"id":   "gid://shopify/OnlineStoreTheme/143225373",
			"name": "Dawn",
			"files": map[string]any{"nodes": []any{map[string]any{
				"filename": shopify.ThemeSettingsFile,
				"body":     map[string]any{"content": settingsData(state)},
			}}},
		})
	}
	actual := 3
	writeJSON(w, http.StatusOK, map[string]any{
		"data":       map[string]any{"themes": map[string]any{"nodes": nodes}},
		"extensions": map[string]any{"cost": cost(12, &actual, 1997)},
	})
}
