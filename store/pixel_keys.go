package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"time"
)

// pixelKeyBytes is how many random bytes make a pixel key (base64url
// without padding: 43 characters).
const pixelKeyBytes = 32

// PixelShop is the shop a pixel key belongs to: all that POST /collect needs
// (no tokens are read or decrypted for it).
type PixelShop struct {
	ID       int64
	Domain   string
	Timezone string
}

// pixelKeyHash is the lookup column of a key: its SHA-256.
func pixelKeyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// pixelKeyAD is the additional data the sealed key is bound to, so that a
// sealed key copied to another shop's row does not open.
func pixelKeyAD(domain string) string { return "pixel-key:" + domain }

// EnsurePixelKey returns the shop's pixel key, creating it (32 bytes from
// the store's random source, base64url) the first time: every later call,
// reinstalls included, returns the same key. Concurrent first calls agree
// on one key. The key is never logged. ErrNotFound when the shop does not
// exist.
func (s *Store) EnsurePixelKey(ctx context.Context, shopID int64) (string, error) {
	domain, err := s.shopDomain(ctx, shopID)
	if err != nil {
		return "", err
	}
	if key, ok, err := s.pixelKey(ctx, shopID, domain); err != nil || ok {
		return key, err
	}
	raw := make([]byte, pixelKeyBytes)
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return "", fmt.Errorf("store: reading a pixel key for shop %d: %w", shopID, err)
	}
	key := base64.RawURLEncoding.EncodeToString(raw)
	sealed, err := s.encryptToken(pixelKeyAD(domain), key)
	if err != nil {
		return "", fmt.Errorf("store: sealing the pixel key of shop %d: %w", shopID, err)
	}
	err = s.db(ctx).Exec(`INSERT INTO pixel_keys (shop_id, key_hash, key_sealed, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (shop_id) DO NOTHING`,
		shopID, pixelKeyHash(key), *sealed, s.nowUTC()).Error
	if err != nil {
		return "", fmt.Errorf("store: storing the pixel key of shop %d: %w", shopID, err)
	}
	// Whoever inserted first won; read back the key that is stored.
	key, ok, err := s.pixelKey(ctx, shopID, domain)
	if err == nil && !ok {
		err = fmt.Errorf("store: pixel key of shop %d vanished: %w", shopID, ErrNotFound)
	}
	return key, err
}

// pixelKey reads and opens the shop's stored key; ok false when it has none.
func (s *Store) pixelKey(ctx context.Context, shopID int64, domain string) (string, bool, error) {
	var rows []struct{ KeySealed string }
	if err := s.db(ctx).Raw(`SELECT key_sealed FROM pixel_keys WHERE shop_id = ?`, shopID).Scan(&rows).Error; err != nil {
		return "", false, fmt.Errorf("store: loading the pixel key of shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	key, err := s.decryptToken(pixelKeyAD(domain), &rows[0].KeySealed)
	if err != nil {
		return "", false, fmt.Errorf("store: opening the pixel key of shop %d: %w", shopID, err)
	}
	return key, true, nil
}

// shopDomain returns the domain of the shop; ErrNotFound when none.
func (s *Store) shopDomain(ctx context.Context, shopID int64) (string, error) {
	var rows []struct{ Domain string }
	if err := s.db(ctx).Raw(`SELECT domain FROM shops WHERE id = ?`, shopID).Scan(&rows).Error; err != nil {
		return "", fmt.Errorf("store: loading shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("store: shop %d: %w", shopID, ErrNotFound)
	}
	return rows[0].Domain, nil
}

// ShopByPixelKey returns the installed shop whose pixel key is key;
// ErrNotFound for an unknown key, an empty one, or a key of a shop that is
// no longer installed. The lookup is by the key's SHA-256, so neither the
// query nor its timing depends on how much of another key was guessed.
func (s *Store) ShopByPixelKey(ctx context.Context, key string) (PixelShop, error) {
	if key == "" {
		return PixelShop{}, fmt.Errorf("store: empty pixel key: %w", ErrNotFound)
	}
	var rows []PixelShop
	err := s.db(ctx).Raw(`SELECT id, domain, timezone FROM shops
		WHERE id = (SELECT shop_id FROM pixel_keys WHERE key_hash = ?) AND `+installedSQL, pixelKeyHash(key)).Scan(&rows).Error
	if err != nil {
		return PixelShop{}, fmt.Errorf("store: looking up a pixel key: %w", err)
	}
	if len(rows) == 0 {
		return PixelShop{}, fmt.Errorf("store: pixel key: %w", ErrNotFound)
	}
	return rows[0], nil
}

// PixelLastSeen returns when the shop's pixel last delivered an accepted
// batch, to the minute (pixelTouchEvery: a later batch within a minute
// leaves it); nil when it never has (or the shop has no key).
func (s *Store) PixelLastSeen(ctx context.Context, shopID int64) (*time.Time, error) {
	var rows []struct{ LastEventAt *time.Time }
	err := s.db(ctx).Raw(`SELECT last_event_at FROM pixel_keys WHERE shop_id = ?`, shopID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading the pixel's last event of shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return utcPtr(rows[0].LastEventAt), nil
}
