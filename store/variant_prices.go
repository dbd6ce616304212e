package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// VariantPrice is the price of one product variant as a products/update
// payload gives it, in minor units of the shop's currency.
type VariantPrice struct {
	VariantID int64
	Title     string
	Price     int64
}

// PriceChange is a variant whose price differs from the one seen last:
// Old is that one, Price the new.
type PriceChange struct {
	VariantPrice
	Old int64
}

// RecordPrices keeps the prices of one product's variants as seen in an
// update at time at (the product's updated_at) and, when some differ from
// those seen last, records the change describe makes of them, all in one
// transaction: a failure leaves neither. A variant seen for the first time
// only has its price kept; one last seen in a later update is left as it
// is, so that an update delivered late brings back no old price. The
// change is not recorded when the shop has one of its DedupeKey already;
// added tells whether it was. describe is called only with changes.
func (s *Store) RecordPrices(ctx context.Context, shopID, productID int64, at time.Time,
	prices []VariantPrice, describe func([]PriceChange) Change) (added bool, err error) {
	at = utc(at)
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var changed []PriceChange
		for _, p := range prices {
			var last []struct {
				PriceCents int64
				SeenAt     time.Time
			}
			if err := tx.Raw(`SELECT price_cents, seen_at FROM variant_prices WHERE shop_id = ? AND variant_id = ?`,
				shopID, p.VariantID).Scan(&last).Error; err != nil {
				return fmt.Errorf("reading the price of variant %d: %w", p.VariantID, err)
			}
			switch {
			case len(last) == 0:
				if err := tx.Exec(`INSERT INTO variant_prices (shop_id, variant_id, product_id, price_cents, seen_at)
					VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id, variant_id) DO NOTHING`,
					shopID, p.VariantID, productID, p.Price, at).Error; err != nil {
					return fmt.Errorf("keeping the price of variant %d: %w", p.VariantID, err)
				}
				continue
			case last[0].SeenAt.After(at):
				continue
			}
			if last[0].PriceCents != p.Price {
				changed = append(changed, PriceChange{VariantPrice: p, Old: last[0].PriceCents})
			}
			if err := tx.Exec(`UPDATE variant_prices SET price_cents = ?, seen_at = ?, product_id = ? WHERE shop_id = ? AND variant_id = ?`,
				p.Price, at, productID, shopID, p.VariantID).Error; err != nil {
				return fmt.Errorf("keeping the price of variant %d: %w", p.VariantID, err)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		c := describe(changed)
		c.ShopID, c.At, c.CreatedAt = shopID, utc(c.At), s.nowUTC()
		var err error
		added, err = insertChange(tx, c)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: recording the prices of product %d of shop %d: %w", productID, shopID, err)
	}
	return added, nil
}
