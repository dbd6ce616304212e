package app_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

const alertFrom = "alerts@funnelscope.test"

// smtpServer is a real SMTP server on loopback (emersion/go-smtp) that
// keeps what it receives and can refuse recipients.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	msgs []mailMsg
	// attempts counts MAIL FROM commands: one per delivery attempt.
	attempts int
	// refuse, when set, answers RCPT TO with this error.
	refuse *smtp.SMTPError
}

type mailMsg struct {
	from string
	to   []string
	data []byte
}

type smtpSession struct {
	srv  *smtpServer
	from string
	to   []string
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.srv.mu.Lock()
	s.srv.attempts++
	s.srv.mu.Unlock()
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	refuse := s.srv.refuse
	s.srv.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, mailMsg{from: s.from, to: s.to, data: b})
	s.srv.mu.Unlock()
	return nil
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ss := &smtpServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: ss}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ss.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ss
}

func (s *smtpServer) url() string { return "smtp://" + s.addr }

func (s *smtpServer) messages() []mailMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailMsg(nil), s.msgs...)
}

func (s *smtpServer) attemptCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

func (s *smtpServer) setRefuse(e *smtp.SMTPError) {
	s.mu.Lock()
	s.refuse = e
	s.mu.Unlock()
}

// parsedMail is a received alert e-mail, decoded.
type parsedMail struct {
	to         []string
	rawSubject string
	subject    string
	text, html string
}

// parseMail decodes a multipart/alternative message, failing the test on
// anything else.
func parseMail(t *testing.T, m mailMsg) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatalf("reading mail: %v", err)
	}
	out := parsedMail{to: m.to, rawSubject: msg.Header.Get("Subject")}
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(out.rawSubject); err != nil {
		t.Fatalf("subject %q: %v", out.rawSubject, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("mail part: %v", err)
		}
		var r io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("decoding part: %v", err)
		}
		ct, ctParams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if !strings.EqualFold(ctParams["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, ctParams["charset"])
		}
		switch ct {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	if out.text == "" || out.html == "" {
		t.Fatalf("mail lacks a plain or HTML part: %q", m.data)
	}
	return out
}

// chatReceiver is a real HTTPS receiver on loopback for chat webhooks.
type chatReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	// bodies are the requests answered 2xx; hits counts all of them.
	bodies [][]byte
	hits   int
	// answer decides the status of hit n (1-based); a negative status
	// means hang until the client gives up.
	answer func(n int) int
}

func newChatReceiver(t *testing.T) *chatReceiver {
	t.Helper()
	c := &chatReceiver{answer: func(int) int { return http.StatusOK }}
	c.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.hits++
		status := c.answer(c.hits)
		if status >= 200 && status < 300 {
			if r.Header.Get("Content-Type") != "application/json" {
				status = http.StatusUnsupportedMediaType
			} else {
				c.bodies = append(c.bodies, b)
			}
		}
		c.mu.Unlock()
		if status < 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			// Drop the connection: returning would answer an implicit 200.
			panic(http.ErrAbortHandler)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *chatReceiver) setAnswer(f func(n int) int) {
	c.mu.Lock()
	c.answer = f
	c.mu.Unlock()
}

func (c *chatReceiver) received() ([][]byte, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.bodies...), c.hits
}

// alertRig is the app with a real SMTP server and chat receiver.
type alertRig struct {
	*harness
	smtp *smtpServer
	chat *chatReceiver
}

// rigSendTimeout bounds one SMTP conversation or chat POST of the alert
// rig: far above what a send to loopback takes even on a busy machine under
// the race detector, so that no working send times out and is retried. A
// test of the timeout itself sets a short one (tuneSendTimeout).
const rigSendTimeout = 5 * time.Second

// newAlertRig starts the app on st with SMTP_URL pointing at a loopback
// SMTP server and short retries (3 attempts).
func newAlertRig(t *testing.T, st *store.Store, mutate ...func(*app.Config)) *alertRig {
	t.Helper()
	return newAlertRigOn(t, st, newSMTPServer(t), newChatReceiver(t), mutate...)
}

// newAlertRigOn is newAlertRig with given servers, for several instances.
func newAlertRigOn(t *testing.T, st *store.Store, ss *smtpServer, chat *chatReceiver, mutate ...func(*app.Config)) *alertRig {
	t.Helper()
	r := &alertRig{smtp: ss, chat: chat}
	mutate = append([]func(*app.Config){func(c *app.Config) {
		c.SMTPURL, c.AlertFrom = r.smtp.url(), alertFrom
	}}, mutate...)
	r.harness = newHarness(t, st, mutate...)
	r.tuneSendTimeout(rigSendTimeout)
	return r
}

// tuneSendTimeout sets the rig's retries (3 attempts, 20 ms apart) with
// send timeout d.
func (r *alertRig) tuneSendTimeout(d time.Duration) {
	r.app.TuneAlertsForTest(alerts.Tuning{
		Backoff:     func(int) time.Duration { return 20 * time.Millisecond },
		SendTimeout: d,
		HTTPClient:  r.chat.srv.Client(),
		MaxAttempts: 3,
	})
}

// putSettings saves settings for shop and fails the test unless 200.
func (h *harness) putSettings(shop string, s map[string]any) {
	h.t.Helper()
	resp, body := h.api(http.MethodPut, "/api/settings", shop, s)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("PUT /api/settings: %d %s", resp.StatusCode, body)
	}
}

// alertItem is one entry of GET /api/alerts.
type alertItem struct {
	SessionKey string     `json:"session_key"`
	Kind       string     `json:"kind"`
	Mode       string     `json:"mode"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
	Value      string     `json:"value"`
	Currency   string     `json:"currency"`
	// KindLabel and ValueDisplay are the server's texts for the page.
	KindLabel    string `json:"kind_label"`
	ValueDisplay string `json:"value_display"`
}

func (h *harness) alerts(shop string) []alertItem {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/alerts", shop, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET /api/alerts: %d %s", resp.StatusCode, body)
	}
	var out struct{ Alerts []alertItem }
	if err := json.Unmarshal(body, &out); err != nil {
		h.t.Fatalf("GET /api/alerts: %v: %s", err, body)
	}
	return out.Alerts
}

// waitAlerts waits until shop has n alerts, none of them queued.
func (h *harness) waitAlerts(shop string, n int) []alertItem {
	h.t.Helper()
	var list []alertItem
	testkit.Eventually(h.t, fmt.Sprintf("%d finished alerts", n), func() bool {
		list = h.alerts(shop)
		if len(list) != n {
			return false
		}
		for _, a := range list {
			if a.Status == store.AlertQueued {
				return false
			}
		}
		return true
	})
	return list
}

// deliverAll posts deliveries for shop and fails on any non-200.
func (h *harness) deliverAll(shop string, ds []delivery) {
	h.t.Helper()
	for _, d := range ds {
		if resp, body := h.webhook(d.topic, shop, shop+"-"+d.id, d.body); resp.StatusCode != http.StatusOK {
			h.t.Fatalf("webhook %s: %d %s", d.topic, resp.StatusCode, body)
		}
	}
}

// cartWith is one carts/create delivery with a single line of that title
// and price, last active at at.
func cartWith(t *testing.T, token, title string, at time.Time, cents int64) delivery {
	t.Helper()
	c := loadPayload(t, "carts_create.json")
	item := c.lineItems()[0].(map[string]any)
	item["title"] = title
	item["quantity"] = 1
	item["line_price"] = fmt.Sprintf("%d.%02d", cents/100, cents%100)
	stamp := at.UTC().Format(time.RFC3339)
	p := c.with(t, map[string]any{"id": token, "token": token, "created_at": stamp, "updated_at": stamp})
	return delivery{topic: "carts/create", id: token + "-create", body: p.bytes(t)}
}
