package store

import (
	"fmt"

	"gorm.io/gorm"
)

// eraseJoinedVisits deletes, for customers/redact, the storefront data of
// the customer behind the session sc (while it still holds the details it
// was matched on): every visit and raw event of the storefront clients
// (browsers) whose visits carried the session's cart or checkout token. It
// returns how many visits went.
func eraseJoinedVisits(tx *gorm.DB, shopID int64, sc sessionContact) (int64, error) {
	var clients []string
	err := tx.Raw(`SELECT DISTINCT v.client_id FROM visit_tokens vt
		JOIN visits v ON v.id = vt.visit_id AND v.shop_id = vt.shop_id
		JOIN sessions s ON s.shop_id = vt.shop_id AND vt.token IN (s.cart_token, s.checkout_token)
		WHERE vt.shop_id = ? AND s.session_key = ? AND s.email = ? AND s.phone = ?`,
		shopID, sc.key, sc.email, sc.phone).Scan(&clients).Error
	if err != nil {
		return 0, fmt.Errorf("finding the visits joined to a session: %w", err)
	}
	if len(clients) == 0 {
		return 0, nil
	}
	// The rollups lose the visits' counts (as the ingest counted them).
	var gone []visitRow
	if err := tx.Where("shop_id = ? AND client_id IN ?", shopID, clients).Select("id, summary, completed_by_order").Find(&gone).Error; err != nil {
		return 0, fmt.Errorf("loading joined visits: %w", err)
	}
	d := newStorefrontDeltas()
	for _, r := range gone {
		v, err := r.visit()
		if err != nil {
			return 0, err
		}
		d.add(shopID, countedVisit(v, r.CompletedByOrder), -1)
	}
	if err := d.apply(tx); err != nil {
		return 0, err
	}
	for _, q := range []string{
		`DELETE FROM visit_tokens WHERE shop_id = ? AND visit_id IN (SELECT id FROM visits WHERE shop_id = ? AND client_id IN ?)`,
		`DELETE FROM visit_products WHERE shop_id = ? AND visit_id IN (SELECT id FROM visits WHERE shop_id = ? AND client_id IN ?)`,
	} {
		if err := tx.Exec(q, shopID, shopID, clients).Error; err != nil {
			return 0, fmt.Errorf("deleting joined visits: %w", err)
		}
	}
	if err := tx.Exec(`DELETE FROM storefront_events WHERE shop_id = ? AND client_id IN ?`, shopID, clients).Error; err != nil {
		return 0, fmt.Errorf("deleting joined storefront events: %w", err)
	}
	res := tx.Exec(`DELETE FROM visits WHERE shop_id = ? AND client_id IN ?`, shopID, clients)
	if res.Error != nil {
		return 0, fmt.Errorf("deleting joined visits: %w", res.Error)
	}
	return res.RowsAffected, nil
}
