package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// StoredDelivery is a deliveries row as the table holds it, for tests.
type StoredDelivery = deliveryRow

// DeliveryInsertPaths names the statements that can record a delivery on
// this store's dialect: insertDelivery and sqliteInsertDeliveries (plain
// SQL, on both) and, on PostgreSQL, pgInsertDeliveries.
func (s *Store) DeliveryInsertPaths() []string {
	paths := []string{"insertDelivery", "sqliteInsertDeliveries"}
	if s.isPG() {
		paths = append(paths, "pgInsertDeliveries")
	}
	return paths
}

// RecordDeliveryVia records d for shopID, ingested or not, through the
// named statement, at the store's now, and reports whether it inserted it.
func (s *Store) RecordDeliveryVia(ctx context.Context, path string, shopID int64, d Delivery, ingested bool) (bool, error) {
	item := IngestItem{ShopID: shopID, Delivery: d}
	if ingested {
		item.Event = &funnel.Event{}
	}
	items := []IngestItem{item}
	switch path {
	case "insertDelivery":
		id, err := s.insertDelivery(s.db(ctx), &shopID, d, "", ingested)
		return id != 0, err
	case "sqliteInsertDeliveries":
		var inserted []bool
		err := s.db(ctx).Transaction(func(tx *gorm.DB) (err error) {
			inserted, err = sqliteInsertDeliveries(tx, items, s.nowUTC())
			return err
		})
		if err != nil {
			return false, err
		}
		return inserted[0], nil
	case "pgInsertDeliveries":
		conn, err := s.sqlDB.Conn(ctx)
		if err != nil {
			return false, err
		}
		defer func() { _ = conn.Close() }()
		var inserted []bool
		err = conn.Raw(func(driverConn any) error {
			c := driverConn.(*stdlib.Conn).Conn()
			rows, first, ins := newBatchDeliveries(items, s.nowUTC())
			r, err := c.Query(ctx, pgInsertDeliveries, deliveryArrays(rows)...)
			if err != nil {
				return err
			}
			defer r.Close()
			inserted = ins
			return markInserted(r, first, inserted)
		})
		if err != nil {
			return false, err
		}
		return inserted[0], nil
	}
	return false, fmt.Errorf("no insert path %q", path)
}

// StoredDeliveries returns every deliveries row, in id order.
func (s *Store) StoredDeliveries(ctx context.Context) ([]StoredDelivery, error) {
	var rows []deliveryRow
	err := s.db(ctx).Order("id").Find(&rows).Error
	return rows, err
}
