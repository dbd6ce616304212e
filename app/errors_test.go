package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorPageThatFailsToRender breaks the error page's template: a page
// that does not exist is then answered 500 with a plain message, not an
// empty 200, and the failure is logged.
func TestErrorPageThatFailsToRender(t *testing.T) {
	t.Parallel()
	h := newHarness(t, openStore(t, "sqlite"))
	h.app.BreakErrorPageForTest(t)
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/no-such-page", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	resp, body := h.do(req)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if got := string(body); got != "Something went wrong on our side. Please try again in a moment." {
		t.Errorf("body %q, want the plain apology", got)
	}
	if logs := h.logText(); !strings.Contains(logs, "rendering the error page failed") || !strings.Contains(logs, "NoSuchField") {
		t.Errorf("the render failure is not logged with its cause:\n%s", logs)
	}
}
