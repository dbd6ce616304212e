package shopify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ThemeSettingsFile is the theme file that records which app embeds are on.
const ThemeSettingsFile = "config/settings_data.json"

const mainThemeSettingsQuery = `query mainThemeSettings {
  themes(first: 1, roles: [MAIN]) {
    nodes {
      id
      name
      files(filenames: ["config/settings_data.json"], first: 1) {
        nodes {
          filename
          body {
            ... on OnlineStoreThemeFileBodyText { content }
            ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
          }
        }
      }
    }
  }
}`

// ErrNoThemeAccess is returned (wrapped) when the token may not read themes
// (no read_themes scope).
var ErrNoThemeAccess = errors.New("shopify: no access to the shop's themes")

// ThemeEmbed is what the main theme says of one app embed block.
type ThemeEmbed struct {
	// ThemeID and ThemeName name the shop's main (published) theme; both
	// are empty when the shop has none.
	ThemeID, ThemeName string
	// Present is true when the theme's settings hold the block at all (the
	// merchant turned it on once), Enabled when it is there and not
	// disabled.
	Present, Enabled bool
}

type mainThemeData struct {
	Themes struct {
		Nodes []struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Files struct {
				Nodes []struct {
					Filename string `json:"filename"`
					Body     struct {
						Content       *string `json:"content"`
						ContentBase64 *string `json:"contentBase64"`
					} `json:"body"`
				} `json:"nodes"`
			} `json:"files"`
		} `json:"nodes"`
	} `json:"themes"`
}

// MainThemeEmbed reads the shop's main theme's config/settings_data.json
// (the themes query with roles MAIN, one GraphQL call; needs read_themes)
// and tells whether it has the app embed block named handle (the block's
// file name in the theme app extension, e.g. "funnelscope") turned on: a
// block whose type contains "/blocks/{handle}/" and whose disabled is not
// true. A token without read_themes wraps ErrNoThemeAccess; 429s and
// THROTTLED are retried as every Admin API call is.
func (c *Client) MainThemeEmbed(ctx context.Context, shop, accessToken, handle string) (ThemeEmbed, error) {
	gs, err := c.adminClient(shop, accessToken)
	if err != nil {
		return ThemeEmbed{}, fmt.Errorf("shopify: reading the main theme: %w", err)
	}
	var data mainThemeData
	if err := c.graphQL(ctx, gs, mainThemeSettingsQuery, nil, &data); err != nil {
		if isAccessDenied(err) {
			return ThemeEmbed{}, fmt.Errorf("%w: %w", ErrNoThemeAccess, err)
		}
		return ThemeEmbed{}, fmt.Errorf("shopify: reading the main theme: %w", err)
	}
	if len(data.Themes.Nodes) == 0 {
		return ThemeEmbed{}, nil
	}
	theme := data.Themes.Nodes[0]
	out := ThemeEmbed{ThemeID: theme.ID, ThemeName: theme.Name}
	for _, f := range theme.Files.Nodes {
		if f.Filename != ThemeSettingsFile {
			continue
		}
		var content []byte
		switch {
		case f.Body.Content != nil:
			content = []byte(*f.Body.Content)
		case f.Body.ContentBase64 != nil:
			if content, err = base64.StdEncoding.DecodeString(*f.Body.ContentBase64); err != nil {
				return ThemeEmbed{}, fmt.Errorf("shopify: %s of theme %s: %w", ThemeSettingsFile, theme.ID, err)
			}
		default:
			return ThemeEmbed{}, fmt.Errorf("shopify: %s of theme %s: no content in the answer", ThemeSettingsFile, theme.ID)
		}
		out.Present, out.Enabled, err = EmbedInSettings(content, handle)
		if err != nil {
			return ThemeEmbed{}, fmt.Errorf("shopify: %s of theme %s: %w", ThemeSettingsFile, theme.ID, err)
		}
	}
	return out, nil
}

// settingsData is the part of settings_data.json that holds app embeds:
// "current" is the settings in use, an object, or in older themes the name
// of one of "presets".
type settingsData struct {
	Current json.RawMessage            `json:"current"`
	Presets map[string]json.RawMessage `json:"presets"`
}

type settingsBlocks struct {
	Blocks map[string]struct {
		Type     string `json:"type"`
		Disabled bool   `json:"disabled"`
	} `json:"blocks"`
}

// EmbedInSettings reads a theme's settings_data.json (with the comment
// Shopify puts at its top) and tells whether it holds the app embed block
// named handle (present) and whether that block is on (enabled: its
// disabled is not true).
func EmbedInSettings(content []byte, handle string) (present, enabled bool, err error) {
	content = stripLeadingComments(content)
	var sd settingsData
	if err := json.Unmarshal(content, &sd); err != nil {
		return false, false, fmt.Errorf("not JSON: %w", err)
	}
	current := sd.Current
	var preset string
	if json.Unmarshal(current, &preset) == nil {
		current = sd.Presets[preset]
	}
	var sb settingsBlocks
	if len(current) > 0 {
		if err := json.Unmarshal(current, &sb); err != nil {
			return false, false, fmt.Errorf("current settings: %w", err)
		}
	}
	marker := "/blocks/" + handle + "/"
	for _, b := range sb.Blocks {
		if strings.Contains(b.Type, marker) {
			present = true
			enabled = enabled || !b.Disabled
		}
	}
	return present, enabled, nil
}

// stripLeadingComments drops the /* … */ comments (and white space) before
// a theme JSON file's first brace.
func stripLeadingComments(b []byte) []byte {
	for {
		b = bytes.TrimLeft(b, " \t\r\n\ufeff")
		if !bytes.HasPrefix(b, []byte("/*")) {
			return b
		}
		end := bytes.Index(b[2:], []byte("*/"))
		if end < 0 {
			return b
		}
		b = b[2+end+2:]
	}
}
