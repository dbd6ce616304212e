package testkit

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, which .ci/run installs.
const ChromiumPath = "/usr/bin/chromium"

// Chromium is the one headless Chromium of a test binary: the first
// browser test starts it, each test opens its own tab in a browser context
// of its own (no cookies or storage shared), and the binary's TestMain
// stops it. It is process-wide by nature, as the browser process is; the
// zero value is ready to use.
type Chromium struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// start starts Chromium, once. It resolves no host but 127.0.0.1, so a page
// can reach only the test servers: Shopify's CDN is unreachable, as the
// pages must tolerate. The allocator makes a temporary profile folder and
// removes it when the browser stops.
func (c *Chromium) start() (context.Context, error) {
	c.once.Do(func() {
		if _, err := os.Stat(ChromiumPath); err != nil {
			c.err = fmt.Errorf("the browser tests need Chromium at %s (apt-get install -y chromium): %w", ChromiumPath, err)
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(ChromiumPath),
			chromedp.Flag("headless", "new"),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			// Tabs run side by side: none may be slowed for being in the
			// background.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
			chromedp.WindowSize(1280, 900),
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		c.ctx, c.cancel = bctx, func() { bcancel(); acancel() }
		// The first action on bctx starts the browser, which lives as long
		// as the context of that action: bctx itself, not a timeout of it.
		if err := chromedp.Do(bctx); err != nil {
			c.err = fmt.Errorf("starting Chromium: %w", err)
		}
	})
	return c.ctx, c.err
}

// Stop stops the browser if it was started.
func (c *Chromium) Stop() {
	if c.cancel != nil {
		c.cancel()
	}
}

// Tab opens a tab for one test, in a browser context of its own, bounded
// by timeout and closed when the test ends. A missing or failing Chromium
// fails the test; it never skips.
func (c *Chromium) Tab(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	bctx, err := c.start()
	if err != nil {
		t.Fatal(err)
	}
	tab, closeTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(closeTab)
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab in Chromium: %v", err)
	}
	return ctx
}
