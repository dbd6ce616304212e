package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"gorm.io/gorm"
)

// Change is a store change: a dated event with a kind and a description,
// recorded from a webhook or by the merchant (store_changes).
type Change struct {
	ID          int64
	ShopID      int64
	At          time.Time
	Kind        funnel.ChangeKind
	Description string
	// Source is funnel.ChangeFromWebhook or funnel.ChangeFromMerchant.
	Source string
	// DedupeKey names what a change from a webhook records, so that a
	// redelivery records nothing more; empty for a merchant's.
	DedupeKey string
	CreatedAt time.Time
}

// AddChange records a change of c.ShopID and returns it as stored. A change
// whose DedupeKey the shop already has is not recorded again: added is then
// false and the change returned is the one recorded first.
func (s *Store) AddChange(ctx context.Context, c Change) (stored Change, added bool, err error) {
	var key *string
	if c.DedupeKey != "" {
		key = &c.DedupeKey
	}
	c.At, c.CreatedAt = utc(c.At), s.nowUTC()
	added, err = insertChange(s.db(ctx), c)
	if err != nil {
		return Change{}, false, err
	}
	q := s.db(ctx).Raw(`SELECT id, shop_id, at, kind, description, source, dedupe_key, created_at FROM store_changes
		WHERE shop_id = ? AND created_at = ? AND description = ? ORDER BY id DESC LIMIT 1`, c.ShopID, c.CreatedAt, c.Description)
	if key != nil {
		q = s.db(ctx).Raw(`SELECT id, shop_id, at, kind, description, source, dedupe_key, created_at FROM store_changes
			WHERE shop_id = ? AND dedupe_key = ?`, c.ShopID, *key)
	}
	rows, err := q.Rows()
	if err != nil {
		return Change{}, false, fmt.Errorf("store: reading the change of shop %d: %w", c.ShopID, err)
	}
	defer rows.Close()
	got, err := scanChanges(rows)
	if err != nil || len(got) != 1 {
		return Change{}, false, fmt.Errorf("store: reading the change of shop %d: %d rows, %w", c.ShopID, len(got), err)
	}
	return got[0], added, nil
}

// insertChange inserts c, whose times are already normalised, unless the
// shop has a change of its DedupeKey; added tells whether it did.
func insertChange(tx *gorm.DB, c Change) (added bool, err error) {
	var key *string
	if c.DedupeKey != "" {
		key = &c.DedupeKey
	}
	res := tx.Exec(`INSERT INTO store_changes (shop_id, at, kind, description, source, dedupe_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, dedupe_key) DO NOTHING`,
		c.ShopID, c.At, string(c.Kind), c.Description, c.Source, key, c.CreatedAt)
	if res.Error != nil {
		return false, fmt.Errorf("store: adding a change of shop %d: %w", c.ShopID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Changes returns the shop's changes dated in [from, to), newest first, at
// most limit of them.
func (s *Store) Changes(ctx context.Context, shopID int64, from, to time.Time, limit int) ([]Change, error) {
	rows, err := s.db(ctx).Raw(`SELECT id, shop_id, at, kind, description, source, dedupe_key, created_at FROM store_changes
		WHERE shop_id = ? AND at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?`, shopID, utc(from), utc(to), limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: listing the changes of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	out, err := scanChanges(rows)
	if err != nil {
		return nil, fmt.Errorf("store: listing the changes of shop %d: %w", shopID, err)
	}
	return out, nil
}

func scanChanges(rows *sql.Rows) ([]Change, error) {
	out := []Change{}
	for rows.Next() {
		var c Change
		var kind string
		var key sql.NullString
		if err := rows.Scan(&c.ID, &c.ShopID, &c.At, &kind, &c.Description, &c.Source, &key, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.Kind, c.DedupeKey, c.At, c.CreatedAt = funnel.ChangeKind(kind), key.String, c.At.UTC(), c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// DataSince is when the shop's data in the app begins: the start of its
// first session, or its install when that is earlier or it has none.
func (s *Store) DataSince(ctx context.Context, shop Shop) (time.Time, error) {
	// ORDER BY … LIMIT 1 rather than MIN, whose result SQLite gives as
	// text: the column's own type scans as a time on both.
	rows, err := s.db(ctx).Raw(`SELECT started_at FROM sessions WHERE shop_id = ? ORDER BY started_at LIMIT 1`, shop.ID).Rows()
	if err != nil {
		return time.Time{}, fmt.Errorf("store: the first session of shop %d: %w", shop.ID, err)
	}
	defer rows.Close()
	since := shop.InstalledAt.UTC()
	for rows.Next() {
		var first time.Time
		if err := rows.Scan(&first); err != nil {
			return time.Time{}, fmt.Errorf("store: the first session of shop %d: %w", shop.ID, err)
		}
		if since.IsZero() || first.Before(since) {
			since = first.UTC()
		}
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, fmt.Errorf("store: the first session of shop %d: %w", shop.ID, err)
	}
	return since, nil
}
