package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// States of a shop's web pixel activation (PixelActivation.State).
const (
	// PixelPending: the activation job is queued, or retrying after a
	// passing failure (ErrorMessage says which).
	PixelPending = "pending"
	// PixelActive: Shopify holds the app's pixel with the shop's key.
	PixelActive = "active"
	// PixelFailed: Shopify refused for good; ErrorCode and ErrorMessage
	// say why. Only the merchant (or a deploy) can change that.
	PixelFailed = "failed"
)

// PixelActivation is where a shop's web pixel stands.
type PixelActivation struct {
	ShopID int64
	State  string
	// WebPixelID is Shopify's id of the pixel, once known.
	WebPixelID string
	// ErrorCode is Shopify's user error code (NO_EXTENSION, ACCESS_DENIED…)
	// of a refusal; ErrorMessage its words, or the last passing failure's.
	ErrorCode, ErrorMessage string
	UpdatedAt               time.Time
}

// maxPixelErrorLen bounds the stored error message.
const maxPixelErrorLen = 500

// QueuePixelActivation marks the shop's pixel activation pending, inside
// tx: the transaction that queues the activation job, so that the state
// and the job commit together. A pixel id already known is kept; an old
// error is cleared.
func (s *Store) QueuePixelActivation(ctx context.Context, tx *sql.Tx, shopID int64) error {
	q := `INSERT INTO pixel_activations (shop_id, state, updated_at) VALUES ($1, 'pending', $2)
		ON CONFLICT (shop_id) DO UPDATE SET state = 'pending', error_code = '', error_message = '', updated_at = excluded.updated_at`
	if _, err := tx.ExecContext(ctx, q, shopID, s.nowUTC()); err != nil {
		return fmt.Errorf("store: queueing the pixel activation of shop %d: %w", shopID, err)
	}
	return nil
}

// SetPixelActivation records where the shop's pixel activation stands. An
// empty WebPixelID keeps the one known; the message is cut to 500 bytes.
func (s *Store) SetPixelActivation(ctx context.Context, a PixelActivation) error {
	switch a.State {
	case PixelPending, PixelActive, PixelFailed:
	default:
		return fmt.Errorf("store: pixel activation state %q", a.State)
	}
	msg := a.ErrorMessage
	if len(msg) > maxPixelErrorLen {
		msg = truncateUTF8(msg, maxPixelErrorLen)
	}
	err := s.db(ctx).Exec(`INSERT INTO pixel_activations (shop_id, state, web_pixel_id, error_code, error_message, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET state = excluded.state,
			web_pixel_id = CASE WHEN excluded.web_pixel_id = '' THEN pixel_activations.web_pixel_id ELSE excluded.web_pixel_id END,
			error_code = excluded.error_code, error_message = excluded.error_message, updated_at = excluded.updated_at`,
		a.ShopID, a.State, a.WebPixelID, a.ErrorCode, msg, s.nowUTC()).Error
	if err != nil {
		return fmt.Errorf("store: recording the pixel activation of shop %d: %w", a.ShopID, err)
	}
	return nil
}

// PixelActivationOf returns where the shop's pixel activation stands; ok is
// false when it was never queued (a shop installed before the app had a
// pixel).
func (s *Store) PixelActivationOf(ctx context.Context, shopID int64) (a PixelActivation, ok bool, err error) {
	var rows []struct {
		State, WebPixelID, ErrorCode, ErrorMessage string
		UpdatedAt                                  time.Time
	}
	err = s.db(ctx).Raw(`SELECT state, web_pixel_id, error_code, error_message, updated_at
		FROM pixel_activations WHERE shop_id = ?`, shopID).Scan(&rows).Error
	if err != nil {
		return PixelActivation{}, false, fmt.Errorf("store: loading the pixel activation of shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return PixelActivation{}, false, nil
	}
	r := rows[0]
	return PixelActivation{ShopID: shopID, State: r.State, WebPixelID: r.WebPixelID, ErrorCode: r.ErrorCode,
		ErrorMessage: r.ErrorMessage, UpdatedAt: r.UpdatedAt.UTC()}, true, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// RequeuePixelActivation marks the shop's pixel activation pending and runs
// enqueue (which queues the job with InsertTx) in the same transaction: the
// merchant's "Try again". Its error rolls both back.
func (s *Store) RequeuePixelActivation(ctx context.Context, shopID int64, enqueue InTx[int64]) error {
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return fmt.Errorf("no *sql.Tx in transaction (got %T)", tx.Statement.ConnPool)
		}
		if err := s.QueuePixelActivation(ctx, sqlTx, shopID); err != nil {
			return err
		}
		return enqueue.run(ctx, tx, shopID)
	})
	if err != nil {
		return fmt.Errorf("store: queueing the pixel activation of shop %d again: %w", shopID, err)
	}
	return nil
}
