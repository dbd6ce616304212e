package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Tokens are a shop's Shopify credentials, in plaintext in memory only.
type Tokens struct {
	AccessToken  string
	Scope        string
	RefreshToken string
	// AccessTokenExpiresAt and RefreshTokenExpiresAt are zero for tokens
	// that do not expire.
	AccessTokenExpiresAt  time.Time
	RefreshTokenExpiresAt time.Time
}

// Shop is an installed (or formerly installed) shop.
type Shop struct {
	ID            int64
	Domain        string
	Tokens        Tokens
	InstalledAt   time.Time
	UninstalledAt *time.Time
	NeedsReauth   bool
	Currency      string
	Timezone      string
}

// Installed is the one rule for an installed shop: it has an access token
// and has not been uninstalled since. Needing reauthorisation does not
// uninstall it. installedSQL is the same rule in SQL; TestInstalledRule
// holds the two together.
func (s Shop) Installed() bool {
	return s.Tokens.AccessToken != "" && s.UninstalledAt == nil
}

// installedSQL is Shop.Installed as a condition on the shops table (an
// empty access_token column decrypts to no token).
const installedSQL = "access_token IS NOT NULL AND access_token <> '' AND uninstalled_at IS NULL"

// shopRow is the shops table; token columns hold ciphertext.
type shopRow struct {
	ID                    int64
	Domain                string
	AccessToken           *string
	Scope                 string
	RefreshToken          *string
	AccessTokenExpiresAt  *time.Time
	RefreshTokenExpiresAt *time.Time
	InstalledAt           time.Time
	UninstalledAt         *time.Time
	NeedsReauth           bool
	Currency              string
	Timezone              string
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// TableName maps shopRow to its table.
func (shopRow) TableName() string { return "shops" }

// normDomain normalises a shop domain for storage and lookup.
func normDomain(d string) string { return strings.ToLower(strings.TrimSpace(d)) }

// optTime maps the zero time to NULL.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := utc(t)
	return &u
}

// valTime maps NULL to the zero time.
func valTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// encryptedTokens holds the columns written for a Tokens value.
type encryptedTokens struct {
	access, refresh                   *string
	scope                             string
	accessExpiresAt, refreshExpiresAt *time.Time
}

// sealTokens encrypts t for domain.
func (s *Store) sealTokens(domain string, t Tokens) (encryptedTokens, error) {
	access, err := s.encryptToken(domain, t.AccessToken)
	if err != nil {
		return encryptedTokens{}, err
	}
	refresh, err := s.encryptToken(domain, t.RefreshToken)
	if err != nil {
		return encryptedTokens{}, err
	}
	return encryptedTokens{
		access: access, refresh: refresh, scope: t.Scope,
		accessExpiresAt: optTime(t.AccessTokenExpiresAt), refreshExpiresAt: optTime(t.RefreshTokenExpiresAt),
	}, nil
}

// toShop decrypts a row into a Shop.
func (s *Store) toShop(r shopRow) (Shop, error) {
	access, err := s.decryptToken(r.Domain, r.AccessToken)
	if err != nil {
		return Shop{}, fmt.Errorf("store: access token of %s: %w", r.Domain, err)
	}
	refresh, err := s.decryptToken(r.Domain, r.RefreshToken)
	if err != nil {
		return Shop{}, fmt.Errorf("store: refresh token of %s: %w", r.Domain, err)
	}
	return Shop{
		ID:     r.ID,
		Domain: r.Domain,
		Tokens: Tokens{
			AccessToken: access, Scope: r.Scope, RefreshToken: refresh,
			AccessTokenExpiresAt:  valTime(r.AccessTokenExpiresAt),
			RefreshTokenExpiresAt: valTime(r.RefreshTokenExpiresAt),
		},
		InstalledAt:   r.InstalledAt.UTC(),
		UninstalledAt: utcPtr(r.UninstalledAt),
		NeedsReauth:   r.NeedsReauth,
		Currency:      r.Currency,
		Timezone:      r.Timezone,
	}, nil
}

// InstallShop records a (re)installation: it inserts the shop or updates it
// by domain with the new encrypted tokens, sets installed_at to now (the
// grant proves the app is installed now, so an uninstall triggered earlier
// and retried late cannot undo it), and clears uninstalled_at and
// needs_reauth. enqueue, when not nil, runs inside the same transaction
// with the shop as installed (to insert River jobs with InsertTx); its
// error rolls everything back.
func (s *Store) InstallShop(ctx context.Context, domain string, t Tokens, enqueue InTx[Shop]) (Shop, error) {
	domain = normDomain(domain)
	if domain == "" {
		return Shop{}, fmt.Errorf("store: installing shop: empty domain")
	}
	enc, err := s.sealTokens(domain, t)
	if err != nil {
		return Shop{}, fmt.Errorf("store: installing shop: %w", err)
	}
	var shop Shop
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		var id int64
		// One upsert statement, so concurrent installs of one shop cannot
		// both insert.
		err := tx.Raw(`INSERT INTO shops (domain, access_token, scope, refresh_token,
				access_token_expires_at, refresh_token_expires_at, installed_at,
				uninstalled_at, needs_reauth, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL, FALSE, ?, ?)
			ON CONFLICT (domain) DO UPDATE SET
				access_token = excluded.access_token,
				scope = excluded.scope,
				refresh_token = excluded.refresh_token,
				access_token_expires_at = excluded.access_token_expires_at,
				refresh_token_expires_at = excluded.refresh_token_expires_at,
				installed_at = excluded.installed_at,
				uninstalled_at = NULL,
				needs_reauth = FALSE,
				updated_at = excluded.updated_at
			RETURNING id`,
			domain, enc.access, enc.scope, enc.refresh, enc.accessExpiresAt, enc.refreshExpiresAt,
			now, now, now).Scan(&id).Error
		if err != nil {
			return err
		}
		var row shopRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		if shop, err = s.toShop(row); err != nil {
			return err
		}
		return enqueue.run(ctx, tx, shop)
	})
	if err != nil {
		return Shop{}, fmt.Errorf("store: installing shop %s: %w", domain, err)
	}
	return shop, nil
}

// ShopByDomain returns the shop with that domain, installed or not, with its
// tokens decrypted; ErrNotFound when there is none.
func (s *Store) ShopByDomain(ctx context.Context, domain string) (Shop, error) {
	return s.findShop(ctx, "domain = ?", normDomain(domain))
}

// InstalledShopsByDomain returns the ids of the installed shops among
// domains, keyed by each domain as given: webhook ingestion looks up the
// shops of a whole batch of deliveries at once.
func (s *Store) InstalledShopsByDomain(ctx context.Context, domains []string) (map[string]int64, error) {
	norm := make([]string, len(domains))
	for i, d := range domains {
		norm[i] = normDomain(d)
	}
	slices.Sort(norm)
	var rows []struct {
		ID     int64
		Domain string
	}
	err := s.db(ctx).Raw(`SELECT id, domain FROM shops WHERE domain IN ? AND `+installedSQL, slices.Compact(norm)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading %d shops: %w", len(domains), err)
	}
	byNorm := make(map[string]int64, len(rows))
	for _, r := range rows {
		byNorm[r.Domain] = r.ID
	}
	out := make(map[string]int64, len(domains))
	for _, d := range domains {
		if id, ok := byNorm[normDomain(d)]; ok {
			out[d] = id
		}
	}
	return out, nil
}

// InstalledShopID returns the id of the shop with that domain and whether
// it is installed (Shop.Installed), without reading or decrypting its
// tokens: webhook ingestion needs no more. An unknown shop is ErrNotFound.
func (s *Store) InstalledShopID(ctx context.Context, domain string) (id int64, installed bool, err error) {
	var rows []struct {
		ID        int64
		Installed bool
	}
	err = s.db(ctx).Raw(`SELECT id, (`+installedSQL+`) AS installed FROM shops WHERE domain = ?`,
		normDomain(domain)).Scan(&rows).Error
	if err != nil {
		return 0, false, fmt.Errorf("store: loading shop %s: %w", domain, err)
	}
	if len(rows) == 0 {
		return 0, false, fmt.Errorf("store: shop %s: %w", domain, ErrNotFound)
	}
	return rows[0].ID, rows[0].Installed, nil
}

// ShopByID returns the shop with that id; ErrNotFound when there is none.
func (s *Store) ShopByID(ctx context.Context, shopID int64) (Shop, error) {
	return s.findShop(ctx, "id = ?", shopID)
}

// findShop loads one shop by a condition.
func (s *Store) findShop(ctx context.Context, cond string, arg any) (Shop, error) {
	var row shopRow
	err := s.db(ctx).Where(cond, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Shop{}, fmt.Errorf("store: shop %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return Shop{}, fmt.Errorf("store: loading shop %v: %w", arg, err)
	}
	return s.toShop(row)
}

// UpdateTokens replaces the shop's tokens (after a refresh) and clears
// needs_reauth. ErrNotFound when the shop does not exist.
func (s *Store) UpdateTokens(ctx context.Context, shopID int64, t Tokens) error {
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var row shopRow
		if err := tx.Select("id", "domain").Where("id = ?", shopID).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		enc, err := s.sealTokens(row.Domain, t)
		if err != nil {
			return err
		}
		return tx.Model(&shopRow{}).Where("id = ?", shopID).Updates(map[string]any{
			"access_token":             enc.access,
			"scope":                    enc.scope,
			"refresh_token":            enc.refresh,
			"access_token_expires_at":  enc.accessExpiresAt,
			"refresh_token_expires_at": enc.refreshExpiresAt,
			"needs_reauth":             false,
			"updated_at":               s.nowUTC(),
		}).Error
	})
	if err != nil {
		return fmt.Errorf("store: updating tokens of shop %d: %w", shopID, err)
	}
	return nil
}

// MarkNeedsReauth flags that the shop's tokens no longer work and the
// merchant must authorise the app again.
func (s *Store) MarkNeedsReauth(ctx context.Context, shopID int64) error {
	err := s.db(ctx).Model(&shopRow{}).Where("id = ?", shopID).
		Updates(map[string]any{"needs_reauth": true, "updated_at": s.nowUTC()}).Error
	if err != nil {
		return fmt.Errorf("store: marking shop %d for reauthorisation: %w", shopID, err)
	}
	return nil
}

// SetShopDetails records the shop's currency and IANA timezone.
func (s *Store) SetShopDetails(ctx context.Context, shopID int64, currency, timezone string) error {
	err := s.db(ctx).Model(&shopRow{}).Where("id = ?", shopID).
		Updates(map[string]any{"currency": currency, "timezone": timezone, "updated_at": s.nowUTC()}).Error
	if err != nil {
		return fmt.Errorf("store: saving details of shop %d: %w", shopID, err)
	}
	return nil
}

// UninstallShop marks the shop uninstalled at the given time (the first
// time only) and deletes all of its tokens in one statement. It is
// idempotent, and an unknown shop is not an error. An uninstall that happened
// before the shop's latest install — Shopify retrying an old delivery after a
// reinstall — changes nothing.
func (s *Store) UninstallShop(ctx context.Context, domain string, at time.Time) error {
	err := s.db(ctx).Exec(`UPDATE shops SET
			uninstalled_at = COALESCE(uninstalled_at, ?),
			access_token = NULL, refresh_token = NULL, scope = '',
			access_token_expires_at = NULL, refresh_token_expires_at = NULL,
			updated_at = ?
		WHERE domain = ? AND installed_at <= ?`, utc(at), s.nowUTC(), normDomain(domain), utc(at)).Error
	if err != nil {
		return fmt.Errorf("store: uninstalling shop %s: %w", domain, err)
	}
	return nil
}
