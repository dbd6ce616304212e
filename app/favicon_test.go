package app_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestFavicon serves a real icon, 16 and 32 pixels, cached for long, and
// every page links it.
func TestFavicon(t *testing.T) {
	t.Parallel()
	st := openStore(t, "sqlite")
	h := newHarness(t, st)
	const shop = "icon.myshopify.com"
	h.install(shop)
	resp, body := h.get("/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("/favicon.ico: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cc := resp.Header.Get("Cache-Control")
	_, maxAge, _ := strings.Cut(cc, "max-age=")
	age, err := strconv.Atoi(maxAge)
	if !strings.Contains(cc, "public") || err != nil || age < 7*24*3600 {
		t.Errorf("Cache-Control %q, want public and at least a week", cc)
	}
	// An ICO directory: reserved 0, type 1, then one 16-byte entry per image.
	var head struct{ Reserved, Type, Count uint16 }
	if err := binary.Read(bytes.NewReader(body), binary.LittleEndian, &head); err != nil || head.Type != 1 || head.Count == 0 {
		t.Fatalf("not an icon: %+v %v", head, err)
	}
	sizes := map[int]bool{}
	for i := range int(head.Count) {
		e := body[6+16*i:]
		size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img, err := png.Decode(bytes.NewReader(body[off : off+size]))
		if err != nil {
			t.Fatalf("icon image %d: %v", i, err)
		}
		if w := img.Bounds().Dx(); w == int(e[0]) {
			sizes[w] = true
		}
	}
	if !sizes[16] || !sizes[32] {
		t.Errorf("icon sizes %v, want 16 and 32", sizes)
	}

	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	// Pages link it by its hashed name, which is kept for good.
	link := `<link rel="icon" href="` + assetURL(t, "favicon.ico") + `"`
	for _, path := range []string{"/?" + q.Encode(), "/settings?" + q.Encode(), "/", "/no-such-page"} {
		_, body := h.get(path)
		if !strings.Contains(string(body), link) {
			t.Errorf("%s links no icon: %.300s", path, body)
		}
	}
}
