package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// customerMatch scopes q to the shop's sessions of the customer with that
// email (compared case-insensitively) or phone (exactly). An empty email or
// phone matches nothing, so an empty request never matches every session.
func customerMatch(q *gorm.DB, shopID int64, email, phone string) (*gorm.DB, bool) {
	cond, args := "", []any{}
	if email != "" {
		cond, args = "lower(email) = lower(?)", append(args, email)
	}
	if phone != "" {
		if cond != "" {
			cond += " OR "
		}
		cond, args = cond+"phone = ?", append(args, phone)
	}
	if cond == "" {
		return q, false
	}
	return q.Where("shop_id = ?", shopID).Where("("+cond+")", args...), true
}

// CustomerData returns the shop's sessions of the customer with that email
// or phone, for a customers/data_request.
func (s *Store) CustomerData(ctx context.Context, shopID int64, email, phone string) ([]funnel.Session, error) {
	q, ok := customerMatch(s.db(ctx), shopID, email, phone)
	if !ok {
		return nil, nil
	}
	var rows []sessionRow
	if err := q.Order("started_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: loading customer data of shop %d: %w", shopID, err)
	}
	return rowsToSessions(rows), nil
}

// RedactCustomer erases a customer of the shop (customers/redact): it
// blanks the personal fields (email, phone, recovery URL, landing and
// referring site, which may carry them in query strings) of the matching
// sessions, deletes their alerts, and drops the kept payload of every delivery of the shop whose
// raw bytes contain the email or phone, ignoring case. It returns how many
// sessions it redacted.
func (s *Store) RedactCustomer(ctx context.Context, shopID int64, email, phone string) (int64, error) {
	var n int64
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		q, ok := customerMatch(tx.Model(&sessionRow{}), shopID, email, phone)
		if !ok {
			return nil
		}
		// The customer's alerts go first, while their sessions still match.
		keys, _ := customerMatch(tx.Model(&sessionRow{}).Select("session_key"), shopID, email, phone)
		if err := tx.Where("shop_id = ? AND session_key IN (?)", shopID, keys).Delete(&alertRow{}).Error; err != nil {
			return fmt.Errorf("deleting alerts: %w", err)
		}
		err := tx.Exec("DELETE FROM data_requests WHERE shop_id = ? AND ((? <> '' AND lower(email) = lower(?)) OR (? <> '' AND phone = ?))",
			shopID, email, email, phone, phone).Error
		if err != nil {
			return fmt.Errorf("deleting data requests: %w", err)
		}
		q, _ = customerMatch(tx.Model(&sessionRow{}), shopID, email, phone)
		res := q.Updates(map[string]any{
			"email": "", "phone": "", "recovery_url": "", "landing_site": "", "referring_site": "",
			"updated_at": s.nowUTC(),
		})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		// Kept payloads that name the customer, compared case-insensitively
		// on the raw bytes, go too: the shop's, and those kept under its
		// domain without a shop (after an uninstall).
		contains := "instr(lower(CAST(payload AS TEXT)), lower(?)) > 0"
		if s.isPG() {
			contains = "position(lower(?) IN lower(encode(payload, 'escape'))) > 0"
		}
		for _, needle := range []string{email, phone} {
			if needle == "" {
				continue
			}
			err := tx.Exec(`UPDATE deliveries SET payload = NULL
				WHERE (shop_id = ? OR (shop_id IS NULL AND shop_domain = (SELECT domain FROM shops WHERE id = ?)))
					AND payload IS NOT NULL AND `+contains, shopID, shopID, needle).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: redacting customer of shop %d: %w", shopID, err)
	}
	return n, nil
}

// RedactShop deletes everything stored about the shop with that domain
// (shop/redact): sessions and their rollups, alerts and digests, data
// requests, settings, deliveries (also those kept
// under its domain without a shop id) and the shop row. An unknown shop is
// not an error.
func (s *Store) RedactShop(ctx context.Context, domain string) error {
	domain = normDomain(domain)
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Model(&shopRow{}).Where("domain = ?", domain).Pluck("id", &ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			for _, table := range []string{"sessions", "session_rollups", "alerts", "alert_digests", "data_requests", "settings", "deliveries"} {
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
