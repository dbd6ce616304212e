package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Settings are a shop's own settings. The alert columns of the settings
// table (alerts_enabled, min_value, kinds, emails, chat_webhook_url,
// immediate_min_value, digest, timezone) exist but are not mapped yet.
type Settings struct {
	ShopID int64
	// AbandonAfter is the shop's idle threshold; 0 means the app's default.
	AbandonAfter time.Duration
}

// settingsRow is the mapped part of the settings table.
type settingsRow struct {
	ShopID              int64 `gorm:"primaryKey;autoIncrement:false"`
	AbandonAfterSeconds int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// TableName maps settingsRow to its table.
func (settingsRow) TableName() string { return "settings" }

// Settings returns the shop's settings, or the defaults (zero values) when
// it has saved none.
func (s *Store) Settings(ctx context.Context, shopID int64) (Settings, error) {
	var row settingsRow
	err := s.db(ctx).Where("shop_id = ?", shopID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Settings{ShopID: shopID}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("store: loading settings of shop %d: %w", shopID, err)
	}
	return Settings{ShopID: shopID, AbandonAfter: time.Duration(row.AbandonAfterSeconds) * time.Second}, nil
}

// SaveSettings stores the shop's settings, leaving the columns Settings
// does not map untouched. AbandonAfter is kept to whole seconds.
func (s *Store) SaveSettings(ctx context.Context, st Settings) error {
	if st.AbandonAfter < 0 {
		return fmt.Errorf("store: saving settings of shop %d: negative AbandonAfter", st.ShopID)
	}
	now := s.nowUTC()
	err := s.db(ctx).Exec(`INSERT INTO settings (shop_id, abandon_after_seconds, created_at, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET
			abandon_after_seconds = excluded.abandon_after_seconds,
			updated_at = excluded.updated_at`,
		st.ShopID, int64(st.AbandonAfter/time.Second), now, now).Error
	if err != nil {
		return fmt.Errorf("store: saving settings of shop %d: %w", st.ShopID, err)
	}
	return nil
}
