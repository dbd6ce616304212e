package alerts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// Reasons recorded on skipped alerts.
const (
	reasonUninstalled = "The shop uninstalled the app."
	reasonDisabled    = "Alerts were turned off."
	reasonRecovered   = "The cart was recovered before the alert went out."
	reasonGone        = "The session no longer exists."
	reasonDigestOff   = "Digests were turned off before this cart's digest went out."
)

// parcel is an immediate alert or a digest as one delivery attempt sees
// it; deliver works both the same way.
type parcel struct {
	kind   store.Parcel
	shopID int64
	status string
	// done names the channels the parcel already reached, so that a retry
	// sends only to the others.
	done []string
	// prepare reads what the message needs, leaving out what is no longer
	// worth sending, and says why the parcel is skipped instead ("" when it
	// goes out).
	prepare func(ctx context.Context) (skip string, err error)
	// message builds the message for shop at now, after prepare.
	message func(shop store.Shop, now time.Time) (Message, error)
	// logSent logs the parcel as sent.
	logSent func(ctx context.Context, shop store.Shop)
	// wanted says whether the shop's settings still want the parcel sent
	// (nil: whether alerts are on).
	wanted func(st store.AlertSettings) bool
}

// DeliverAlert works one delivery attempt of an immediate alert; attempt
// and maxAttempts come from the job. It returns an error to ask for a
// retry; on the last attempt, or for an error no retry can fix, the alert
// is marked failed with the reason.
func (s *Service) DeliverAlert(ctx context.Context, id int64, attempt, maxAttempts int) error {
	return s.deliver(ctx, id, attempt, maxAttempts, s.alertParcel)
}

// DeliverDigest works one delivery attempt of a digest, as DeliverAlert.
// Carts recovered since they were gathered are left out (and skipped).
func (s *Service) DeliverDigest(ctx context.Context, id int64, attempt, maxAttempts int) error {
	return s.deliver(ctx, id, attempt, maxAttempts, s.digestParcel)
}

// deliver works one delivery attempt of the parcel that load reads: a
// parcel that is gone or no longer queued is left alone; one the shop no
// longer wants, or whose carts are all recovered or gone, is finished as
// skipped; otherwise the attempt is recorded, the message sent to every
// channel not yet reached, and the parcel finished as sent, or the failure
// recorded (see failed).
func (s *Service) deliver(ctx context.Context, id int64, attempt, maxAttempts int,
	load func(context.Context, int64) (parcel, error)) error {
	p, err := load(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // erased by a redaction
	}
	if err != nil {
		return err
	}
	if p.status != store.AlertQueued {
		return nil
	}
	shop, st, skip, err := s.deliverable(ctx, p.shopID, p.wanted)
	if err == nil && skip == "" {
		skip, err = p.prepare(ctx)
	}
	if err != nil {
		return err
	}
	if skip != "" {
		return s.finish(ctx, p.kind, id, store.AlertSkipped, skip)
	}
	if _, err := s.cfg.Store.RecordAttempt(ctx, p.kind, id); err != nil {
		return err
	}
	msg, err := p.message(shop, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("alerts: building the message of %s %d: %w", noun(p.kind), id, err)
	}
	chans, err := s.channels(shop, st, s.tune(), msg)
	if err == nil {
		err = s.sendAll(ctx, p.kind, id, p.done, chans, msg)
	}
	if err != nil {
		return s.failed(ctx, p.kind, id, attempt, maxAttempts, err)
	}
	if err := s.finish(ctx, p.kind, id, store.AlertSent, ""); err != nil {
		return err
	}
	p.logSent(ctx, shop)
	return nil
}

// alertParcel loads an immediate alert: its session, unless the cart was
// recovered or the session is gone.
func (s *Service) alertParcel(ctx context.Context, id int64) (parcel, error) {
	a, err := s.cfg.Store.Alert(ctx, id)
	if err != nil {
		return parcel{}, err
	}
	var sess funnel.Session
	return parcel{
		kind: store.ParcelAlert, shopID: a.ShopID, status: a.Status, done: a.ChannelsDone,
		prepare: func(ctx context.Context) (string, error) {
			var err error
			sess, err = s.cfg.Store.SessionByKey(ctx, a.ShopID, a.SessionKey)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return reasonGone, nil
			case err != nil:
				return "", err
			case sess.Completed():
				return reasonRecovered, nil
			}
			return "", nil
		},
		message: func(shop store.Shop, now time.Time) (Message, error) {
			return s.alertMessage(shop, a.Kind, sess, now)
		},
		logSent: func(ctx context.Context, shop store.Shop) {
			s.cfg.Log.InfoContext(ctx, "alert sent", "shop", shop.Domain, "alert", id, "kind", a.Kind)
		},
	}, nil
}

// digestParcel loads a digest: the sessions of its alerts still queued,
// each alert whose cart was recovered or whose session is gone skipped.
func (s *Service) digestParcel(ctx context.Context, id int64) (parcel, error) {
	d, alerts, err := s.cfg.Store.Digest(ctx, id)
	if err != nil {
		return parcel{}, err
	}
	var entries []digestEntry
	return parcel{
		kind: store.ParcelDigest, shopID: d.ShopID, status: d.Status, done: d.ChannelsDone,
		prepare: func(ctx context.Context) (string, error) {
			for _, a := range alerts {
				if a.Status != store.AlertQueued {
					continue
				}
				sess, err := s.cfg.Store.SessionByKey(ctx, a.ShopID, a.SessionKey)
				switch {
				case errors.Is(err, store.ErrNotFound):
					_, err = s.cfg.Store.FinishAlert(ctx, a.ID, store.AlertSkipped, reasonGone)
				case err == nil && sess.Completed():
					_, err = s.cfg.Store.FinishAlert(ctx, a.ID, store.AlertSkipped, reasonRecovered)
				case err == nil:
					entries = append(entries, digestEntry{a, sess})
				}
				if err != nil {
					return "", err
				}
			}
			if len(entries) == 0 {
				return reasonRecovered, nil
			}
			return "", nil
		},
		message: func(shop store.Shop, now time.Time) (Message, error) {
			return s.digestMessage(shop, d, entries, now)
		},
		logSent: func(ctx context.Context, shop store.Shop) {
			s.cfg.Log.InfoContext(ctx, "alert digest sent", "shop", shop.Domain, "digest", id, "carts", len(entries))
		},
	}, nil
}

// noun names what a delivery job delivers, for errors.
func noun(kind store.Parcel) string {
	switch kind {
	case store.ParcelDigest:
		return "digest"
	case store.ParcelAnomaly:
		return "anomaly"
	}
	return "alert"
}

// deliverable loads the shop and its settings, and says why nothing should
// be sent any more ("" when it should): wanted (nil: whether alerts are
// on) decides from the settings.
func (s *Service) deliverable(ctx context.Context, shopID int64, wanted func(store.AlertSettings) bool) (store.Shop, store.AlertSettings, string, error) {
	shop, err := s.cfg.Store.ShopByID(ctx, shopID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Shop{}, store.AlertSettings{}, reasonUninstalled, nil
	}
	if err != nil {
		return store.Shop{}, store.AlertSettings{}, "", err
	}
	if !shop.Installed() {
		return shop, store.AlertSettings{}, reasonUninstalled, nil
	}
	set, err := s.cfg.Store.Settings(ctx, shopID)
	if err != nil {
		return shop, store.AlertSettings{}, "", err
	}
	st := set.AlertSettings()
	if wanted == nil {
		wanted = func(st store.AlertSettings) bool { return st.Enabled }
	}
	if !wanted(st) {
		return shop, st, reasonDisabled, nil
	}
	return shop, st, "", nil
}

// sendAll sends msg to the channels not yet done, recording each success,
// and returns the joined errors of the others.
func (s *Service) sendAll(ctx context.Context, kind store.Parcel, id int64, done []string, chans []channel, msg Message) error {
	var errs []error
	allPermanent := true
	for _, ch := range chans {
		if slices.Contains(done, ch.name) {
			continue
		}
		if err := ch.send(ctx, msg); err != nil {
			errs = append(errs, err)
			allPermanent = allPermanent && isPermanent(err)
			continue
		}
		if err := s.cfg.Store.ChannelDone(ctx, kind, id, ch.name); err != nil {
			return err
		}
	}
	if len(errs) == 0 {
		return nil
	}
	err := errors.Join(errs...)
	if allPermanent {
		return permanent{err}
	}
	return err
}

// finish records the parcel's final status.
func (s *Service) finish(ctx context.Context, kind store.Parcel, id int64, status, msg string) error {
	var err error
	switch kind {
	case store.ParcelDigest:
		_, err = s.cfg.Store.FinishDigest(ctx, id, status, msg)
	case store.ParcelAnomaly:
		_, err = s.cfg.Store.FinishAnomaly(ctx, id, status, msg)
	default:
		_, err = s.cfg.Store.FinishAlert(ctx, id, status, msg)
	}
	return err
}

// failed records a failed attempt; the last one (or one no retry can fix)
// marks the alert or digest failed. The alert keeps the plain message that
// the merchant reads; the detail goes to the log.
func (s *Service) failed(ctx context.Context, kind store.Parcel, id int64, attempt, maxAttempts int, sendErr error) error {
	msg := cut(plainMessage(sendErr), 1000)
	if attempt < maxAttempts && !isPermanent(sendErr) {
		s.cfg.Log.InfoContext(ctx, "alert delivery attempt failed", "parcel", string(kind), "id", id, "attempt", attempt, "error", sendErr.Error())
		if err := s.cfg.Store.NoteError(ctx, kind, id, msg); err != nil {
			return err
		}
		return sendErr
	}
	// Logged before the state is recorded: whoever sees the alert failed
	// finds the detail in the log already.
	s.cfg.Log.WarnContext(ctx, "alert delivery failed for good", "parcel", string(kind), "id", id, "attempts", attempt, "error", sendErr.Error())
	if err := s.finish(ctx, kind, id, store.AlertFailed, msg); err != nil {
		return err
	}
	return river.JobCancel(sendErr)
}
