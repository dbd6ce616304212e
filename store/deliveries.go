package store

import (
	"context"
	"errors"
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
	// Purged says the payload was purged (PurgePayloads): Delivery.Payload
	// is then nil. An unpurged payload may be empty: a privacy request
	// after its job, or a delivery kept bare.
	Purged bool
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
	// Purged is payload IS NULL, read only by the queries that select it.
	Purged bool `gorm:"->;-:migration"`
}

// TableName maps deliveryRow to its table.
func (deliveryRow) TableName() string { return "deliveries" }

// toKept maps a row to a KeptDelivery.
func (r deliveryRow) toKept() KeptDelivery {
	k := KeptDelivery{
		ID: r.ID, ShopID: r.ShopID, Reason: r.Reason, Ingested: r.Ingested, ReceivedAt: r.ReceivedAt.UTC(), Purged: r.Purged,
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

// keptColumns are the columns of a kept delivery, all of them, and whether
// its payload was purged.
const keptColumns = "*, payload IS NULL AS purged"

// keptHeadColumns are keptColumns without the payload: the id and every
// column an insert writes (deliveryColumns) but the payload.
func keptHeadColumns() string {
	cols := []string{"id"}
	for _, c := range deliveryColumns() {
		if c.name != "payload" {
			cols = append(cols, c.name)
		}
	}
	return strings.Join(cols, ", ") + ", payload IS NULL AS purged"
}

// UnusableDeliveries returns up to limit (default 100) kept deliveries that
// have a reason, newest first, across all shops (an unusable delivery may
// name no known shop); it is an operator's inspection tool.
func (s *Store) UnusableDeliveries(ctx context.Context, limit int) ([]KeptDelivery, error) {
	return s.unusableDeliveries(ctx, limit, keptColumns)
}

// UnusableDeliveriesWithoutPayload is UnusableDeliveries without reading
// the payloads (each of them up to 5 MiB, and customer data): what
// `funnelscope deliveries list` shows.
func (s *Store) UnusableDeliveriesWithoutPayload(ctx context.Context, limit int) ([]KeptDelivery, error) {
	return s.unusableDeliveries(ctx, limit, keptHeadColumns())
}

func (s *Store) unusableDeliveries(ctx context.Context, limit int, columns string) ([]KeptDelivery, error) {
	if limit <= 0 {
		limit = 100
	}
	var rows []deliveryRow
	err := s.db(ctx).Select(columns).Where("reason <> ''").Order("received_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: listing unusable deliveries: %w", err)
	}
	out := make([]KeptDelivery, len(rows))
	for i, r := range rows {
		out[i] = r.toKept()
	}
	return out, nil
}

// KeptDeliveryByID returns the stored delivery id, payload included, of
// whichever shop: the privacy jobs and the replay of kept deliveries name
// a delivery by its id. ErrNotFound when there is none.
func (s *Store) KeptDeliveryByID(ctx context.Context, id int64) (KeptDelivery, error) {
	var row deliveryRow
	err := s.db(ctx).Select(keptColumns).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return KeptDelivery{}, fmt.Errorf("store: delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return KeptDelivery{}, fmt.Errorf("store: loading delivery %d: %w", id, err)
	}
	return row.toKept(), nil
}

// SetAsideDelivery begins the replay of the kept delivery id: it takes the
// webhook id off its row (NULL never deduplicates), so that the delivery
// fed through ingestion again under that id is not taken for a redelivery
// of the kept row. The replay ends with SupersedeDelivery once it recorded
// the delivery again, or RestoreDelivery when it did not.
func (s *Store) SetAsideDelivery(ctx context.Context, id int64) error {
	if err := s.db(ctx).Exec("UPDATE deliveries SET webhook_id = NULL WHERE id = ?", id).Error; err != nil {
		return fmt.Errorf("store: setting delivery %d aside for its replay: %w", id, err)
	}
	return nil
}

// RestoreDelivery ends a replay that recorded nothing: the kept delivery
// id gets its webhook id back.
func (s *Store) RestoreDelivery(ctx context.Context, id int64, webhookID string) error {
	if err := s.db(ctx).Exec("UPDATE deliveries SET webhook_id = ? WHERE id = ?", nullString(webhookID), id).Error; err != nil {
		return fmt.Errorf("store: restoring delivery %d after its replay: %w", id, err)
	}
	return nil
}

// SupersedeDelivery ends the replay of the kept delivery id, which
// ingestion recorded again under webhookID (applied, kept with its new
// reason, or found already recorded): the old row goes, and the row
// recorded under webhookID keeps the earlier of the two receipt times, so
// that its payload is purged when the first one's would have been. It
// returns that row as it now is (without its payload); its ID is 0 when
// the delivery has no webhook id to find it by.
func (s *Store) SupersedeDelivery(ctx context.Context, id int64, webhookID string, receivedAt time.Time) (KeptDelivery, error) {
	var k KeptDelivery
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM deliveries WHERE id = ?", id).Error; err != nil {
			return err
		}
		if webhookID == "" {
			return nil
		}
		if err := tx.Exec("UPDATE deliveries SET received_at = ? WHERE webhook_id = ? AND received_at > ?",
			utc(receivedAt), webhookID, utc(receivedAt)).Error; err != nil {
			return err
		}
		var row deliveryRow
		err := tx.Select(keptHeadColumns()).Where("webhook_id = ?", webhookID).Take(&row).Error
		if err != nil {
			return err
		}
		k = row.toKept()
		return nil
	})
	if err != nil {
		return KeptDelivery{}, fmt.Errorf("store: superseding delivery %d after its replay: %w", id, err)
	}
	return k, nil
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
