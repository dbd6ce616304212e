package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// A customer is matched in Go (funnel.CustomerMatcher: e-mails Unicode-
// normalised and case-folded, phones by their digits, payloads by their
// parsed JSON), which SQL cannot do on both databases; so the shop's rows
// are read in keyset-paginated chunks, never all at once.
const (
	// contactChunk is how many sessions or data requests one query reads.
	contactChunk = 1000
	// payloadChunk is how many kept payloads one query reads; each is
	// parsed as it arrives and dropped before the next.
	payloadChunk = 100
	// idChunk bounds the ids of one IN list.
	idChunk = 500
)

// sessionContact is a session's key with the contact details it was
// matched on.
type sessionContact struct{ key, email, phone string }

// customerSessions returns the shop's sessions that hold the customer's
// e-mail or phone, in the order of the (shop_id, session_key) index.
func (s *Store) customerSessions(ctx context.Context, shopID int64, m funnel.CustomerMatcher) ([]sessionContact, error) {
	var out []sessionContact
	if m.Empty() {
		return nil, nil
	}
	for after := ""; ; {
		// One chunk per call, so that its rows are closed by a defer
		// before the next chunk is read.
		n, err := func() (int, error) {
			rows, err := s.db(ctx).Raw(`SELECT session_key, email, phone FROM sessions
			WHERE shop_id = ? AND session_key > ? AND (email <> '' OR phone <> '')
			ORDER BY session_key LIMIT ?`, shopID, after, contactChunk).Rows()
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var c sessionContact
				if err := rows.Scan(&c.key, &c.email, &c.phone); err != nil {
					return 0, err
				}
				n, after = n+1, c.key
				if m.Contact(c.email, c.phone) {
					out = append(out, c)
				}
			}
			return n, errors.Join(rows.Err(), rows.Close())
		}()
		if err != nil {
			return nil, fmt.Errorf("reading sessions: %w", err)
		}
		if n < contactChunk {
			return out, nil
		}
	}
}

// customerDataRequests returns the ids of the shop's data requests made by
// the customer (by customer id, e-mail or phone).
func (s *Store) customerDataRequests(ctx context.Context, shopID int64, m funnel.CustomerMatcher) ([]int64, error) {
	var out []int64
	if m.Empty() {
		return nil, nil
	}
	for after := int64(0); ; {
		// One chunk per call, as in customerSessions.
		n, err := func() (int, error) {
			rows, err := s.db(ctx).Raw(`SELECT id, customer_id, email, phone FROM data_requests
			WHERE shop_id = ? AND id > ? ORDER BY id LIMIT ?`, shopID, after, contactChunk).Rows()
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var id, customer int64
				var email, phone string
				if err := rows.Scan(&id, &customer, &email, &phone); err != nil {
					return 0, err
				}
				n, after = n+1, id
				if m.Record(customer, email, phone) {
					out = append(out, id)
				}
			}
			return n, errors.Join(rows.Err(), rows.Close())
		}()
		if err != nil {
			return nil, fmt.Errorf("reading data requests: %w", err)
		}
		if n < contactChunk {
			return out, nil
		}
	}
}

// customerPayloads returns the ids of the kept deliveries whose payload
// names the customer: the shop's (walked in the order of its
// (shop_id, received_at) index) and those kept under its domain without a
// shop (after an uninstall). The delivery skip (the request itself) is
// left out.
func (s *Store) customerPayloads(ctx context.Context, shopID int64, m funnel.CustomerMatcher, skip int64) ([]int64, error) {
	var out []int64
	if m.Empty() {
		return nil, nil
	}
	var at time.Time
	var last int64
	for {
		n, err := s.matchPayloads(ctx, m, skip, &out, &at, &last, `SELECT id, received_at, payload FROM deliveries
			WHERE shop_id = ? AND payload IS NOT NULL AND received_at >= ? AND (received_at > ? OR id > ?)
			ORDER BY received_at, id LIMIT ?`, shopID, at, at, last, payloadChunk)
		if err != nil {
			return nil, err
		}
		if n < payloadChunk {
			break
		}
	}
	var domains []string
	if err := s.db(ctx).Model(&shopRow{}).Where("id = ?", shopID).Pluck("domain", &domains).Error; err != nil {
		return nil, fmt.Errorf("reading shop: %w", err)
	}
	if len(domains) == 0 {
		return out, nil
	}
	for last = 0; ; {
		n, err := s.matchPayloads(ctx, m, skip, &out, &at, &last, `SELECT id, received_at, payload FROM deliveries
			WHERE shop_id IS NULL AND shop_domain = ? AND payload IS NOT NULL AND id > ?
			ORDER BY id LIMIT ?`, domains[0], last, payloadChunk)
		if err != nil {
			return nil, err
		}
		if n < payloadChunk {
			return out, nil
		}
	}
}

// matchPayloads runs one chunk query of (id, received_at, payload) rows,
// appends to out the ids of those naming the customer, moves the cursor
// (at, last) to the last row and returns how many rows it read.
func (s *Store) matchPayloads(ctx context.Context, m funnel.CustomerMatcher, skip int64, out *[]int64, at *time.Time, last *int64, query string, args ...any) (int, error) {
	rows, err := s.db(ctx).Raw(query, args...).Rows()
	if err != nil {
		return 0, fmt.Errorf("reading kept payloads: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(last, at, &payload); err != nil {
			return 0, fmt.Errorf("reading kept payloads: %w", err)
		}
		n++
		if *last != skip && m.Payload(payload) {
			*out = append(*out, *last)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("reading kept payloads: %w", err)
	}
	return n, nil
}

// CustomerData returns the shop's sessions of the customer, for a
// customers/data_request, oldest first. A customer named by nothing
// matches nothing.
func (s *Store) CustomerData(ctx context.Context, shopID int64, c funnel.Customer) ([]funnel.Session, error) {
	contacts, err := s.customerSessions(ctx, shopID, c.Matcher())
	if err != nil {
		return nil, fmt.Errorf("store: loading customer data of shop %d: %w", shopID, err)
	}
	keys := make([]string, len(contacts))
	for i, c := range contacts {
		keys[i] = c.key
	}
	var out []funnel.Session
	for chunk := range slices.Chunk(keys, idChunk) {
		rows, err := findSessions(s.db(ctx).Table("sessions").Where("shop_id = ? AND session_key IN ?", shopID, chunk))
		if err != nil {
			return nil, fmt.Errorf("store: loading customer data of shop %d: %w", shopID, err)
		}
		out = append(out, rowsToSessions(rows)...)
	}
	slices.SortFunc(out, func(a, b funnel.Session) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// CustomerErasure counts what RedactCustomer erased.
type CustomerErasure struct {
	// Sessions had their personal fields blanked (and their alerts deleted).
	Sessions int64
	// Payloads are the kept webhook payloads that named the customer, dropped.
	Payloads int64
	// DataRequests are the customer's data request reports, deleted.
	DataRequests int64
	// Visits are the storefront visits deleted: every visit (with its raw
	// events) of the storefront clients whose visits joined one of the
	// customer's sessions by cart or checkout token.
	Visits int64
}

// ErasureRequest is the kept delivery that asked for an erasure
// (DeliveryID 0: none). In the transaction that erases, its payload is
// dropped and its reason set to Reason of what was erased, so the reason
// never says more or less than was done.
type ErasureRequest struct {
	DeliveryID int64
	Reason     func(CustomerErasure) string
}

// RedactCustomer erases a customer of the shop (customers/redact): it
// blanks the personal fields (email, phone, recovery URL, landing and
// referring site, which may carry them in query strings) of the sessions
// that hold the customer's e-mail or phone and deletes their timelines and
// alerts,
// deletes the customer's data requests, and drops every kept payload of
// the shop (also those kept under its domain without a shop) that names
// the customer, all as funnel.CustomerMatcher decides. The matching rows
// are found in chunks first; the erasure itself, with the settling of
// req, is one transaction, so a failed attempt erases nothing and a retry
// starts afresh. A session is blanked only while it still holds the
// details it was matched on.
func (s *Store) RedactCustomer(ctx context.Context, shopID int64, c funnel.Customer, req ErasureRequest) (CustomerErasure, error) {
	m := c.Matcher()
	var e CustomerErasure
	// The shop's storefront events accepted and not yet folded first, so
	// that the customer's visits erased below include them. A row that
	// cannot be folded does not hold the erasure up: it is kept for an
	// operator (FoldStorefront) and holds no personal data.
	if err := s.drainStorefront(ctx, shopID); err != nil && ctx.Err() != nil {
		return e, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	sessions, err := s.customerSessions(ctx, shopID, m)
	if err != nil {
		return e, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	requests, err := s.customerDataRequests(ctx, shopID, m)
	if err != nil {
		return e, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	payloads, err := s.customerPayloads(ctx, shopID, m, req.DeliveryID)
	if err != nil {
		return e, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.nowUTC()
		for _, sc := range sessions {
			if err := tx.Where("shop_id = ? AND session_key = ?", shopID, sc.key).Delete(&alertRow{}).Error; err != nil {
				return fmt.Errorf("deleting alerts: %w", err)
			}
			// The timeline tells what the customer did and when: it goes
			// with the contact details, and the session counts no events.
			if err := tx.Exec(`DELETE FROM session_events WHERE shop_id = ? AND session_id IN (SELECT id FROM sessions
				WHERE shop_id = ? AND session_key = ? AND email = ? AND phone = ?)`, shopID, shopID, sc.key, sc.email, sc.phone).Error; err != nil {
				return fmt.Errorf("deleting timelines: %w", err)
			}
			n, err := eraseJoinedVisits(tx, shopID, sc)
			if err != nil {
				return err
			}
			e.Visits += n
			res := tx.Exec(`UPDATE sessions SET email = '', phone = '', recovery_url = '', landing_site = '', referring_site = '',
					timeline_events = 0, updated_at = ?
				WHERE shop_id = ? AND session_key = ? AND email = ? AND phone = ?`, now, shopID, sc.key, sc.email, sc.phone)
			if res.Error != nil {
				return fmt.Errorf("blanking sessions: %w", res.Error)
			}
			e.Sessions += res.RowsAffected
		}
		for ids := range slices.Chunk(requests, idChunk) {
			res := tx.Exec("DELETE FROM data_requests WHERE shop_id = ? AND id IN ?", shopID, ids)
			if res.Error != nil {
				return fmt.Errorf("deleting data requests: %w", res.Error)
			}
			e.DataRequests += res.RowsAffected
		}
		for ids := range slices.Chunk(payloads, idChunk) {
			res := tx.Exec(`UPDATE deliveries SET payload = NULL
				WHERE id IN ? AND payload IS NOT NULL
					AND (shop_id = ? OR (shop_id IS NULL AND shop_domain = (SELECT domain FROM shops WHERE id = ?)))`,
				ids, shopID, shopID)
			if res.Error != nil {
				return fmt.Errorf("dropping payloads: %w", res.Error)
			}
			e.Payloads += res.RowsAffected
		}
		if req.DeliveryID == 0 {
			return nil
		}
		reason := ""
		if req.Reason != nil {
			reason = req.Reason(e)
		}
		return settle(tx, shopID, req.DeliveryID, reason)
	})
	if err != nil {
		return CustomerErasure{}, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	return e, nil
}

// KeepPrivacyRequest keeps a privacy request of the shop (customers/redact,
// customers/data_request) with its payload and reason, and calls enqueue
// with the new delivery's id in the same transaction: the request is never
// kept without the job that carries it out, and the job's arguments need
// hold no personal data (the job reads the payload, then drops it). A
// redelivery (same webhook id) changes nothing and enqueues nothing.
func (s *Store) KeepPrivacyRequest(ctx context.Context, shopID int64, d Delivery, reason string,
	enqueue InTx[int64]) (duplicate bool, err error) {
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := s.insertDelivery(tx, &shopID, d, reason, false)
		if err != nil || id == 0 {
			duplicate = id == 0
			return err
		}
		return enqueue.run(ctx, tx, id)
	})
	if err != nil {
		return false, fmt.Errorf("store: keeping privacy request %q: %w", d.WebhookID, err)
	}
	return duplicate, nil
}

// PrivacyRequest returns a kept delivery by id, for the job that carries
// it out; its payload is nil once settled (or purged). ErrNotFound when it
// is gone (shop/redact deletes it).
func (s *Store) PrivacyRequest(ctx context.Context, deliveryID int64) (KeptDelivery, error) {
	return s.KeptDeliveryByID(ctx, deliveryID)
}

// SettlePrivacyRequest records that the shop's privacy request kept as
// that delivery was carried out: it drops the payload (it names the very
// customer) and sets the reason to what was done.
func (s *Store) SettlePrivacyRequest(ctx context.Context, shopID, deliveryID int64, reason string) error {
	if err := settle(s.db(ctx), shopID, deliveryID, reason); err != nil {
		return fmt.Errorf("store: settling privacy request %d: %w", deliveryID, err)
	}
	return nil
}

func settle(tx *gorm.DB, shopID, deliveryID int64, reason string) error {
	return tx.Exec("UPDATE deliveries SET payload = NULL, reason = ? WHERE id = ? AND shop_id = ?",
		reason, deliveryID, shopID).Error
}

// RedactShop deletes everything stored about the shop with that domain
// (shop/redact): sessions with their timelines and rollups, alerts, digests and anomalies, data
// requests, store changes and the variant prices they compare with, settings, deliveries (also those kept
// under its domain without a shop id) and the shop row. An unknown shop is
// not an error.
func (s *Store) RedactShop(ctx context.Context, domain string) error {
	domain = normDomain(domain)
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		// The shop's row locked first: an accept of its storefront events
		// under way (which holds the row through its inbox row's foreign
		// key) commits before the deletes read, and a later one fails on
		// the row gone (migration 00051).
		lock := ""
		if s.isPG() {
			lock = " FOR UPDATE"
		}
		var ids []int64
		if err := tx.Raw("SELECT id FROM shops WHERE domain = ?"+lock, domain).Scan(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			for _, table := range []string{"session_events", "sessions", "session_rollups", "alerts", "alert_digests", "anomalies", "data_requests", "store_changes", "settings", "deliveries",
				"visit_tokens", "visit_products", "visits", "storefront_events", "storefront_inbox", "pixel_keys",
				"storefront_rollups", "storefront_product_rollups", "variant_prices", "session_payments", "payment_rollups"} {
				if err := tx.Exec("DELETE FROM "+table+" WHERE shop_id = ?", id).Error; err != nil {
					return fmt.Errorf("deleting %s: %w", table, err)
				}
			}
			if err := tx.Exec("DELETE FROM shops WHERE id = ?", id).Error; err != nil {
				return fmt.Errorf("deleting shop: %w", err)
			}
		}
		return tx.Exec("DELETE FROM deliveries WHERE shop_domain = ?", domain).Error
	})
	if err != nil {
		return fmt.Errorf("store: redacting shop %s: %w", domain, err)
	}
	return nil
}
