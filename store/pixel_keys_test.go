package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestPixelKeys checks that a shop's pixel key is made once from the
// injected random source and returned again afterwards, that it finds its
// own shop and no other, that it is stored only hashed and sealed, and
// that the last-seen time starts empty.
func TestPixelKeys(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rnd := bytes.NewReader(bytes.Repeat([]byte{7}, 32))
			s := storetest.Open(t, d, func(o *store.Options) { o.Rand = rnd })
			a := storetest.Install(t, s, "a.myshopify.com")
			b := storetest.Install(t, s, "b.myshopify.com")
			key, err := s.EnsurePixelKey(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"; key != want {
				t.Errorf("key = %q, want %q (32 injected bytes, base64url)", key, want)
			}
			again, err := s.EnsurePixelKey(ctx, a.ID)
			if err != nil || again != key {
				t.Errorf("second EnsurePixelKey = %q, %v; want the same key", again, err)
			}
			// b's key needs fresh randomness: the reader is exhausted.
			if _, err := s.EnsurePixelKey(ctx, b.ID); err == nil {
				t.Error("EnsurePixelKey with an exhausted random source succeeded")
			}
			if _, err := s.EnsurePixelKey(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("EnsurePixelKey of no shop: %v, want ErrNotFound", err)
			}
			sh, err := s.ShopByPixelKey(ctx, key)
			if err != nil || sh.ID != a.ID || sh.Domain != a.Domain {
				t.Errorf("ShopByPixelKey = %+v, %v; want shop %d", sh, err, a.ID)
			}
			for _, bad := range []string{"", key[:len(key)-1], key + "x", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwd"} {
				if _, err := s.ShopByPixelKey(ctx, bad); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("ShopByPixelKey(%q) = %v, want ErrNotFound", bad, err)
				}
			}
			var n int
			if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM pixel_keys WHERE key_sealed LIKE '%"+key+"%'").Scan(&n); err != nil || n != 0 {
				t.Errorf("rows holding the key in plaintext: %d, %v", n, err)
			}
			seen, err := s.PixelLastSeen(ctx, a.ID)
			if err != nil || seen != nil {
				t.Errorf("PixelLastSeen = %v, %v; want nil", seen, err)
			}
			if err := s.UninstallShop(ctx, a.Domain, time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ShopByPixelKey(ctx, key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ShopByPixelKey of an uninstalled shop = %v, want ErrNotFound", err)
			}
		})
	}
}
