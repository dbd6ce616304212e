// Package alerts detects abandoned sessions and alerts merchants about them
// by e-mail and chat webhook, as River background jobs: a periodic scan
// flags idle sessions and queues one alert per session and kind in the same
// transaction, and delivery jobs send them with retries. It depends on store
// and funnel, never on echo.
package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// Defaults of Config and Tuning.
const (
	DefaultMaxAttempts = 5
	DefaultStaleAfter  = 24 * time.Hour
	defaultSendTimeout = 15 * time.Second
)

// Config wires the service.
type Config struct {
	Store *store.Store
	Log   *slog.Logger
	Now   func() time.Time
	// AppURL and APIKey build the links to the embedded page.
	AppURL string
	APIKey string
	// DefaultIdle is the idle threshold of shops that set none.
	DefaultIdle time.Duration
	// SMTPURL and From configure e-mail; empty SMTPURL turns e-mail off
	// (demo mode then logs the alerts instead).
	SMTPURL string
	From    string
	Demo    bool
	// StaleAfter: a session flagged more than this past its threshold (a
	// backlog, e.g. right after install) is flagged without an alert.
	StaleAfter time.Duration
}

// Tuning holds what tests shorten; it may change while jobs run.
type Tuning struct {
	// Backoff is the wait before retry number attempt (1-based); nil means
	// River-like exponential backoff (attempt⁴ seconds, at least 5 s).
	Backoff func(attempt int) time.Duration
	// SendTimeout bounds one SMTP conversation or chat POST.
	SendTimeout time.Duration
	// HTTPClient posts to chat webhooks; nil refuses non-public addresses.
	HTTPClient *http.Client
	// MaxAttempts of a delivery job.
	MaxAttempts int
}

// Service runs detection and delivery.
type Service struct {
	cfg    Config
	mailer *mailer
	tuning atomic.Pointer[Tuning]
	chat   *http.Client
	jobs   atomic.Pointer[river.Client[*sql.Tx]]
}

// New builds the service; an SMTP URL that cannot be used is an error.
func New(cfg Config) (*Service, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	s := &Service{cfg: cfg, chat: publicOnlyClient()}
	if cfg.SMTPURL != "" {
		m, err := newMailer(cfg.SMTPURL, cfg.From)
		if err != nil {
			return nil, err
		}
		s.mailer = m
	}
	s.tuning.Store(&Tuning{})
	return s, nil
}

// Tune replaces the tuning.
func (s *Service) Tune(t Tuning) { s.tuning.Store(&t) }

func (s *Service) tune() Tuning {
	t := *s.tuning.Load()
	if t.SendTimeout <= 0 {
		t.SendTimeout = defaultSendTimeout
	}
	if t.HTTPClient == nil {
		t.HTTPClient = s.chat
	}
	if t.MaxAttempts <= 0 {
		t.MaxAttempts = DefaultMaxAttempts
	}
	return t
}

// Attach gives the service the River client it enqueues with.
func (s *Service) Attach(c *river.Client[*sql.Tx]) { s.jobs.Store(c) }

func (s *Service) client() (*river.Client[*sql.Tx], error) {
	c := s.jobs.Load()
	if c == nil {
		return nil, errors.New("alerts: no job client attached")
	}
	return c, nil
}

// idle is the shop's threshold.
func (s *Service) idle(st store.Settings) time.Duration {
	if st.AbandonAfter > 0 {
		return st.AbandonAfter
	}
	return s.cfg.DefaultIdle
}

// ScanShop runs detection for one shop at the service's clock: it flags
// the sessions idle past the shop's threshold, queues their alerts with
// their delivery jobs in the same transaction, and gathers the digest of
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
	idle := s.idle(set)
	decide := func(sess funnel.Session) (store.Alert, bool) {
		kind := funnel.StatusForStage(sess.Furthest())
		if now.Sub(sess.LastActivity) > idle+s.cfg.StaleAfter {
			return store.Alert{}, false
		}
		alert, immediate := st.Alerts(kind, sess.Value)
		if !alert || (len(st.Emails) == 0 && st.ChatWebhookURL == "" && !s.cfg.Demo) {
			return store.Alert{}, false
		}
		mode := store.ModeDigest
		if immediate {
			mode = store.ModeImmediate
		}
		return store.Alert{SessionKey: sess.Key, Kind: kind, Mode: mode, Value: sess.Value, Currency: sess.Currency}, true
	}
	maxAttempts := s.tune().MaxAttempts
	enqueue := func(ctx context.Context, tx *sql.Tx, created []store.Alert) error {
		var params []river.InsertManyParams
		for _, a := range created {
			if a.Mode == store.ModeImmediate {
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
		s.cfg.Log.InfoContext(ctx, "abandoned sessions flagged", "shop", shop.Domain, "flagged", flagged, "alerts", len(created))
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
// or the calendar day before the current one.
func Window(now time.Time, period string, loc *time.Location) (start, end time.Time) {
	t := now.In(loc)
	y, m, d := t.Date()
	if period == store.DigestDaily {
		end = time.Date(y, m, d, 0, 0, 0, 0, loc)
		return time.Date(y, m, d-1, 0, 0, 0, 0, loc), end
	}
	end = t.Truncate(time.Minute).Add(-time.Duration(t.Minute()) * time.Minute)
	return end.Add(-time.Hour), end
}

// channel is one destination of a message.
type channel struct {
	name string
	send func(ctx context.Context, msg Message) error
}

// channels lists where the shop's alerts go now.
func (s *Service) channels(shop store.Shop, st store.AlertSettings, t Tuning) ([]channel, error) {
	var out []channel
	for _, addr := range st.Emails {
		switch {
		case s.mailer != nil:
			out = append(out, channel{"email:" + strings.ToLower(addr), func(ctx context.Context, msg Message) error {
				return s.mailer.send(ctx, addr, msg, t.SendTimeout)
			}})
		case s.cfg.Demo:
			out = append(out, s.logChannel(shop, "email:"+strings.ToLower(addr)))
		}
	}
	if u := st.ChatWebhookURL; u != "" {
		out = append(out, channel{"chat:" + u, func(ctx context.Context, msg Message) error {
			return postChat(ctx, t.HTTPClient, u, msg, t.SendTimeout)
		}})
	}
	if len(out) == 0 && s.cfg.Demo {
		out = append(out, s.logChannel(shop, "log"))
	}
	if len(out) == 0 {
		if len(st.Emails) > 0 {
			return nil, permanent{fail("E-mail is not set up on this server and no chat webhook is set.",
				errors.New("SMTP_URL is not set and no chat webhook is set"))}
		}
		return nil, permanent{fail("No e-mail address or chat webhook is set.", errors.New("no channel set"))}
	}
	return out, nil
}

// logChannel "delivers" to the log: demo mode without SMTP_URL.
func (s *Service) logChannel(shop store.Shop, name string) channel {
	return channel{"log:" + name, func(ctx context.Context, msg Message) error {
		s.cfg.Log.InfoContext(ctx, "alert (log-only delivery)", "shop", shop.Domain, "to", name,
			"subject", msg.Subject, "text", msg.Text)
		return nil
	}}
}

// sendAll sends msg to the channels not yet done, recording each success,
// and returns the joined errors of the others.
func (s *Service) sendAll(ctx context.Context, digest bool, id int64, done []string, chans []channel, msg Message) error {
	var errs []error
	allPermanent := true
	for _, ch := range chans {
		if containsString(done, ch.name) {
			continue
		}
		if err := ch.send(ctx, msg); err != nil {
			errs = append(errs, err)
			allPermanent = allPermanent && isPermanent(err)
			continue
		}
		if err := s.cfg.Store.ChannelDone(ctx, digest, id, ch.name); err != nil {
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

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Reasons recorded on skipped alerts.
const (
	reasonUninstalled = "The shop uninstalled the app."
	reasonDisabled    = "Alerts were turned off."
	reasonRecovered   = "The cart was recovered before the alert went out."
	reasonGone        = "The session no longer exists."
	reasonDigestOff   = "Digests were turned off before this cart's digest went out."
)

// DeliverAlert works one delivery attempt of an immediate alert; attempt
// and maxAttempts come from the job. It returns an error to ask for a
// retry; on the last attempt, or for an error no retry can fix, the alert
// is marked failed with the reason.
func (s *Service) DeliverAlert(ctx context.Context, id int64, attempt, maxAttempts int) error {
	a, err := s.cfg.Store.Alert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // erased by a redaction
	}
	if err != nil {
		return err
	}
	if a.Status != store.AlertQueued {
		return nil
	}
	shop, st, skip, err := s.deliverable(ctx, a.ShopID)
	if err != nil {
		return err
	}
	if skip != "" {
		_, err := s.cfg.Store.FinishAlert(ctx, id, store.AlertSkipped, skip)
		return err
	}
	sess, err := s.cfg.Store.SessionByKey(ctx, a.ShopID, a.SessionKey)
	if errors.Is(err, store.ErrNotFound) {
		_, err = s.cfg.Store.FinishAlert(ctx, id, store.AlertSkipped, reasonGone)
		return err
	}
	if err != nil {
		return err
	}
	if sess.Completed() {
		_, err := s.cfg.Store.FinishAlert(ctx, id, store.AlertSkipped, reasonRecovered)
		return err
	}
	if _, err := s.cfg.Store.RecordAttempt(ctx, false, id); err != nil {
		return err
	}
	t := s.tune()
	msg, err := s.alertMessage(shop, a.Kind, sess, s.cfg.Now())
	if err != nil {
		return err
	}
	chans, err := s.channels(shop, st, t)
	if err == nil {
		err = s.sendAll(ctx, false, id, a.ChannelsDone, chans, msg)
	}
	if err == nil {
		_, err := s.cfg.Store.FinishAlert(ctx, id, store.AlertSent, "")
		if err == nil {
			s.cfg.Log.InfoContext(ctx, "alert sent", "shop", shop.Domain, "alert", id, "kind", a.Kind)
		}
		return err
	}
	return s.failed(ctx, false, id, attempt, maxAttempts, err)
}

// failed records a failed attempt; the last one (or one no retry can fix)
// marks the alert or digest failed. The alert keeps the plain message that
// the merchant reads; the detail goes to the log.
func (s *Service) failed(ctx context.Context, digest bool, id int64, attempt, maxAttempts int, sendErr error) error {
	msg := cut(plainMessage(sendErr), 1000)
	if attempt < maxAttempts && !isPermanent(sendErr) {
		s.cfg.Log.InfoContext(ctx, "alert delivery attempt failed", "digest", digest, "id", id, "attempt", attempt, "error", sendErr.Error())
		if err := s.cfg.Store.NoteError(ctx, digest, id, msg); err != nil {
			return err
		}
		return sendErr
	}
	var err error
	if digest {
		_, err = s.cfg.Store.FinishDigest(ctx, id, store.AlertFailed, msg)
	} else {
		_, err = s.cfg.Store.FinishAlert(ctx, id, store.AlertFailed, msg)
	}
	if err != nil {
		return err
	}
	s.cfg.Log.WarnContext(ctx, "alert delivery failed for good", "digest", digest, "id", id, "attempts", attempt, "error", sendErr.Error())
	return river.JobCancel(sendErr)
}

// deliverable loads the shop and its settings, and says why nothing should
// be sent any more ("" when it should).
func (s *Service) deliverable(ctx context.Context, shopID int64) (store.Shop, store.AlertSettings, string, error) {
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
	if !st.Enabled {
		return shop, st, reasonDisabled, nil
	}
	return shop, st, "", nil
}

// DeliverDigest works one delivery attempt of a digest, as DeliverAlert.
// Carts recovered since they were gathered are left out (and skipped).
func (s *Service) DeliverDigest(ctx context.Context, id int64, attempt, maxAttempts int) error {
	d, alerts, err := s.cfg.Store.Digest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.Status != store.AlertQueued {
		return nil
	}
	shop, st, skip, err := s.deliverable(ctx, d.ShopID)
	if err != nil {
		return err
	}
	if skip != "" {
		_, err := s.cfg.Store.FinishDigest(ctx, id, store.AlertSkipped, skip)
		return err
	}
	var entries []digestEntry
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
			return err
		}
	}
	if len(entries) == 0 {
		_, err := s.cfg.Store.FinishDigest(ctx, id, store.AlertSkipped, reasonRecovered)
		return err
	}
	if _, err := s.cfg.Store.RecordAttempt(ctx, true, id); err != nil {
		return err
	}
	t := s.tune()
	msg, err := s.digestMessage(shop, d, entries, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("alerts: building digest %d: %w", id, err)
	}
	chans, err := s.channels(shop, st, t)
	if err == nil {
		err = s.sendAll(ctx, true, id, d.ChannelsDone, chans, msg)
	}
	if err == nil {
		_, err := s.cfg.Store.FinishDigest(ctx, id, store.AlertSent, "")
		if err == nil {
			s.cfg.Log.InfoContext(ctx, "alert digest sent", "shop", shop.Domain, "digest", id, "carts", len(entries))
		}
		return err
	}
	return s.failed(ctx, true, id, attempt, maxAttempts, err)
}
