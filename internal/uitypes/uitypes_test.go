package uitypes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// load is the catalog of the repository's node_modules; without them the
// test fails, saying to run npm ci.
func load(t *testing.T) Catalog {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCatalogAgreesWithTheManifest checks the .d.ts reading against the
// Custom Elements Manifest that @shopify/polaris-types ships beside its
// declarations: every element the manifest lists is in the catalog, with
// every attribute the manifest gives it.
func TestCatalogAgreesWithTheManifest(t *testing.T) {
	c := load(t)
	root, _ := RepoRoot()
	b, err := os.ReadFile(filepath.Join(root, "node_modules", "@shopify", "polaris-types", "dist", "custom-elements.json"))
	if err != nil {
		t.Fatalf("the manifest: %v (run npm ci)", err)
	}
	var manifest struct {
		Modules []struct {
			Declarations []struct {
				TagName    string `json:"tagName"`
				Attributes []struct {
					Name string `json:"name"`
				} `json:"attributes"`
			} `json:"declarations"`
		} `json:"modules"`
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	tags := 0
	for _, m := range manifest.Modules {
		for _, d := range m.Declarations {
			if d.TagName == "" {
				continue
			}
			tags++
			if _, ok := c[d.TagName]; !ok {
				t.Errorf("the catalog lacks <%s>", d.TagName)
				continue
			}
			for _, a := range d.Attributes {
				// children is content, not an attribute.
				if a.Name != "children" && len(c.Check(d.TagName, []string{a.Name})) > 0 {
					t.Errorf("the catalog lacks <%s %s>", d.TagName, a.Name)
				}
			}
		}
	}
	if tags < 50 {
		t.Errorf("the manifest lists %d elements, want Polaris's 50 or more", tags)
	}
}

// TestCatalogKnowsAppBridge checks the App Bridge elements the pages use,
// and that Check refuses what the packages do not declare.
func TestCatalogKnowsAppBridge(t *testing.T) {
	c := load(t)
	for tag, attrs := range map[string][]string{
		"s-app-nav":    nil,
		"ui-save-bar":  {"id", "discardconfirmation"},
		"ui-title-bar": {"title"},
		"s-page":       {"heading", "inlinesize"},
		"s-table":      {"variant", "paginate", "hasnextpage"},
		"s-badge":      {"tone"},
	} {
		if p := c.Check(tag, attrs); len(p) > 0 {
			t.Errorf("%s: %v", tag, p)
		}
	}
	for _, bad := range []struct {
		tag   string
		attrs []string
		want  string
	}{
		{"s-card", nil, "not an element"},
		{"ui-nav-bar", nil, "not an element"},
		{"s-badge", []string{"status"}, `no attribute "status"`},
		{"s-table-cell", []string{"colspan"}, `no attribute "colspan"`},
	} {
		p := c.Check(bad.tag, bad.attrs)
		if len(p) != 1 || !strings.Contains(p[0], bad.want) {
			t.Errorf("Check(%s, %v) = %v, want %q", bad.tag, bad.attrs, p, bad.want)
		}
	}
	if p := c.Check("s-badge", []string{"aria-label", "data-band", "class", "slot"}); len(p) > 0 {
		t.Errorf("global attributes refused: %v", p)
	}
	if p := c.Check("div", []string{"anything"}); len(p) > 0 {
		t.Errorf("a plain element checked: %v", p)
	}
}

// TestLoadWithoutNodeModules: without the packages Load fails and says
// how to install them.
func TestLoadWithoutNodeModules(t *testing.T) {
	_, err := Load(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("Load without node_modules = %v, want an error saying to run npm ci", err)
	}
}
