package alerts

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// ScanShop runs detection for one shop at the service's clock: it flags
// the sessions idle past the shop's threshold, queues their alerts with
// their delivery jobs in the same transaction (a cart in the shop's
// hold-out gets a held-out alert and no job), and gathers the digest of
// the last finished window. Uninstalled shops are skipped.
func (s *Service) ScanShop(ctx context.Context, shopID int64) error {
	shop, err := s.cfg.Store.ShopByID(ctx, shopID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !shop.Installed() {
		return nil
	}
	set, err := s.cfg.Store.Settings(ctx, shopID)
	if err != nil {
		return err
	}
	st := set.AlertSettings()
	jobs, err := s.client()
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	idle := IdleThreshold(set, s.cfg.DefaultIdle)
	decide := func(sess funnel.Session) (store.Alert, bool) {
		kind := funnel.StatusForStage(sess.Furthest())
		if now.Sub(sess.LastActivity) > idle+s.cfg.StaleAfter {
			return store.Alert{}, false
		}
		alert, immediate := st.Alerts(kind, sess.Value)
		if !alert || (!st.HasChannel() && !s.cfg.Demo) {
			return store.Alert{}, false
		}
		mode := store.ModeDigest
		if immediate {
			mode = store.ModeImmediate
		}
		a := store.Alert{SessionKey: sess.Key, Kind: kind, Mode: mode, Value: sess.Value, Currency: sess.Currency,
			HoldoutPercent: st.HoldoutPercent}
		if funnel.HeldOut(sess.Key, st.HoldoutPercent) {
			a.Status = store.AlertHeldOut
		}
		return a, true
	}
	maxAttempts := s.tune().MaxAttempts
	enqueue := func(ctx context.Context, tx *sql.Tx, created []store.Alert) error {
		var params []river.InsertManyParams
		for _, a := range created {
			if a.Mode == store.ModeImmediate && a.Status != store.AlertHeldOut {
				params = append(params, river.InsertManyParams{Args: DeliverArgs{AlertID: a.ID}, InsertOpts: &river.InsertOpts{MaxAttempts: maxAttempts}})
			}
		}
		if len(params) == 0 {
			return nil
		}
		_, err := jobs.InsertManyTx(ctx, tx, params)
		return err
	}
	flagged, created, err := s.cfg.Store.FlagAndQueueAlerts(ctx, shopID, now, idle, decide, enqueue)
	if err != nil {
		return err
	}
	if flagged > 0 {
		held := 0
		for _, a := range created {
			if a.Status == store.AlertHeldOut {
				held++
			}
		}
		s.cfg.Log.InfoContext(ctx, "abandoned sessions flagged", "shop", shop.Domain, "flagged", flagged,
			"alerts", len(created)-held, "held_out", held)
	}

	if st.Digest != store.DigestHourly && st.Digest != store.DigestDaily {
		// Alerts queued for a digest before digests were turned off would
		// otherwise wait forever.
		n, err := s.cfg.Store.SkipPendingDigest(ctx, shopID, reasonDigestOff)
		if n > 0 {
			s.cfg.Log.InfoContext(ctx, "digest alerts skipped", "shop", shop.Domain, "alerts", n)
		}
		return err
	}
	loc := set.Location(shop)
	start, end := Window(now, st.Digest, loc)
	d, n, err := s.cfg.Store.GatherDigest(ctx, shopID, st.Digest, loc.String(), start, end,
		func(ctx context.Context, tx *sql.Tx, d store.Digest) error {
			_, err := jobs.InsertTx(ctx, tx, DigestArgs{DigestID: d.ID}, &river.InsertOpts{MaxAttempts: maxAttempts})
			return err
		})
	if err != nil {
		return err
	}
	if n > 0 {
		s.cfg.Log.InfoContext(ctx, "alert digest gathered", "shop", shop.Domain, "digest", d.ID, "alerts", n)
	}
	return nil
}

// Window returns the last finished digest window at now in loc: the hour
// or the calendar day before the current one. A day is the shop's day as
// the reports count it (funnel.DayRange), so that where a daylight-saving
// change skips midnight the day still begins on its own date.
func Window(now time.Time, period string, loc *time.Location) (start, end time.Time) {
	t := now.In(loc)
	if period == store.DigestDaily {
		y, m, d := t.Date()
		yesterday := time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
		day := funnel.NewDayRange(yesterday, yesterday, loc)
		return day.Start(), day.End()
	}
	end = t.Truncate(time.Minute).Add(-time.Duration(t.Minute()) * time.Minute)
	return end.Add(-time.Hour), end
}
