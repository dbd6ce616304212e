package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"time"

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

// sessionRow is the sessions table. Its JSON names are the column names:
// PostgreSQL reads a batch of rows as one JSON document (see pgIngest).
type sessionRow struct {
	ID                 int64      `json:"id"`
	ShopID             int64      `json:"shop_id"`
	SessionKey         string     `json:"session_key"`
	CartToken          string     `json:"cart_token"`
	CheckoutToken      string     `json:"checkout_token"`
	StartedAt          time.Time  `json:"started_at"`
	LastActivity       time.Time  `json:"last_activity"`
	FurthestStage      int        `json:"furthest_stage"`
	AddedToCartAt      *time.Time `json:"added_to_cart_at"`
	CheckoutStartedAt  *time.Time `json:"checkout_started_at"`
	ContactSubmittedAt *time.Time `json:"contact_submitted_at"`
	AddressSubmittedAt *time.Time `json:"address_submitted_at"`
	PaymentReachedAt   *time.Time `json:"payment_reached_at"`
	CompletedAt        *time.Time `json:"completed_at"`
	ContentAt          *time.Time `json:"content_at"`
	ContentRank        int        `json:"content_rank"`
	Value              int64      `json:"value"`
	Currency           string     `json:"currency"`
	ItemCount          int        `json:"item_count"`
	LineItems          lineItems  `json:"line_items,omitempty"`
	Email              string     `json:"email"`
	Phone              string     `json:"phone"`
	Country            string     `json:"country"`
	LandingSite        string     `json:"landing_site"`
	ReferringSite      string     `json:"referring_site"`
	SourceName         string     `json:"source_name"`
	Gateway            string     `json:"gateway"`
	RecoveryURL        string     `gorm:"column:recovery_url" json:"recovery_url"`
	ReturningCustomer  bool       `json:"returning_customer"`
	ReturningKnown     bool       `json:"returning_known"`
	AttrSeen           attrSeen   `json:"attr_seen"`
	AbandonedAt        *time.Time `json:"abandoned_at"`
	// Sample (0..63) is SampleOf(SessionKey): sample 0 is the 1/64 of
	// sessions the report's stage-gap medians read over large ranges.
	Sample    int       `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
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
		Email:              s.Email,
		Phone:              s.Phone,
		Country:            s.Country,
		LandingSite:        s.LandingSite,
		ReferringSite:      s.ReferringSite,
		SourceName:         s.SourceName,
		Gateway:            s.Gateway,
		RecoveryURL:        s.RecoveryURL,
		ReturningCustomer:  s.Returning,
		ReturningKnown:     s.ReturningKnown,
		AttrSeen:           attrSeenOf(s),
		AbandonedAt:        utcPtr(s.AbandonedAt),
		Sample:             SampleOf(s.Key),
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
		Email:              r.Email,
		Phone:              r.Phone,
		Country:            r.Country,
		LandingSite:        r.LandingSite,
		ReferringSite:      r.ReferringSite,
		SourceName:         r.SourceName,
		Gateway:            r.Gateway,
		RecoveryURL:        r.RecoveryURL,
		Returning:          r.ReturningCustomer,
		ReturningKnown:     r.ReturningKnown,
		AbandonedAt:        utcPtr(r.AbandonedAt),
	}
	for a, st := range r.AttrSeen {
		s.AttrSeen[a] = st
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

// fields returns the sessions columns a write sets (all but id, shop_id
// and created_at) and pointers to their fields in r, in the same order.
func (r *sessionRow) fields() ([]string, []any) {
	return []string{"session_key", "cart_token", "checkout_token", "started_at", "last_activity", "furthest_stage",
			"added_to_cart_at", "checkout_started_at", "contact_submitted_at", "address_submitted_at", "payment_reached_at", "completed_at",
			"content_at", "content_rank", "value", "currency", "item_count", "line_items",
			"email", "phone", "country", "landing_site", "referring_site", "source_name", "gateway", "recovery_url",
			"returning_customer", "returning_known", "attr_seen", "abandoned_at", "sample", "updated_at"},
		[]any{&r.SessionKey, &r.CartToken, &r.CheckoutToken, &r.StartedAt, &r.LastActivity, &r.FurthestStage,
			&r.AddedToCartAt, &r.CheckoutStartedAt, &r.ContactSubmittedAt, &r.AddressSubmittedAt, &r.PaymentReachedAt, &r.CompletedAt,
			&r.ContentAt, &r.ContentRank, &r.Value, &r.Currency, &r.ItemCount, &r.LineItems,
			&r.Email, &r.Phone, &r.Country, &r.LandingSite, &r.ReferringSite, &r.SourceName, &r.Gateway, &r.RecoveryURL,
			&r.ReturningCustomer, &r.ReturningKnown, &r.AttrSeen, &r.AbandonedAt, &r.Sample, &r.UpdatedAt}
}

// sessionColumns is the column list of fields.
func sessionColumns() []string {
	names, _ := (&sessionRow{}).fields()
	return names
}

// values returns the values of fields, in sessionColumns order.
func (r sessionRow) values() []any {
	_, ptrs := r.fields()
	vals := make([]any, len(ptrs))
	for i, p := range ptrs {
		vals[i] = reflect.ValueOf(p).Elem().Interface()
	}
	return vals
}

// SampleOf returns the sample (0..63) of a session key: FNV-1a of the key
// modulo 64. Sessions of sample 0 are the deterministic 1/64 the report
// reads for stage-gap medians over large ranges; a key always lands in the
// same sample, whatever order its events arrived in.
func SampleOf(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % 64)
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
