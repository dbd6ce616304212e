package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/internal/uitypes"
)

var (
	// action is a template action, {{…}}, which the markup test reads past.
	action = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	// customTag is the opening tag of one of Shopify's elements.
	customTag = regexp.MustCompile(`(?s)<((?:s|ui)-[a-z0-9-]+)((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	attrName  = regexp.MustCompile(`([^\s"'=/<>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?`)
)

// TestTemplatesUseDeclaredElements reads every template and fails on an
// s-* or ui-* element, or an attribute of one, that @shopify/polaris-types,
// @shopify/app-bridge-ui-types and @shopify/app-bridge-types do not
// declare. It needs their node_modules (npm ci) and fails without them.
func TestTemplatesUseDeclaredElements(t *testing.T) {
	root, err := uitypes.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := uitypes.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(files, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	elements := 0
	for _, name := range names {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		// Actions become spaces (attributes inside {{if}} count as written).
		src := action.ReplaceAllStringFunc(string(b), func(a string) string {
			return strings.Repeat(" ", len(a)-strings.Count(a, "\n")) + strings.Repeat("\n", strings.Count(a, "\n"))
		})
		for _, m := range customTag.FindAllStringSubmatchIndex(src, -1) {
			elements++
			tag := src[m[2]:m[3]]
			var attrs []string
			for _, a := range attrName.FindAllStringSubmatch(src[m[4]:m[5]], -1) {
				attrs = append(attrs, a[1])
			}
			line := strings.Count(src[:m[0]], "\n") + 1
			for _, p := range catalog.Check(tag, attrs) {
				t.Errorf("%s:%d: %s", name, line, p)
			}
		}
	}
	if elements < 20 {
		t.Errorf("the templates hold %d of Shopify's elements: the pages are to be built from them", elements)
	}
}
