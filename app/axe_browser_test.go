package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeScript is axe-core as npm installs it from the repository's
// package-lock.json (`npm ci` at the repository's root; .ci/run does it),
// from this package's folder.
const axeScript = "../node_modules/axe-core/axe.min.js"

// axeTags are the rules axe runs, as a JavaScript array: WCAG 2.0, 2.1 and
// 2.2 at levels A and AA, what issue 13 asks the pages to meet.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]`

// loadAxe reads axe-core's script, failing (never skipping) the test when
// it is not installed.
func loadAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(axeScript))
	if err != nil {
		t.Fatalf("axe-core is needed for the accessibility tests: run `npm ci` at the repository's root (%v)", err)
	}
	return string(b)
}

// axeViolation is one rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target  []any
		Summary string
	}
}

// axeRun runs axe over the page's current document and returns what it
// reports broken.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r =>
	JSON.stringify(r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
		Nodes: v.nodes.map(n => ({Target: n.target, Summary: n.failureSummary || ""}))}))))`

// axe injects axe-core (script: loadAxe) into the page as it is and fails
// the test with every violation of axeTags, naming the rule, its impact and
// the elements.
func (p page) axe(what, script string) {
	p.t.Helper()
	p.do("injecting axe-core into "+what, chromedp.Evaluate[chromedp.Void](script))
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(axeRun, axeTags), chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("running axe on %s: %v", what, err)
	}
	var found []axeViolation
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		p.t.Fatalf("axe's answer on %s: %v: %.300s", what, err, out)
	}
	for _, v := range found {
		var nodes []string
		for _, n := range v.Nodes {
			target, _ := json.Marshal(n.Target)
			nodes = append(nodes, fmt.Sprintf("    %s: %s", target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		p.t.Errorf("%s: axe %s (%s): %s\n%s", what, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n"))
	}
}
