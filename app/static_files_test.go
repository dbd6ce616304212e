package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/static"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// assetURL is the hashed URL the app serves static file name at.
func assetURL(t *testing.T, name string) string {
	t.Helper()
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	u, err := assets.URL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestStaticFilesByHashedName: a static file is served under its hashed
// name, to be kept for a year; its own name and a stale hash are 404s.
func TestStaticFilesByHashedName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.Open(t, store.DialectSQLite))
	u := assetURL(t, "app.css")
	resp, body := h.get(u)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "{") {
		t.Fatalf("%s: %d %.100s", u, resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("%s: Cache-Control %q", u, cc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", u, ct)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", u)
	}
	if js := assetURL(t, "home.js"); js == u {
		t.Fatal("two files share a URL")
	} else if resp, _ := h.get(js); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("%s: %d %q", js, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	stale := static.Prefix + static.HashedName("app.css", []byte("an older app.css"))
	for _, path := range []string{"/static/app.css", stale, "/static/", "/static/../app.go", "/static/a/" + strings.TrimPrefix(u, static.Prefix)} {
		resp, _ := h.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
		if strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: a 404 cached for good", path)
		}
	}
}

// localRef finds the same-origin addresses a page's tags name.
var localRef = regexp.MustCompile(`<(script|link|img)\b[^>]*?\b(?:src|href)="(/[^"/][^"]*)"`)

// TestEveryPageAssetResolves renders every page — report, settings, the
// bounce page, the exit-iframe page and the error page — and fetches every
// script, stylesheet and icon each names: each is a hashed static URL that
// answers 200 and may be kept for good.
func TestEveryPageAssetResolves(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.Open(t, store.DialectSQLite))
	const shop = "assets.myshopify.com"
	h.install(shop)
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}.Encode()
	pages := []struct{ name, path, marker string }{
		{"report", "/?" + q, `data-page="home"`},
		{"settings", "/settings?" + q, `data-page="settings"`},
		{"bounce", "/?shop=" + shop, `data-page="bounce"`},
		{"exit-iframe", "/auth?shop=" + shop + "&embedded=1", `data-page="exit-iframe"`},
		{"error", "/no-such-page", `data-page="error"`},
	}
	fetched := map[string]bool{}
	for _, pg := range pages {
		path := pg.name + " page"
		_, body := h.get(pg.path)
		if !strings.Contains(string(body), pg.marker) {
			t.Errorf("%s is not the page with %s: %.200s", path, pg.marker, body)
			continue
		}
		refs := localRef.FindAllStringSubmatch(string(body), -1)
		if len(refs) < 2 {
			t.Errorf("%s names %d static files, want its stylesheet and icon at least", path, len(refs))
		}
		for _, m := range refs {
			ref := m[2]
			if !strings.HasPrefix(ref, static.Prefix) {
				t.Errorf("%s: <%s> names %s, not a hashed static file", path, m[1], ref)
				continue
			}
			if fetched[ref] {
				continue
			}
			fetched[ref] = true
			resp, _ := h.get(ref)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != static.CacheControl {
				t.Errorf("%s: %s answers %d, Cache-Control %q", path, ref, resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
		}
	}
	for _, name := range []string{"app.css", "favicon.ico", "api.js", "format.js", "shell.js", "home.js", "settings.js", "bounce.js", "exit_iframe.js"} {
		if !fetched[assetURL(t, name)] {
			t.Errorf("no page names %s", name)
		}
	}
}
