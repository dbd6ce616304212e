package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// PayloadRowRetention is how long a delivery row outlives the purge of its
// payload: the row keeps deduplicating redeliveries for that long.
const PayloadRowRetention = 30 * 24 * time.Hour

// Delivery is one signed webhook delivery, as received.
type Delivery struct {
	// WebhookID is X-Shopify-Webhook-Id, the deduplication key; an empty
	// one is stored as NULL and never deduplicates.
	WebhookID   string
	EventID     string
	Topic       string
	ShopDomain  string
	APIVersion  string
	TriggeredAt *time.Time
	// Payload is the raw body, kept byte for byte until purged.
	Payload []byte
}

// KeptDelivery is a stored delivery, for inspection and replay.
type KeptDelivery struct {
	ID         int64
	ShopID     *int64
	Delivery   Delivery
	Reason     string
	Ingested   bool
	ReceivedAt time.Time
}

// deliveryRow is the deliveries table.
type deliveryRow struct {
	ID          int64
	ShopID      *int64
	WebhookID   *string
	EventID     string
	Topic       string
	ShopDomain  string
	APIVersion  string `gorm:"column:api_version"`
	TriggeredAt *time.Time
	ReceivedAt  time.Time
	Payload     []byte
	Ingested    bool
	Reason      string
}

// TableName maps deliveryRow to its table.
func (deliveryRow) TableName() string { return "deliveries" }

// toKept maps a row to a KeptDelivery.
func (r deliveryRow) toKept() KeptDelivery {
	k := KeptDelivery{
		ID: r.ID, ShopID: r.ShopID, Reason: r.Reason, Ingested: r.Ingested, ReceivedAt: r.ReceivedAt.UTC(),
		Delivery: Delivery{
			EventID: r.EventID, Topic: r.Topic, ShopDomain: r.ShopDomain, APIVersion: r.APIVersion,
			TriggeredAt: utcPtr(r.TriggeredAt), Payload: r.Payload,
		},
	}
	if r.WebhookID != nil {
		k.Delivery.WebhookID = *r.WebhookID
	}
	return k
}

// maxReasonBytes bounds the reason of a kept delivery: it may quote what
// the payload held.
const maxReasonBytes = 1000

// storableText returns s as text that both databases store: valid UTF-8
// (each run of invalid bytes becomes U+FFFD), without NUL characters, at most
// limit bytes long, cut on a character boundary. A reason quotes payload
// values and decoder errors, which may hold either.
func storableText(s string, limit int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// insertDelivery inserts d unless its webhook id is already recorded; it
// returns the new row's id, 0 when nothing was inserted. The reason is
// stored as storableText.
func (s *Store) insertDelivery(tx *gorm.DB, shopID *int64, d Delivery, reason string, ingested bool) (int64, error) {
	row := deliveryInsert{shopID: shopID, d: &d, received: s.nowUTC(), ingested: ingested, reason: reason}
	var id int64
	err := tx.Raw(insertDeliverySQL, deliveryValues([]deliveryInsert{row})...).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("recording delivery: %w", err)
	}
	return id, nil
}

// KeepDelivery records a delivery that feeds no funnel session: a signed
// but unusable one (malformed JSON, unknown shop: shopID nil), with reason
// saying why, or a non-funnel topic (compliance, app/uninstalled,
// checkouts/delete) with an empty reason. It is unique by webhook id like
// IngestEvent, and reports duplicate=true for a redelivery.
func (s *Store) KeepDelivery(ctx context.Context, shopID *int64, d Delivery, reason string) (duplicate bool, err error) {
	id, err := s.insertDelivery(s.db(ctx), shopID, d, reason, false)
	if err != nil {
		return false, fmt.Errorf("store: keeping delivery %q: %w", d.WebhookID, err)
	}
	return id == 0, nil
}

// UnusableDeliveries returns up to limit (default 100) kept deliveries that
// have a reason, newest first, across all shops (an unusable delivery may
// name no known shop); it is an operator's inspection tool.
func (s *Store) UnusableDeliveries(ctx context.Context, limit int) ([]KeptDelivery, error) {
	if limit <= 0 {
		limit = 100
	}
	var rows []deliveryRow
	err := s.db(ctx).Where("reason <> ''").Order("received_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: listing unusable deliveries: %w", err)
	}
	out := make([]KeptDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.toKept()
	}
	return out, nil
}

// PurgePayloads drops the payload of every delivery received before
// olderThan, keeping the row so redeliveries are still recognised, and
// deletes the rows received more than PayloadRowRetention before
// olderThan. It returns how many payloads it purged. It spans all shops: it
// is the retention job.
func (s *Store) PurgePayloads(ctx context.Context, olderThan time.Time) (int64, error) {
	var purged int64
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE deliveries SET payload = NULL WHERE received_at < ? AND payload IS NOT NULL", utc(olderThan))
		if res.Error != nil {
			return res.Error
		}
		purged = res.RowsAffected
		return tx.Exec("DELETE FROM deliveries WHERE received_at < ?", utc(olderThan.Add(-PayloadRowRetention))).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: purging payloads: %w", err)
	}
	return purged, nil
}
