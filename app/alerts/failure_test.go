package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// refusingLogin is an SMTP session that offers AUTH PLAIN and refuses every
// login.
type refusingLogin struct{}

func (refusingLogin) Reset()                               {}
func (refusingLogin) Logout() error                        { return nil }
func (refusingLogin) Mail(string, *smtp.MailOptions) error { return nil }
func (refusingLogin) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (refusingLogin) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (refusingLogin) AuthMechanisms() []string             { return []string{sasl.Plain} }
func (refusingLogin) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(string, string, string) error { return smtp.ErrAuthFailed }), nil
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// TestFailuresInPlainWords sends to real servers on loopback that fail in
// each way a merchant (or the app's operator) can fix, and checks the plain
// message, which names no address, and that the detail is kept for the log.
func TestFailuresInPlainWords(t *testing.T) {
	ctx := context.Background()
	msg := Message{Subject: "s", Text: "t", HTML: "<p>h</p>", Chat: map[string]any{"text": "t"}}

	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return refusingLogin{}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(stop) }) // runs first: Close waits for the handler
	selfSigned := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	selfSigned.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	selfSigned.StartTLS()
	t.Cleanup(selfSigned.Close)
	verifying := &http.Client{Transport: &http.Transport{}}

	for _, tc := range []struct {
		name string
		send func() error
		want string
	}{
		{"login refused", func() error {
			m, err := newMailer("smtp://alerts:wrong@"+l.Addr().String(), "alerts@example.com")
			if err != nil {
				t.Fatal(err)
			}
			return m.send(ctx, "owner@example.com", msg, 2*time.Second)
		}, "The mail server refused the app's login (authentication failed)."},
		{"mail server unreachable", func() error {
			m, err := newMailer("smtp://"+closedAddr(t), "alerts@example.com")
			if err != nil {
				t.Fatal(err)
			}
			return m.send(ctx, "owner@example.com", msg, 2*time.Second)
		}, "The mail server refused the connection."},
		{"bad recipient address", func() error {
			m, _ := newMailer("smtp://"+closedAddr(t), "alerts@example.com")
			return m.send(ctx, "not an address", msg, 2*time.Second)
		}, "The e-mail address not an address is not valid; correct it in Settings."},
		{"chat connection refused", func() error {
			return postChat(ctx, verifying, "http://"+closedAddr(t)+"/hook", msg, 2*time.Second)
		}, "The chat webhook refused the connection."},
		{"chat certificate", func() error {
			return postChat(ctx, verifying, selfSigned.URL+"/hook", msg, 2*time.Second)
		}, "The chat webhook's TLS certificate is not valid."},
		{"chat timeout", func() error {
			return postChat(ctx, verifying, hang.URL+"/hook", msg, 200*time.Millisecond)
		}, "The chat webhook gave no answer within 0.2 s."},
		{"chat loopback by name", func() error {
			return postChat(ctx, publicOnlyClient(), "http://localhost:9/hook", msg, 2*time.Second)
		}, "Refused: the chat webhook is not on a public address."},
	} {
		err := tc.send()
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if got := plainMessage(err); got != tc.want {
			t.Errorf("%s: plain %q, want %q (detail: %v)", tc.name, got, tc.want, err)
		}
		if strings.Contains(plainMessage(err), "127.0.0.1") || err.Error() == plainMessage(err) {
			t.Errorf("%s: the plain message shows the detail, or the detail is lost: %v", tc.name, err)
		}
	}
}

func TestPlainMessageOfSeveralChannels(t *testing.T) {
	err := permanent{errors.Join(
		fail("The chat webhook answered 500 Internal Server Error.", errors.New("chat webhook answered 500")),
		errors.New("something unforeseen at 10.0.0.1"),
	)}
	want := "The chat webhook answered 500 Internal Server Error. The alert could not be sent."
	if got := plainMessage(err); got != want {
		t.Errorf("plainMessage = %q, want %q", got, want)
	}
}

// TestFlowFailure: a shop to authorize again and a refused trigger are
// not retried; a passing failure is, and the merchant reads none of
// Shopify's words.
func TestFlowFailure(t *testing.T) {
	for _, c := range []struct {
		err       error
		permanent bool
		plain     string
	}{
		{fmt.Errorf("%w: x", ErrFlowReauthorize), true, "open Funnelscope from your Shopify admin"},
		{fmt.Errorf("%w: Invalid handle", ErrFlowRefused), true, "Shopify Flow did not accept the trigger"},
		{fmt.Errorf("shopify: 503: %w", context.DeadlineExceeded), false, "Shopify gave no answer within 15 s."},
		{errors.New("shopify: 502 Bad Gateway"), false, "Shopify could not start your Flow workflows this time."},
	} {
		err := flowFailure(c.err, 15*time.Second)
		if isPermanent(err) != c.permanent || !strings.Contains(plainMessage(err), c.plain) || strings.Contains(plainMessage(err), "Invalid handle") {
			t.Errorf("flowFailure(%v): permanent %v, plain %q", c.err, isPermanent(err), plainMessage(err))
		}
	}
}
