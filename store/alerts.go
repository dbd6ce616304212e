package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Alert statuses. An alert is queued until it reached every channel (sent),
// ran out of attempts (failed), or was dropped on purpose (skipped: the shop
// was uninstalled, turned alerts off, or the cart was recovered first). A
// held-out alert was never meant to go out: its cart fell in the shop's
// hold-out (AlertSettings.HoldoutPercent), and it is kept so that the
// report can compare held-out carts with alerted ones.
const (
	AlertQueued  = "queued"
	AlertSent    = "sent"
	AlertFailed  = "failed"
	AlertSkipped = "skipped"
	AlertHeldOut = "held_out"
)

// Alert modes: sent on its own at once, or gathered into a digest.
const (
	ModeImmediate = "immediate"
	ModeDigest    = "digest"
)

// Alert is one alert about one session and kind; there is at most one per
// (shop, session, kind).
type Alert struct {
	ID         int64
	ShopID     int64
	SessionKey string
	Kind       funnel.Status
	Mode       string
	Status     string
	Attempts   int
	LastError  string
	Value      int64
	Currency   string
	// ChannelsDone names the channels the alert already reached, so that a
	// retry sends only to the others.
	ChannelsDone []string
	DigestID     *int64
	// HoldoutPercent is the shop's hold-out when the alert was made (0:
	// none); the hold-out report compares only alerts made under one.
	HoldoutPercent int
	CreatedAt      time.Time
	SentAt         *time.Time
}

// alertRow is the alerts table.
type alertRow struct {
	ID             int64
	ShopID         int64
	SessionKey     string
	Kind           string
	Mode           string
	Status         string
	Attempts       int
	LastError      string
	Value          int64
	Currency       string
	ChannelsDone   string
	DigestID       *int64
	HoldoutPercent int
	CreatedAt      time.Time
	SentAt         *time.Time
	UpdatedAt      *time.Time
}

// TableName maps alertRow to its table.
func (alertRow) TableName() string { return "alerts" }

func (r alertRow) toAlert() Alert {
	return Alert{
		ID: r.ID, ShopID: r.ShopID, SessionKey: r.SessionKey, Kind: funnel.Status(r.Kind), Mode: r.Mode,
		Status: r.Status, Attempts: r.Attempts, LastError: r.LastError, Value: r.Value, Currency: r.Currency,
		ChannelsDone: splitList(r.ChannelsDone, "\n"), DigestID: r.DigestID, HoldoutPercent: r.HoldoutPercent,
		CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt),
	}
}

// Digest gathers a shop's digest-mode alerts created before WindowEnd; it
// is unique per (shop, period, window start).
type Digest struct {
	ID           int64
	ShopID       int64
	Period       string
	WindowStart  time.Time
	WindowEnd    time.Time
	Timezone     string
	Status       string
	Attempts     int
	LastError    string
	ChannelsDone []string
	CreatedAt    time.Time
	SentAt       *time.Time
}

// digestRow is the alert_digests table.
type digestRow struct {
	ID           int64
	ShopID       int64
	Period       string
	WindowStart  time.Time
	WindowEnd    time.Time
	Timezone     string
	Status       string
	Attempts     int
	LastError    string
	ChannelsDone string
	CreatedAt    time.Time
	SentAt       *time.Time
}

// TableName maps digestRow to its table.
func (digestRow) TableName() string { return "alert_digests" }

func (r digestRow) toDigest() Digest {
	return Digest{
		ID: r.ID, ShopID: r.ShopID, Period: r.Period, WindowStart: r.WindowStart.UTC(), WindowEnd: r.WindowEnd.UTC(),
		Timezone: r.Timezone, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
		ChannelsDone: splitList(r.ChannelsDone, "\n"), CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt),
	}
}

// InstalledShopIDs returns the ids of the installed shops (Shop.Installed),
// in id order.
func (s *Store) InstalledShopIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db(ctx).Model(&shopRow{}).Where(installedSQL).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: listing installed shops: %w", err)
	}
	return ids, nil
}

// flagChunk is how many sessions one transaction of the abandonment scan
// flags at most: a backlog (after an outage, or a first scan over
// imported history) is worked through in several commits, each keeping its
// progress, instead of one transaction that grows with it.
const flagChunk = 1000

// FlagAndQueueAlerts is the abandonment scan. It flags the shop's sessions
// idle for idle or longer (same rule and statement for every scan, so a
// session is flagged once even with concurrent scans), asks decide whether
// each newly flagged session gets an alert (decide fills SessionKey, Kind,
// Mode, Value and Currency, and Status AlertHeldOut for a held-out cart),
// inserts those alerts as queued or held out (unique per session and kind:
// an existing one is left alone), and calls enqueue with the alerts it
// created, held-out ones included, so that their delivery jobs commit or
// roll back with them. It does so in transactions of at most flagChunk sessions,
// the most recently active first, until none is left. It returns how many
// sessions it flagged and the alerts it created; on an error, the chunks
// committed before it stay.
func (s *Store) FlagAndQueueAlerts(ctx context.Context, shopID int64, now time.Time, idle time.Duration,
	decide func(funnel.Session) (Alert, bool), enqueue InTx[[]Alert],
) (flagged int, created []Alert, err error) {
	for {
		n, c, err := s.flagAndQueueChunk(ctx, shopID, now, idle, decide, enqueue)
		if err != nil {
			return flagged, created, fmt.Errorf("store: flagging and queueing alerts of shop %d: %w", shopID, err)
		}
		flagged, created = flagged+n, append(created, c...)
		if n < flagChunk {
			return flagged, created, nil
		}
	}
}

// flagAndQueueChunk is one transaction of FlagAndQueueAlerts.
func (s *Store) flagAndQueueChunk(ctx context.Context, shopID int64, now time.Time, idle time.Duration,
	decide func(funnel.Session) (Alert, bool), enqueue InTx[[]Alert],
) (flagged int, created []Alert, err error) {
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		sessions, err := s.flagAbandoned(tx, shopID, now, idle, flagChunk)
		if err != nil || len(sessions) == 0 {
			return err
		}
		flagged, created = len(sessions), nil
		for _, sess := range sessions {
			a, ok := decide(sess)
			if !ok {
				continue
			}
			if a.Status != AlertHeldOut {
				a.Status = AlertQueued
			}
			a.ShopID, a.CreatedAt = shopID, utc(now)
			var got []int64
			err := tx.Raw(`INSERT INTO alerts (shop_id, session_key, kind, mode, status, value, currency,
					holdout_percent, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (shop_id, session_key, kind) DO NOTHING
				RETURNING id`,
				shopID, a.SessionKey, string(a.Kind), a.Mode, a.Status, a.Value, a.Currency, a.HoldoutPercent,
				a.CreatedAt, s.nowUTC()).
				Scan(&got).Error
			if err != nil {
				return fmt.Errorf("inserting alert: %w", err)
			}
			if len(got) == 1 {
				a.ID = got[0]
				created = append(created, a)
			}
		}
		if len(created) == 0 {
			return nil
		}
		return enqueue.run(ctx, tx, created)
	})
	if err != nil {
		return 0, nil, err
	}
	return flagged, created, nil
}

// flagAbandoned sets abandoned_at to now, inside tx, on at most limit of
// the shop's sessions that are not completed, reached at least
// added_to_cart, have been idle for idle or longer (the boundary of
// funnel.Session.Status) and were never flagged, the most recently active
// first, and returns them in start order. The UPDATE checks abandoned_at
// again on each row it writes, so concurrent scans flag a session once.
func (s *Store) flagAbandoned(tx *gorm.DB, shopID int64, now time.Time, idle time.Duration, limit int) ([]funnel.Session, error) {
	res, err := tx.Raw(`UPDATE sessions SET abandoned_at = ?, updated_at = ?
		WHERE id IN (SELECT id FROM sessions
				WHERE shop_id = ? AND completed_at IS NULL AND abandoned_at IS NULL
					AND furthest_stage >= ? AND last_activity <= ?
				ORDER BY last_activity DESC LIMIT ?)
			AND abandoned_at IS NULL
		RETURNING `+sessionSelect,
		utc(now), s.nowUTC(), shopID, int(funnel.StageAddedToCart), utc(now.Add(-idle)), limit).Rows()
	if err != nil {
		return nil, err
	}
	defer res.Close()
	rows, err := scanSessions(res)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b sessionRow) int {
		return cmp.Or(a.s.StartedAt.Compare(b.s.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return rowsToSessions(rows), nil
}

// Alert returns the alert with that id; ErrNotFound when there is none
// (it may have been erased by a redaction).
func (s *Store) Alert(ctx context.Context, id int64) (Alert, error) {
	var rows []alertRow
	if err := s.db(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return Alert{}, fmt.Errorf("store: loading alert %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Alert{}, fmt.Errorf("store: alert %d: %w", id, ErrNotFound)
	}
	return rows[0].toAlert(), nil
}

// ListAlerts returns the shop's latest alerts, newest first (at most limit;
// 0 means DefaultListLimit, capped at MaxListLimit).
func (s *Store) ListAlerts(ctx context.Context, shopID int64, limit int) ([]Alert, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	var rows []alertRow
	err := s.db(ctx).Where("shop_id = ?", shopID).Order("created_at DESC, id DESC").
		Limit(min(limit, MaxListLimit)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: listing alerts of shop %d: %w", shopID, err)
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = r.toAlert()
	}
	return out, nil
}

// Parcel names what a delivery job delivers, as the table that holds
// it: an immediate alert, a digest or a step anomaly. The delivery fields
// (attempts, last_error, channels_done) are the same in the three.
type Parcel string

// The parcels.
const (
	ParcelAlert   Parcel = "alerts"
	ParcelDigest  Parcel = "alert_digests"
	ParcelAnomaly Parcel = "anomalies"
)

// table is the parcel's table; an unknown parcel is an error.
func (p Parcel) table() (string, error) {
	switch p {
	case ParcelAlert, ParcelDigest, ParcelAnomaly:
		return string(p), nil
	}
	return "", fmt.Errorf("store: unknown parcel %q", string(p))
}

// RecordAttempt counts one more delivery attempt of the parcel with that
// id, and returns the new count.
func (s *Store) RecordAttempt(ctx context.Context, kind Parcel, id int64) (int, error) {
	table, err := kind.table()
	if err != nil {
		return 0, err
	}
	var n []int
	err = s.db(ctx).Raw("UPDATE "+table+" SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", id).
		Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: recording attempt of %s %d: %w", table, id, err)
	}
	if len(n) == 0 {
		return 0, fmt.Errorf("store: %s %d: %w", table, id, ErrNotFound)
	}
	return n[0], nil
}

// ChannelDone records that a parcel reached channel.
func (s *Store) ChannelDone(ctx context.Context, kind Parcel, id int64, channel string) error {
	if channel == "" || strings.Contains(channel, "\n") {
		return fmt.Errorf("store: bad channel name %q", channel)
	}
	table, err := kind.table()
	if err != nil {
		return err
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var done []string
		if err := tx.Raw("SELECT channels_done FROM "+table+" WHERE id = ?", id).Scan(&done).Error; err != nil {
			return err
		}
		if len(done) == 0 {
			return ErrNotFound
		}
		list := splitList(done[0], "\n")
		if slices.Contains(list, channel) {
			return nil
		}
		return tx.Exec("UPDATE "+table+" SET channels_done = ? WHERE id = ?", strings.Join(append(list, channel), "\n"), id).Error
	})
	if err != nil {
		return fmt.Errorf("store: recording channel of %s %d: %w", table, id, err)
	}
	return nil
}

// NoteError records the latest delivery error of a queued parcel without
// changing its status.
func (s *Store) NoteError(ctx context.Context, kind Parcel, id int64, msg string) error {
	table, err := kind.table()
	if err != nil {
		return err
	}
	if err := s.db(ctx).Exec("UPDATE "+table+" SET last_error = ? WHERE id = ?", msg, id).Error; err != nil {
		return fmt.Errorf("store: noting error of %s %d: %w", table, id, err)
	}
	return nil
}

// FinishAlert moves a queued alert to status (sent, failed or skipped) with
// msg as its last error; a sent alert gets sent_at. An alert no longer
// queued is left alone; finished reports whether this call moved it.
func (s *Store) FinishAlert(ctx context.Context, id int64, status, msg string) (finished bool, err error) {
	now := s.nowUTC()
	var sentAt *time.Time
	if status == AlertSent {
		sentAt = &now
	}
	res := s.db(ctx).Exec(`UPDATE alerts SET status = ?, last_error = ?, sent_at = ?, updated_at = ?
		WHERE id = ? AND status = ?`, status, msg, sentAt, now, id, AlertQueued)
	if res.Error != nil {
		return false, fmt.Errorf("store: finishing alert %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// SkipPendingDigest marks the shop's digest-mode alerts that wait for a
// digest as skipped, with the reason: the shop turned digests off, so no
// digest will ever gather them. It returns how many it skipped.
func (s *Store) SkipPendingDigest(ctx context.Context, shopID int64, reason string) (int64, error) {
	res := s.db(ctx).Exec(`UPDATE alerts SET status = ?, last_error = ?, updated_at = ?
		WHERE shop_id = ? AND mode = ? AND status = ? AND digest_id IS NULL`,
		AlertSkipped, reason, s.nowUTC(), shopID, ModeDigest, AlertQueued)
	if res.Error != nil {
		return 0, fmt.Errorf("store: skipping pending digest alerts of shop %d: %w", shopID, res.Error)
	}
	return res.RowsAffected, nil
}

// GatherDigest makes the shop's digest for one window: when the shop has no
// digest for (period, start) yet and has queued digest-mode alerts created
// before end that belong to no digest, it creates the digest, assigns them
// to it and calls enqueue, all in one transaction. Concurrent callers create
// one digest; an alert joins one digest. It returns the digest and how many
// alerts it gathered (0 and a zero Digest when it made none).
func (s *Store) GatherDigest(ctx context.Context, shopID int64, period, timezone string, start, end time.Time,
	enqueue InTx[Digest],
) (Digest, int, error) {
	var d Digest
	var n int
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		d, n = Digest{}, 0
		const pending = "shop_id = ? AND mode = ? AND status = ? AND digest_id IS NULL AND created_at < ?"
		var waiting int64
		if err := tx.Model(&alertRow{}).Where(pending, shopID, ModeDigest, AlertQueued, utc(end)).Count(&waiting).Error; err != nil {
			return err
		}
		if waiting == 0 {
			return nil
		}
		now := s.nowUTC()
		var ids []int64
		err := tx.Raw(`INSERT INTO alert_digests (shop_id, period, window_start, window_end, timezone, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, period, window_start) DO NOTHING
			RETURNING id`, shopID, period, utc(start), utc(end), timezone, AlertQueued, now).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		res := tx.Exec("UPDATE alerts SET digest_id = ?, updated_at = ? WHERE "+pending,
			ids[0], now, shopID, ModeDigest, AlertQueued, utc(end))
		if res.Error != nil {
			return res.Error
		}
		d = Digest{ID: ids[0], ShopID: shopID, Period: period, WindowStart: utc(start), WindowEnd: utc(end),
			Timezone: timezone, Status: AlertQueued, CreatedAt: now}
		n = int(res.RowsAffected)
		return enqueue.run(ctx, tx, d)
	})
	if err != nil {
		return Digest{}, 0, fmt.Errorf("store: gathering digest of shop %d: %w", shopID, err)
	}
	return d, n, nil
}

// Digest returns the digest with that id and its alerts, largest value
// first; ErrNotFound when there is none.
func (s *Store) Digest(ctx context.Context, id int64) (Digest, []Alert, error) {
	var rows []digestRow
	if err := s.db(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return Digest{}, nil, fmt.Errorf("store: loading digest %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Digest{}, nil, fmt.Errorf("store: digest %d: %w", id, ErrNotFound)
	}
	var ars []alertRow
	err := s.db(ctx).Where("shop_id = ? AND digest_id = ?", rows[0].ShopID, id).
		Order("value DESC, created_at, id").Find(&ars).Error
	if err != nil {
		return Digest{}, nil, fmt.Errorf("store: loading alerts of digest %d: %w", id, err)
	}
	alerts := make([]Alert, len(ars))
	for i, r := range ars {
		alerts[i] = r.toAlert()
	}
	return rows[0].toDigest(), alerts, nil
}

// FinishDigest moves a queued digest and its queued alerts to status with
// msg as last error; sent ones get sent_at, and the alerts take the
// digest's attempt count. A digest no longer queued is left alone.
func (s *Store) FinishDigest(ctx context.Context, id int64, status, msg string) (finished bool, err error) {
	now := s.nowUTC()
	var sentAt *time.Time
	if status == AlertSent {
		sentAt = &now
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var attempts []int
		err := tx.Raw(`UPDATE alert_digests SET status = ?, last_error = ?, sent_at = ?
			WHERE id = ? AND status = ? RETURNING attempts`, status, msg, sentAt, id, AlertQueued).Scan(&attempts).Error
		if err != nil || len(attempts) == 0 {
			return err
		}
		finished = true
		return tx.Exec(`UPDATE alerts SET status = ?, last_error = ?, sent_at = ?, attempts = ?, updated_at = ?
			WHERE digest_id = ? AND status = ?`, status, msg, sentAt, attempts[0], now, id, AlertQueued).Error
	})
	if err != nil {
		return false, fmt.Errorf("store: finishing digest %d: %w", id, err)
	}
	return finished, nil
}
