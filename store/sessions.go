package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
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
	ReturningKnown     bool
	AbandonedAt        *time.Time
	// Sample (0..63) is SampleOf(SessionKey): sample 0 is the 1/64 of
	// sessions the report's stage-gap medians read over large ranges.
	Sample    int
	CreatedAt time.Time
	UpdatedAt time.Time
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
		ReturningKnown:     s.ReturningKnown,
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
		ReturningKnown:     r.ReturningKnown,
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
		var fresh funnel.Session
		var tokens, locks []string
		if ev != nil {
			fresh = funnel.FromEvent(*ev)
			tokens = sessionTokens(fresh.Key, *ev)
			locks = sessionLocks(shopID, tokens)
		}
		var inserted bool
		var err error
		if s.isPG() {
			// One round trip records the delivery and, when it is new,
			// takes the session locks.
			inserted, err = s.insertDeliveryLocked(tx, shopID, d, ev != nil, locks)
		} else {
			inserted, err = s.insertDelivery(tx, &shopID, d, "", ev != nil)
		}
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
		return s.applyEvent(tx, shopID, *ev, fresh, tokens)
	})
	if err != nil {
		return false, fmt.Errorf("store: ingesting delivery %q for shop %d: %w", d.WebhookID, shopID, err)
	}
	return duplicate, nil
}

// sessionTokens returns the session key an event falls under and its cart
// and checkout tokens, sorted and without repeats: what finds and locks its
// session. None when the event joins nothing (key is empty).
func sessionTokens(key string, ev funnel.Event) []string {
	if key == "" {
		return nil
	}
	tokens := []string{key}
	if ev.CartToken != "" {
		tokens = append(tokens, ev.CartToken)
	}
	if ev.CheckoutToken != "" {
		tokens = append(tokens, ev.CheckoutToken)
	}
	slices.Sort(tokens)
	return slices.Compact(tokens)
}

// sessionLocks returns the advisory lock keys of a session's tokens, in
// their sorted order, so that every transaction takes them in the same order
// and two cannot deadlock on them.
func sessionLocks(shopID int64, tokens []string) []string {
	prefix := strconv.FormatInt(shopID, 10) + ":"
	locks := make([]string, len(tokens))
	for i, t := range tokens {
		locks[i] = prefix + t
	}
	return locks
}

// insertDeliveryLocked is insertDelivery on PostgreSQL plus, when the
// delivery was new, the transaction-scoped advisory locks on locks, taken
// in their order, all in one statement. It reports whether the delivery
// was inserted.
func (s *Store) insertDeliveryLocked(tx *gorm.DB, shopID int64, d Delivery, ingested bool, locks []string) (bool, error) {
	var webhookID *string
	if d.WebhookID != "" {
		webhookID = &d.WebhookID
	}
	payload := d.Payload
	if payload == nil {
		payload = []byte{}
	}
	if locks == nil {
		locks = []string{}
	}
	var got struct{ Inserted, Locked int64 }
	err := tx.Raw(`WITH d AS (
			INSERT INTO deliveries (shop_id, webhook_id, event_id, topic, shop_domain,
				api_version, triggered_at, received_at, payload, ingested, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')
			ON CONFLICT (webhook_id) DO NOTHING RETURNING 1),
		l AS (
			SELECT pg_advisory_xact_lock(hashtext('funnelscope.session'), hashtext(k))
			FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS u (k, i)
			WHERE EXISTS (SELECT 1 FROM d) ORDER BY i)
		SELECT (SELECT count(*) FROM d) AS inserted, (SELECT count(*) FROM l) AS locked`,
		shopID, webhookID, d.EventID, d.Topic, normDomain(d.ShopDomain), d.APIVersion,
		utcPtr(d.TriggeredAt), s.nowUTC(), payload, ingested, pgTextArray(locks)).Scan(&got).Error
	if err != nil {
		return false, fmt.Errorf("recording delivery: %w", err)
	}
	return got.Inserted > 0, nil
}

// pgTextArray is a PostgreSQL text[] literal of ss.
func pgTextArray(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// applyEvent merges ev, whose own session is fresh, into the session its
// tokens find, inside tx.
func (s *Store) applyEvent(tx *gorm.DB, shopID int64, ev funnel.Event, fresh funnel.Session, tokens []string) error {
	if fresh.Key == "" {
		return nil // no token, or a kind the funnel ignores: nothing to join
	}
	// On PostgreSQL IngestEvent has taken the advisory locks of
	// sessionLocks, serialising deliveries that could create or touch the
	// same session; on SQLite BEGIN IMMEDIATE serialises all writers.

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
	deltas := rollupDeltas{}
	for _, r := range rows {
		deltas.add(r, -1)
	}
	if len(rows) == 0 {
		deltas.add(row, 1)
		return s.writeSession(tx, shopID, row, 0, deltas)
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
	deltas.add(row, 1)
	return s.writeSession(tx, shopID, row, keep.ID, deltas)
}

// writeSession inserts row (id 0) or overwrites the session with that id,
// and applies the rollup deltas: in one statement on PostgreSQL (the
// rollup upsert as a data-modifying WITH), in two on SQLite.
func (s *Store) writeSession(tx *gorm.DB, shopID int64, row sessionRow, id int64, deltas rollupDeltas) error {
	rsql, rargs := rollupSQL(shopID, deltas)
	if !s.isPG() {
		if id == 0 {
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("creating session: %w", err)
			}
		} else {
			err := tx.Model(&sessionRow{}).Where("shop_id = ? AND id = ?", shopID, id).
				Select("*").Omit("id", "shop_id", "created_at").Updates(&row).Error
			if err != nil {
				return fmt.Errorf("saving session: %w", err)
			}
		}
		if rsql == "" {
			return nil
		}
		if err := tx.Exec(rsql, rargs...).Error; err != nil {
			return fmt.Errorf("updating session rollups: %w", err)
		}
		return nil
	}
	now := s.nowUTC()
	row.UpdatedAt = now
	cols, vals := row.columns()
	var q strings.Builder
	args := make([]any, 0, len(rargs)+len(vals)+2)
	if rsql != "" {
		q.WriteString("WITH r AS (" + rsql + ") ")
		args = append(args, rargs...)
	}
	if id == 0 {
		q.WriteString("INSERT INTO sessions (shop_id, created_at, " + strings.Join(cols, ", ") + ") VALUES (?, ?")
		args = append(args, shopID, now)
		for range cols {
			q.WriteString(", ?")
		}
		q.WriteString(")")
		args = append(args, vals...)
	} else {
		q.WriteString("UPDATE sessions SET ")
		for i, c := range cols {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(c + " = ?")
		}
		q.WriteString(" WHERE shop_id = ? AND id = ?")
		args = append(append(args, vals...), shopID, id)
	}
	if err := tx.Exec(q.String(), args...).Error; err != nil {
		return fmt.Errorf("saving session: %w", err)
	}
	return nil
}

// columns returns the sessions columns a write sets (all but id, shop_id
// and created_at) and their values.
func (r sessionRow) columns() ([]string, []any) {
	return []string{"session_key", "cart_token", "checkout_token", "started_at", "last_activity", "furthest_stage",
			"added_to_cart_at", "checkout_started_at", "contact_submitted_at", "address_submitted_at", "payment_reached_at", "completed_at",
			"content_at", "content_rank", "value", "currency", "item_count", "line_items", "details_at", "details_rank",
			"email", "phone", "country", "landing_site", "referring_site", "source_name", "gateway", "recovery_url",
			"returning_customer", "returning_known", "abandoned_at", "sample", "updated_at"},
		[]any{r.SessionKey, r.CartToken, r.CheckoutToken, r.StartedAt, r.LastActivity, r.FurthestStage,
			r.AddedToCartAt, r.CheckoutStartedAt, r.ContactSubmittedAt, r.AddressSubmittedAt, r.PaymentReachedAt, r.CompletedAt,
			r.ContentAt, r.ContentRank, r.Value, r.Currency, r.ItemCount, r.LineItems, r.DetailsAt, r.DetailsRank,
			r.Email, r.Phone, r.Country, r.LandingSite, r.ReferringSite, r.SourceName, r.Gateway, r.RecoveryURL,
			r.ReturningCustomer, r.ReturningKnown, r.AbandonedAt, r.Sample, r.UpdatedAt}
}

// rollupShards is how many session_rollups rows share one shop, day and
// key: a session counts in shard sample % rollupShards.
const rollupShards = 8

// rollupKey is a session_rollups row of one shop.
type rollupKey struct {
	day       int64
	furthest  int
	recovered int
	currency  string
	shard     int64
}

// rollupDeltas are the changes a transaction makes to session_rollups.
type rollupDeltas map[rollupKey][2]int64

// add counts row sign times (+1 written, -1 replaced or deleted).
func (d rollupDeltas) add(r sessionRow, sign int64) {
	k := rollupKey{day: dayNumber(r.StartedAt), furthest: r.FurthestStage, currency: r.Currency, shard: int64(r.Sample % rollupShards)}
	if r.CompletedAt != nil && r.AbandonedAt != nil {
		k.recovered = 1
	}
	v := d[k]
	v[0] += sign
	v[1] += sign * r.Value
	d[k] = v
}

// dayNumber is the UTC day of t as days since 1970-01-01, the day column of
// session_rollups.
func dayNumber(t time.Time) int64 {
	sec := t.Unix()
	day := sec / 86400
	if sec%86400 < 0 {
		day--
	}
	return day
}

// rollupSQL returns the statement that adds the non-zero deltas to
// session_rollups, rows in key order so that concurrent transactions lock
// them in the same order and cannot deadlock on them; "" when there are
// none.
func rollupSQL(shopID int64, d rollupDeltas) (string, []any) {
	keys := make([]rollupKey, 0, len(d))
	for k, v := range d {
		if v != [2]int64{} {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", nil
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		switch {
		case a.day != b.day:
			return cmpInt(a.day, b.day)
		case a.furthest != b.furthest:
			return cmpInt(a.furthest, b.furthest)
		case a.recovered != b.recovered:
			return cmpInt(a.recovered, b.recovered)
		case a.currency != b.currency:
			return strings.Compare(a.currency, b.currency)
		}
		return cmpInt(a.shard, b.shard)
	})
	var sb strings.Builder
	sb.WriteString("INSERT INTO session_rollups (shop_id, day, furthest_stage, recovered, currency, shard, sessions, value) VALUES ")
	args := make([]any, 0, 8*len(keys))
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		v := d[k]
		args = append(args, shopID, k.day, k.furthest, k.recovered, k.currency, k.shard, v[0], v[1])
	}
	sb.WriteString(` ON CONFLICT (shop_id, day, furthest_stage, recovered, currency, shard) DO UPDATE
		SET sessions = session_rollups.sessions + excluded.sessions, value = session_rollups.value + excluded.value`)
	return sb.String(), args
}

func cmpInt[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
