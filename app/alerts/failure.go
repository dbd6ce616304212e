package alerts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	mail "github.com/wneessen/go-mail"
)

// failure is a failed delivery to one channel. The merchant reads plain
// (Settings → Recent alerts), which says what went wrong in words they can
// act on; the log gets err, the whole detail — resolver addresses,
// name-to-address mappings, the server's own words — which the merchant is
// never shown.
type failure struct {
	plain string
	err   error
}

// Error is the detail, for the log.
func (f *failure) Error() string { return f.err.Error() }

// Unwrap returns the detail.
func (f *failure) Unwrap() error { return f.err }

func fail(plain string, err error) error { return &failure{plain: plain, err: err} }

// plainMessage is what the merchant is shown of a failed delivery: each
// failed channel's plain message in turn.
func plainMessage(err error) string {
	var parts []string
	var walk func(error)
	walk = func(err error) {
		if f, ok := err.(*failure); ok {
			parts = append(parts, f.plain)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
			return
		case interface{ Unwrap() error }:
			if inner := u.Unwrap(); inner != nil {
				walk(inner)
				return
			}
		}
		parts = append(parts, "The alert could not be sent.")
	}
	walk(err)
	return strings.Join(parts, " ")
}

// notPublicError is the chat client's refusal to connect to an address
// that is not public.
type notPublicError struct{ addr string }

func (e *notPublicError) Error() string {
	return "refusing to connect to non-public address " + e.addr
}

// reachFailure says in plain words why the connection to what ("the chat
// webhook", "the mail server") failed, or "" when err is no connection
// failure.
func reachFailure(what string, err error, timeout time.Duration) string {
	it := strings.ToUpper(what[:1]) + what[1:]
	var notPublic *notPublicError
	var dns *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &notPublic):
		return "Refused: " + what + " is not on a public address."
	case errors.As(err, &dns) && dns.IsNotFound:
		return it + "'s address did not resolve."
	case errors.As(err, &dns):
		return it + "'s address could not be looked up."
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return it + " gave no answer within " + seconds(timeout) + "."
	case errors.Is(err, syscall.ECONNREFUSED):
		return it + " refused the connection."
	case badCertificate(err):
		return it + "'s TLS certificate is not valid."
	case errors.As(err, new(tls.RecordHeaderError)), errors.As(err, new(tls.AlertError)):
		return it + " did not complete a TLS handshake."
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return it + " closed the connection without answering."
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return it + "'s address could not be reached."
	}
	return ""
}

func badCertificate(err error) bool {
	var verify *tls.CertificateVerificationError
	var host x509.HostnameError
	var authority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &host) || errors.As(err, &authority) || errors.As(err, &invalid)
}

// seconds writes a timeout as the merchant reads it: "15 s", "0.4 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// chatFailure is the failure of a POST to the chat webhook that got no
// answer.
func chatFailure(err error, timeout time.Duration) error {
	plain := reachFailure("the chat webhook", err, timeout)
	if plain == "" {
		plain = "The chat webhook could not be reached."
	}
	var notPublic *notPublicError
	if errors.As(err, &notPublic) {
		return permanent{fail(plain, err)}
	}
	return fail(plain, err)
}

// statusFailure is the failure of a chat webhook that answered with a
// status other than 2xx. Answers that say the webhook is gone or refuses
// the app are not retried. The status text is Go's, not the server's.
func statusFailure(code int) error {
	plain := "The chat webhook answered " + strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code)))
	detail := fmt.Errorf("chat webhook answered %d", code)
	switch code {
	case http.StatusNotFound, http.StatusGone:
		return permanent{fail(plain+": the webhook may have been removed; make a new one and paste its address in Settings.", detail)}
	case http.StatusUnauthorized, http.StatusForbidden:
		return permanent{fail(plain+": the chat service refused the message; check that the webhook is still enabled.", detail)}
	case http.StatusBadRequest:
		return permanent{fail(plain+": the chat service did not accept the message.", detail)}
	}
	return fail(plain+".", detail)
}

// mailFailure is the failure of sending an e-mail to to.
func mailFailure(to string, err error, timeout time.Duration) error {
	var send *mail.SendError
	if errors.As(err, &send) {
		code := ""
		if c := send.ErrorCode(); c != 0 {
			code = " (SMTP " + strings.TrimSpace(fmt.Sprintf("%d %s", c, send.EnhancedStatusCode())) + ")"
		}
		switch {
		case send.Reason == mail.ErrSMTPRcptTo && send.IsTemp():
			return fail(fmt.Sprintf("The mail server asked to try the e-mail to %s again later%s.", to, code), err)
		case send.Reason == mail.ErrSMTPRcptTo:
			return fail(fmt.Sprintf("The mail server refused the recipient %s%s; check the address in Settings.", to, code), err)
		case send.Reason == mail.ErrSMTPMailFrom:
			return fail(fmt.Sprintf("The mail server refused the app's sender address%s.", code), err)
		case send.Reason == mail.ErrSMTPData || send.Reason == mail.ErrSMTPDataClose || send.Reason == mail.ErrWriteContent:
			return fail(fmt.Sprintf("The mail server refused the e-mail to %s%s.", to, code), err)
		}
		return fail(fmt.Sprintf("The mail server failed while sending to %s%s.", to, code), err)
	}
	// go-mail wraps a refused login only in words.
	if strings.Contains(err.Error(), "SMTP AUTH failed") || errors.Is(err, mail.ErrPlainAuthNotSupported) ||
		errors.Is(err, mail.ErrLoginAuthNotSupported) || errors.Is(err, mail.ErrNoSupportedAuthDiscovered) {
		return fail("The mail server refused the app's login (authentication failed).", err)
	}
	if plain := reachFailure("the mail server", err, timeout); plain != "" {
		return fail(plain, err)
	}
	return fail("The e-mail to "+to+" could not be sent.", err)
}

// flowFailure is the failure of a Flow trigger: a shop that must authorize
// the app again, or a trigger Shopify refused, is not retried; anything
// else (Shopify unreachable, 5xx, throttled past the client's own retries)
// is.
func flowFailure(err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, ErrFlowReauthorize):
		return permanent{fail("Shopify no longer accepts Funnelscope's access to your store: open Funnelscope from your Shopify admin to renew it.", err)}
	case errors.Is(err, ErrFlowRefused):
		return permanent{fail("Shopify Flow did not accept the trigger: check that Shopify Flow is installed and that the app's Flow triggers are deployed.", err)}
	}
	if plain := reachFailure("Shopify", err, timeout); plain != "" {
		return fail(plain, err)
	}
	return fail("Shopify could not start your Flow workflows this time.", err)
}
