package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DataRequest is a customers/data_request and what the app held about the
// customer when it arrived. Report is JSON: the customer's funnel sessions.
type DataRequest struct {
	ID         int64
	ShopID     int64
	RequestID  int64
	CustomerID int64
	Email      string
	Phone      string
	Sessions   int
	Report     json.RawMessage
	ReceivedAt time.Time
}

// SaveDataRequest records a data request with its report. A redelivery of
// the same request (same shop and request id) changes nothing.
func (s *Store) SaveDataRequest(ctx context.Context, d DataRequest) error {
	err := s.db(ctx).Exec(`INSERT INTO data_requests
		(shop_id, request_id, customer_id, email, phone, sessions, report, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, request_id) DO NOTHING`,
		d.ShopID, d.RequestID, d.CustomerID, d.Email, d.Phone, d.Sessions, string(d.Report), s.nowUTC()).Error
	if err != nil {
		return fmt.Errorf("store: saving data request of shop %d: %w", d.ShopID, err)
	}
	return nil
}

// DataRequests returns the shop's data requests, newest first.
func (s *Store) DataRequests(ctx context.Context, shopID int64, limit int) ([]DataRequest, error) {
	rows, err := s.db(ctx).Raw(`SELECT id, shop_id, request_id, customer_id, email, phone, sessions, report, received_at
		FROM data_requests WHERE shop_id = ? ORDER BY received_at DESC, id DESC LIMIT ?`, shopID, limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: listing data requests of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	var out []DataRequest
	for rows.Next() {
		var d DataRequest
		var report []byte
		if err := rows.Scan(&d.ID, &d.ShopID, &d.RequestID, &d.CustomerID, &d.Email, &d.Phone, &d.Sessions, &report, &d.ReceivedAt); err != nil {
			return nil, fmt.Errorf("store: listing data requests of shop %d: %w", shopID, err)
		}
		d.Report, d.ReceivedAt = json.RawMessage(report), d.ReceivedAt.UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing data requests of shop %d: %w", shopID, err)
	}
	return out, nil
}
