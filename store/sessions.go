package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// lineItems is the JSON column of a session's line items (JSONB on
// PostgreSQL, TEXT on SQLite); empty is NULL.
type lineItems []funnel.LineItem

// GormDataType tells gorm the column holds a value, not a relation.
func (lineItems) GormDataType() string { return "json" }

// Value encodes the items as JSON text.
func (l lineItems) Value() (driver.Value, error) {
	if len(l) == 0 {
		return nil, nil
	}
	b, err := json.Marshal([]funnel.LineItem(l))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan decodes JSON text or bytes.
func (l *lineItems) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: line items: unexpected type %T", src)
	}
	var items []funnel.LineItem
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("store: line items: %w", err)
	}
	*l = items
	return nil
}

// sessionRow is the sessions table.
type sessionRow struct {
	ID                 int64
	ShopID             int64
	SessionKey         string
	CartToken          string
	CheckoutToken      string
	StartedAt          time.Time
	LastActivity       time.Time
	FurthestStage      int
	AddedToCartAt      *time.Time
	CheckoutStartedAt  *time.Time
	ContactSubmittedAt *time.Time
	AddressSubmittedAt *time.Time
	PaymentReachedAt   *time.Time
	CompletedAt        *time.Time
	ContentAt          *time.Time
	ContentRank        int
	Value              int64
	Currency           string
	ItemCount          int
	LineItems          lineItems
	DetailsAt          *time.Time
	DetailsRank        int
	Email              string
	Phone              string
	Country            string
	LandingSite        string
	ReferringSite      string
	SourceName         string
	Gateway            string
	RecoveryURL        string `gorm:"column:recovery_url"`
	ReturningCustomer  bool
	AbandonedAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName maps sessionRow to its table.
func (sessionRow) TableName() string { return "sessions" }

// sessionToRow maps a domain session onto a row of shop shopID.
func sessionToRow(shopID int64, s funnel.Session) sessionRow {
	return sessionRow{
		ShopID:             shopID,
		SessionKey:         s.Key,
		CartToken:          s.CartToken,
		CheckoutToken:      s.CheckoutToken,
		StartedAt:          utc(s.StartedAt),
		LastActivity:       utc(s.LastActivity),
		FurthestStage:      int(s.Furthest()),
		AddedToCartAt:      utcPtr(s.AddedToCartAt),
		CheckoutStartedAt:  utcPtr(s.CheckoutStartedAt),
		ContactSubmittedAt: utcPtr(s.ContactSubmittedAt),
		AddressSubmittedAt: utcPtr(s.AddressSubmittedAt),
		PaymentReachedAt:   utcPtr(s.PaymentReachedAt),
		CompletedAt:        utcPtr(s.CompletedAt),
		ContentAt:          optTime(s.ContentAt),
		ContentRank:        s.ContentRank,
		Value:              s.Value,
		Currency:           s.Currency,
		ItemCount:          s.ItemCount,
		LineItems:          slices.Clone(lineItems(s.LineItems)),
		DetailsAt:          optTime(s.DetailsAt),
		DetailsRank:        s.DetailsRank,
		Email:              s.Email,
		Phone:              s.Phone,
		Country:            s.Country,
		LandingSite:        s.LandingSite,
		ReferringSite:      s.ReferringSite,
		SourceName:         s.SourceName,
		Gateway:            s.Gateway,
		RecoveryURL:        s.RecoveryURL,
		ReturningCustomer:  s.Returning,
		AbandonedAt:        utcPtr(s.AbandonedAt),
	}
}

// toSession maps a row back to the domain, in Merge's canonical form (UTC
// times, nil empty slices) so that loaded sessions compare equal to
// sessions folded in memory.
func (r sessionRow) toSession() funnel.Session {
	s := funnel.Session{
		Key:                r.SessionKey,
		CartToken:          r.CartToken,
		CheckoutToken:      r.CheckoutToken,
		StartedAt:          r.StartedAt.UTC(),
		LastActivity:       r.LastActivity.UTC(),
		AddedToCartAt:      utcPtr(r.AddedToCartAt),
		CheckoutStartedAt:  utcPtr(r.CheckoutStartedAt),
		ContactSubmittedAt: utcPtr(r.ContactSubmittedAt),
		AddressSubmittedAt: utcPtr(r.AddressSubmittedAt),
		PaymentReachedAt:   utcPtr(r.PaymentReachedAt),
		CompletedAt:        utcPtr(r.CompletedAt),
		ContentAt:          valTime(r.ContentAt),
		ContentRank:        r.ContentRank,
		Value:              r.Value,
		Currency:           r.Currency,
		ItemCount:          r.ItemCount,
		LineItems:          []funnel.LineItem(r.LineItems),
		DetailsAt:          valTime(r.DetailsAt),
		DetailsRank:        r.DetailsRank,
		Email:              r.Email,
		Phone:              r.Phone,
		Country:            r.Country,
		LandingSite:        r.LandingSite,
		ReferringSite:      r.ReferringSite,
		SourceName:         r.SourceName,
		Gateway:            r.Gateway,
		RecoveryURL:        r.RecoveryURL,
		Returning:          r.ReturningCustomer,
		AbandonedAt:        utcPtr(r.AbandonedAt),
	}
	return funnel.Merge(s, funnel.Session{})
}

// rowsToSessions maps rows to sessions.
func rowsToSessions(rows []sessionRow) []funnel.Session {
	out := make([]funnel.Session, len(rows))
	for i, r := range rows {
		out[i] = r.toSession()
	}
	return out
}

// IngestEvent records a webhook delivery and applies its event to the
// shop's funnel session, in one transaction. The delivery is unique by
// webhook id: a redelivery inserts nothing, changes nothing and returns
// duplicate=true. When ev is not nil, the sessions of the shop that share
// its key, checkout token or cart token are merged with the event into one
// session; when several rows matched (a checkout seen before its cart), one
// row keeps the merged state under the merged key and the others are
// deleted. Concurrent deliveries for one session are serialised (advisory
// transaction locks on the event's tokens plus row locks on PostgreSQL,
// BEGIN IMMEDIATE on SQLite), so none is lost and no duplicate session
// appears. Database failures are returned: the caller answers 5xx so that
// Shopify retries.
func (s *Store) IngestEvent(ctx context.Context, shopID int64, d Delivery, ev *funnel.Event) (duplicate bool, err error) {
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		inserted, err := s.insertDelivery(tx, &shopID, d, "", ev != nil)
		if err != nil {
			return err
		}
		if !inserted {
			duplicate = true
			return nil
		}
		if ev == nil {
			return nil
		}
		return s.applyEvent(tx, shopID, *ev)
	})
	if err != nil {
		return false, fmt.Errorf("store: ingesting delivery %q for shop %d: %w", d.WebhookID, shopID, err)
	}
	return duplicate, nil
}

// applyEvent merges ev into its session inside tx.
func (s *Store) applyEvent(tx *gorm.DB, shopID int64, ev funnel.Event) error {
	fresh := funnel.FromEvent(ev)
	if fresh.Key == "" {
		return nil // no token, or a kind the funnel ignores: nothing to join
	}
	tokens := []string{fresh.Key}
	if ev.CartToken != "" {
		tokens = append(tokens, ev.CartToken)
	}
	if ev.CheckoutToken != "" {
		tokens = append(tokens, ev.CheckoutToken)
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)

	if s.isPG() {
		// Serialise deliveries that could create or touch the same session,
		// in a fixed order so that two of them cannot deadlock here.
		for _, tok := range tokens {
			err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('funnelscope.session'), hashtext(?))",
				strconv.FormatInt(shopID, 10)+":"+tok).Error
			if err != nil {
				return fmt.Errorf("locking session: %w", err)
			}
		}
	}

	cond, args := "session_key IN ?", []any{tokens}
	if ev.CheckoutToken != "" {
		cond, args = cond+" OR checkout_token = ?", append(args, ev.CheckoutToken)
	}
	if ev.CartToken != "" {
		cond, args = cond+" OR cart_token = ?", append(args, ev.CartToken)
	}
	q := tx.Where("shop_id = ?", shopID).Where("("+cond+")", args...).Order("id")
	if s.isPG() {
		// SQLite has no FOR UPDATE (gorm drops it); BEGIN IMMEDIATE already
		// serialises its writers.
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var rows []sessionRow
	if err := q.Find(&rows).Error; err != nil {
		return fmt.Errorf("finding session: %w", err)
	}

	merged := fresh
	for _, r := range rows {
		merged = funnel.Merge(merged, r.toSession())
	}
	if merged.Key == "" {
		return nil
	}
	row := sessionToRow(shopID, merged)
	if len(rows) == 0 {
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("creating session: %w", err)
		}
		return nil
	}

	keep := rows[0]
	for _, r := range rows {
		if r.SessionKey == merged.Key {
			keep = r
			break
		}
	}
	var drop []int64
	for _, r := range rows {
		if r.ID != keep.ID {
			drop = append(drop, r.ID)
		}
	}
	if len(drop) > 0 {
		if err := tx.Where("shop_id = ? AND id IN ?", shopID, drop).Delete(&sessionRow{}).Error; err != nil {
			return fmt.Errorf("deleting merged sessions: %w", err)
		}
	}
	row.ID = keep.ID
	row.CreatedAt = keep.CreatedAt.UTC()
	err := tx.Model(&sessionRow{}).Where("shop_id = ? AND id = ?", shopID, keep.ID).
		Select("*").Omit("id", "shop_id", "created_at").Updates(&row).Error
	if err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}

// SessionByKey returns the shop's session with that key; ErrNotFound when
// there is none.
func (s *Store) SessionByKey(ctx context.Context, shopID int64, key string) (funnel.Session, error) {
	var rows []sessionRow
	if err := s.db(ctx).Where("shop_id = ? AND session_key = ?", shopID, key).Limit(1).Find(&rows).Error; err != nil {
		return funnel.Session{}, fmt.Errorf("store: loading session: %w", err)
	}
	if len(rows) == 0 {
		return funnel.Session{}, fmt.Errorf("store: session %q of shop %d: %w", key, shopID, ErrNotFound)
	}
	return rows[0].toSession(), nil
}
