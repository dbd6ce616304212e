package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestInstallShopRoundTrip(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		tok := store.Tokens{
			AccessToken: "shpat_secret_access", Scope: "read_orders", RefreshToken: "shprt_secret_refresh",
			AccessTokenExpiresAt: at(time.Hour), RefreshTokenExpiresAt: at(90 * 24 * time.Hour),
		}
		enqueued := false
		var passed store.Shop
		sh, err := s.InstallShop(ctx, "Shop-One.myshopify.com", tok, func(ctx context.Context, tx *sql.Tx, sh store.Shop) error {
			enqueued, passed = tx != nil, sh
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !enqueued {
			t.Error("enqueue was not called with a transaction")
		}
		if passed.ID != sh.ID || passed.Domain != sh.Domain {
			t.Errorf("enqueue was given shop %d %q, InstallShop returned %d %q", passed.ID, passed.Domain, sh.ID, sh.Domain)
		}
		if sh.Domain != "shop-one.myshopify.com" || sh.ID == 0 || !sh.Installed() || !sh.InstalledAt.Equal(t0) {
			t.Errorf("installed shop = %+v", sh)
		}
		got, err := s.ShopByDomain(ctx, "shop-one.myshopify.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.Tokens != tok {
			t.Errorf("tokens = %+v, want %+v", got.Tokens, tok)
		}
		if got.InstalledAt.Location() != time.UTC {
			t.Errorf("InstalledAt not UTC: %v", got.InstalledAt)
		}

		// Tokens are not stored in plaintext.
		var access, refresh string
		if err := s.DB().QueryRowContext(ctx, "SELECT access_token, refresh_token FROM shops WHERE id = $1", sh.ID).Scan(&access, &refresh); err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{access, refresh} {
			if !strings.HasPrefix(raw, "v1:") || strings.Contains(raw, "secret") {
				t.Errorf("raw token column = %q, want v1: ciphertext", raw)
			}
		}

		// A new grant moves installed_at: an uninstall triggered before it (a
		// late retry) must not undo it.
		c.Set(at(time.Hour))
		tok2 := store.Tokens{AccessToken: "shpat_new", Scope: "read_orders"}
		sh2, err := s.InstallShop(ctx, "shop-one.myshopify.com", tok2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sh2.ID != sh.ID || !sh2.InstalledAt.Equal(at(time.Hour)) || sh2.Tokens != tok2 {
			t.Errorf("reinstall = %+v", sh2)
		}

		if err := s.MarkNeedsReauth(ctx, sh.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ShopByDomain(ctx, sh.Domain); !got.NeedsReauth {
			t.Error("NeedsReauth not set")
		}
		tok3 := store.Tokens{AccessToken: "shpat_refreshed", Scope: "read_orders", RefreshToken: "r3"}
		if err := s.UpdateTokens(ctx, sh.ID, tok3); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ShopByID(ctx, sh.ID); got.Tokens != tok3 || got.NeedsReauth {
			t.Errorf("after UpdateTokens: %+v", got)
		}
		if err := s.UpdateTokens(ctx, 999999, tok3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateTokens(unknown) = %v, want ErrNotFound", err)
		}

		// Uninstall deletes every token, idempotently.
		if err := s.UninstallShop(ctx, sh.Domain, at(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.UninstallShop(ctx, sh.Domain, at(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err = s.ShopByDomain(ctx, sh.Domain)
		if err != nil {
			t.Fatal(err)
		}
		if got.Installed() || got.Tokens != (store.Tokens{}) || got.UninstalledAt == nil || !got.UninstalledAt.Equal(at(2*time.Hour)) {
			t.Errorf("after uninstall: %+v", got)
		}
		var nonNull int
		if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM shops WHERE access_token IS NOT NULL OR refresh_token IS NOT NULL").Scan(&nonNull); err != nil || nonNull != 0 {
			t.Errorf("token columns left after uninstall: %d, %v", nonNull, err)
		}
		if err := s.UninstallShop(ctx, "unknown.myshopify.com", t0); err != nil {
			t.Errorf("UninstallShop(unknown) = %v", err)
		}

		// Installing again after an uninstall starts a new installation.
		c.Set(at(4 * time.Hour))
		sh4, err := s.InstallShop(ctx, sh.Domain, tok2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sh4.Installed() || !sh4.InstalledAt.Equal(at(4*time.Hour)) || sh4.UninstalledAt != nil || sh4.NeedsReauth {
			t.Errorf("reinstall after uninstall = %+v", sh4)
		}

		if _, err := s.ShopByDomain(ctx, "nobody.myshopify.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ShopByDomain(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestInstallShopEnqueueErrorRollsBack(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		boom := errors.New("boom")
		_, err := s.InstallShop(ctx, "rb.myshopify.com", store.Tokens{AccessToken: "a"}, func(ctx context.Context, tx *sql.Tx, _ store.Shop) error {
			if _, err := tx.ExecContext(ctx, "SELECT 1"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InstallShop error = %v, want boom", err)
		}
		if _, err := s.ShopByDomain(ctx, "rb.myshopify.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("shop exists after rolled-back install: %v", err)
		}
	})
}

// rawToken reads a shop's stored access token ciphertext.
func rawToken(t *testing.T, s *store.Store, id int64) string {
	t.Helper()
	var raw string
	if err := s.DB().QueryRowContext(context.Background(), "SELECT access_token FROM shops WHERE id = $1", id).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

// setRawToken overwrites a shop's stored access token ciphertext.
func setRawToken(t *testing.T, s *store.Store, id int64, raw string) {
	t.Helper()
	if _, err := s.DB().ExecContext(context.Background(), "UPDATE shops SET access_token = $1 WHERE id = $2", raw, id); err != nil {
		t.Fatal(err)
	}
}

func TestTokenEncryptionRefusesTampering(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "a.myshopify.com")
		b := storetest.Install(t, s, "b.myshopify.com")
		rawA, rawB := rawToken(t, s, a.ID), rawToken(t, s, b.ID)

		// Each value has its own nonce: the same token twice differs.
		again, err := s.InstallShop(ctx, "c.myshopify.com", store.Tokens{AccessToken: "shpat_a.myshopify.com"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rawToken(t, s, again.ID) == rawA {
			t.Error("two encryptions of one token are identical")
		}

		// A flipped byte in the ciphertext.
		tampered := []byte(rawA)
		i := len(tampered) - 5
		if tampered[i] == 'A' {
			tampered[i] = 'B'
		} else {
			tampered[i] = 'A'
		}
		setRawToken(t, s, a.ID, string(tampered))
		if _, err := s.ShopByDomain(ctx, a.Domain); !errors.Is(err, store.ErrDecrypt) {
			t.Errorf("tampered ciphertext: err = %v, want ErrDecrypt", err)
		}
		// Another shop's ciphertext moved over.
		setRawToken(t, s, a.ID, rawB)
		if _, err := s.ShopByDomain(ctx, a.Domain); !errors.Is(err, store.ErrDecrypt) {
			t.Errorf("moved ciphertext: err = %v, want ErrDecrypt", err)
		}
		// Plaintext or garbage.
		setRawToken(t, s, a.ID, "shpat_plain")
		if _, err := s.ShopByDomain(ctx, a.Domain); !errors.Is(err, store.ErrDecrypt) {
			t.Errorf("plaintext column: err = %v, want ErrDecrypt", err)
		}
		setRawToken(t, s, a.ID, rawA)
		if got, err := s.ShopByDomain(ctx, a.Domain); err != nil || got.Tokens.AccessToken != "shpat_a.myshopify.com" {
			t.Errorf("restored ciphertext: %+v, %v", got.Tokens, err)
		}
	})
}

func TestTokenEncryptionWrongKey(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			u := storetest.URL(t, d)
			s1, err := store.Open(ctx, u, store.Options{EncryptionKey: storetest.Key()})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s1.Close() }()
			sh := storetest.Install(t, s1, "k.myshopify.com")
			other := []byte("another-key-of-exactly-32-bytes!")
			s2, err := store.Open(ctx, u, store.Options{EncryptionKey: other})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s2.Close() }()
			if _, err := s2.ShopByID(ctx, sh.ID); !errors.Is(err, store.ErrDecrypt) {
				t.Errorf("wrong key: err = %v, want ErrDecrypt", err)
			}
			s3, err := store.Open(ctx, u, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s3.Close() }()
			if _, err := s3.ShopByID(ctx, sh.ID); !errors.Is(err, store.ErrNoEncryptionKey) {
				t.Errorf("no key: err = %v, want ErrNoEncryptionKey", err)
			}
		})
	}
}
