// Package alerts detects abandoned sessions and alerts merchants about them
// by e-mail, chat webhook and Shopify Flow, as River background jobs: a periodic scan
// flags idle sessions and queues one alert per session and kind in the same
// transaction, and delivery jobs send them with retries. An hourly scan
// raises step anomalies the same way, at most one per step and day. It
// depends on store and funnel, never on echo.
//
// Its files: service.go wires the service, jobs.go its River jobs, scan.go
// the detection, anomaly_scan.go the step anomaly scan, deliver.go the
// delivery of alerts, digests and anomalies (anomaly_deliver.go the
// anomalies' messages), channels.go
// where they go (e-mail, chat, the log), flow.go the Shopify Flow triggers
// and their payloads, content.go their texts, failure.go the failures in the
// merchant's words, settings.go the shop's settings and their limits.
package alerts

import (
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

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
	// Flow fires the Shopify Flow triggers of shops that turned the Flow
	// channel on; nil leaves Flow out (demo mode logs instead).
	Flow FlowSender
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
