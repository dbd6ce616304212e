package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/funnelscope/funnelscope/store"
)

// permanent marks a delivery error that no retry can fix.
type permanent struct{ error }

// Unwrap returns the delivery error that was marked permanent.
func (p permanent) Unwrap() error { return p.error }

func isPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// channel is one destination of a message.
type channel struct {
	name string
	send func(ctx context.Context, msg Message) error
}

// channels lists where the shop's alerts go now, msg's Flow triggers
// among them.
func (s *Service) channels(shop store.Shop, st store.AlertSettings, t Tuning, msg Message) ([]channel, error) {
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
	if st.FlowEnabled {
		switch {
		case s.cfg.Flow != nil:
			out = append(out, s.flowChannels(shop, msg, t.SendTimeout)...)
		case s.cfg.Demo:
			out = append(out, s.logChannel(shop, "flow"))
		}
	}
	if len(out) == 0 && s.cfg.Demo {
		out = append(out, s.logChannel(shop, "log"))
	}
	if len(out) == 0 {
		if len(st.Emails) > 0 {
			return nil, permanent{fail("E-mail is not set up on this server and no chat webhook is set.",
				errors.New("SMTP_URL is not set and no chat webhook is set"))}
		}
		return nil, permanent{fail("No e-mail address, chat webhook or Shopify Flow is set.", errors.New("no channel set"))}
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

// mailer sends alert e-mail over SMTP_URL.
type mailer struct {
	host string
	opts []mail.Option
	from string
}

// newMailer reads an smtp:// (STARTTLS when offered) or smtps:// (implicit
// TLS, mandatory) URL with optional user:password.
func newMailer(rawURL, from string) (*mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("alerts: SMTP_URL must look like smtp://user:password@host:587")
	}
	port := 587
	var opts []mail.Option
	switch u.Scheme {
	case "smtp":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("alerts: SMTP_URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("alerts: SMTP_URL has a bad port")
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pw, _ := u.User.Password()
		// PLAIN: go-mail refuses to send it over a connection without TLS
		// except to localhost.
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	if from == "" {
		return nil, fmt.Errorf("alerts: ALERT_FROM is needed to send alert e-mail")
	}
	return &mailer{host: u.Hostname(), opts: opts, from: from}, nil
}

// send mails msg to one address, as multipart/alternative plain text and
// HTML; the UTF-8 subject is RFC 2047-encoded by go-mail.
func (m *mailer) send(ctx context.Context, to string, msg Message, timeout time.Duration) error {
	em := mail.NewMsg()
	if err := em.From(m.from); err != nil {
		return permanent{fail("The app's sender address is not valid.", fmt.Errorf("sender address: %w", err))}
	}
	if err := em.To(to); err != nil {
		return permanent{fail("The e-mail address "+to+" is not valid; correct it in Settings.", fmt.Errorf("recipient address: %w", err))}
	}
	em.Subject(msg.Subject)
	em.SetDate()
	em.SetMessageID()
	em.SetBodyString(mail.TypeTextPlain, msg.Text)
	em.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	c, err := mail.NewClient(m.host, append(m.opts[:len(m.opts):len(m.opts)], mail.WithTimeout(timeout))...)
	if err != nil {
		return fail("E-mail is not set up correctly on this server.", fmt.Errorf("mail client: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, em); err != nil {
		return mailFailure(to, fmt.Errorf("sending e-mail to %s: %w", to, err), timeout)
	}
	return nil
}

// postChat POSTs the message's JSON to a chat webhook; any 2xx answer is
// success.
func postChat(ctx context.Context, client *http.Client, target string, msg Message, timeout time.Duration) error {
	body, err := json.Marshal(msg.Chat)
	if err != nil {
		return permanent{fail("The chat message could not be written.", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return permanent{fail("The chat webhook's address is not a valid URL; correct it in Settings.", errors.New("chat webhook: bad URL"))}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Funnelscope-Alerts/1")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a secret token: keep it out of errors
		}
		return chatFailure(fmt.Errorf("chat webhook: %w", err), timeout)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusFailure(resp.StatusCode)
	}
	return nil
}

// publicOnlyClient is the default client for chat webhooks: it refuses to
// connect to loopback, private, link-local and other non-public addresses,
// so that a webhook URL cannot reach into the app's own network.
func publicOnlyClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || !publicAddr(ip) {
				return &notPublicError{addr: host}
			}
			return nil
		},
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// publicAddr reports whether ip is an ordinary public unicast address: not
// loopback, private, link-local, multicast or unspecified, nor in the
// shared, benchmarking, IETF or NAT64 ranges, through which a webhook URL
// could still reach a cloud's metadata service or an internal network.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"} {
		if netip.MustParsePrefix(p).Contains(ip) {
			return false
		}
	}
	return true
}
