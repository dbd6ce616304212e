package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// paintTimes is how long a page load took to paint, in milliseconds from
// the start of the navigation, as Chromium measures it.
type paintTimes struct {
	LCP          float64 // largest contentful paint
	LCPElement   string  // what was painted: tag#id
	LCPSize      float64 // its area, in CSS pixels
	FirstByte    float64 // the document's first byte
	DOMContent   float64 // DOMContentLoaded done
	Observations int     // largest-contentful-paint entries seen
}

// readPaint gathers the page's largest contentful paint entries, the
// buffered ones included, and the navigation's timing. The timeout bounds
// the wait for a page that never paints: it resolves with what it has.
const readPaint = `new Promise(resolve => {
	const nav = performance.getEntriesByType("navigation")[0] || {};
	const done = es => {
		const e = es[es.length - 1];
		const el = e && e.element ? e.element.tagName.toLowerCase() + (e.element.id ? "#" + e.element.id : "") : "";
		resolve({LCP: e ? e.startTime : 0, LCPElement: el, LCPSize: e ? e.size : 0, Observations: es.length,
			FirstByte: nav.responseStart || 0, DOMContent: nav.domContentLoadedEventEnd || 0});
	};
	new PerformanceObserver(list => done(list.getEntries())).observe({type: "largest-contentful-paint", buffered: true});
	setTimeout(() => done(performance.getEntriesByType("largest-contentful-paint")), 5000);
})`

// largestContentfulPaint reads the current page load's largest contentful
// paint, logs it and writes it to artifacts/lcp-NAME.txt (ignored by git).
// It fails only when Chromium reported no such paint: the time itself is
// the machine's, printed, never asserted.
func largestContentfulPaint(t *testing.T, p page, name string) paintTimes {
	t.Helper()
	pt, err := chromedp.Run(p.ctx, chromedp.Evaluate[paintTimes](readPaint, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the largest contentful paint: %v", err)
	}
	if pt.Observations == 0 || pt.LCP <= 0 {
		t.Fatalf("no largest-contentful-paint entry was observed: %+v", pt)
	}
	line := fmt.Sprintf("%s: largest contentful paint %.0f ms (%s, %.0f px²), first byte %.0f ms, DOMContentLoaded %.0f ms\n",
		name, pt.LCP, pt.LCPElement, pt.LCPSize, pt.FirstByte, pt.DOMContent)
	t.Log(line)
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lcp-"+name+".txt"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	return pt
}
