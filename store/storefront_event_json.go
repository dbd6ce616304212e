package store

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// appendEventJSON appends e's JSON, the bytes jsonv1.Marshal gives
// (funnel.StorefrontEvent's tags: its fields in order, the optional ones
// omitted when empty), at a fraction of its cost: each accepted event is
// encoded once for its raw row, and reflection was most of that
// (TestEventJSONIsJSONv1s holds the two to the same bytes).
func appendEventJSON(b []byte, e funnel.StorefrontEvent) ([]byte, error) {
	if y := e.At.Year(); y < 0 || y > 9999 {
		// Out of RFC 3339's range: jsonv1.Marshal's error, not a guess.
		_, err := jsonv1.Marshal(e)
		return b, err
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"client_id":`...)
	b = appendJSONString(b, e.ClientID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, e.Name)
	b = append(b, `,"at":"`...)
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendOptionalString(b, `,"host":`, e.Host)
	b = appendOptionalString(b, `,"path":`, e.Path)
	b = appendOptionalString(b, `,"query":`, e.Query)
	b = appendOptionalString(b, `,"referrer_host":`, e.ReferrerHost)
	b = appendOptionalString(b, `,"user_agent":`, e.UserAgent)
	b = appendOptionalInt(b, `,"inner_width":`, int64(e.InnerWidth))
	b = appendOptionalString(b, `,"product_id":`, e.ProductID)
	b = appendOptionalString(b, `,"product_title":`, e.ProductTitle)
	b = appendOptionalInt(b, `,"quantity":`, int64(e.Quantity))
	b = appendOptionalInt(b, `,"value":`, e.Value)
	b = appendOptionalString(b, `,"currency":`, e.Currency)
	b = appendOptionalString(b, `,"checkout_token":`, e.CheckoutToken)
	b = appendOptionalString(b, `,"cart_token":`, e.CartToken)
	b = appendOptionalInt(b, `,"scroll_percent":`, int64(e.ScrollPercent))
	b = appendOptionalString(b, `,"gateway":`, e.Gateway)
	b = appendOptionalString(b, `,"payment_method":`, e.PaymentMethod)
	b = appendOptionalString(b, `,"alert_type":`, e.AlertType)
	return append(b, '}'), nil
}

func appendOptionalString(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, name...), s)
}

func appendOptionalInt(b []byte, name string, n int64) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, name...), n, 10)
}

// appendJSONString appends s quoted. A string of printable ASCII with
// nothing to escape (ids, paths, user agents: nearly all) is copied as it
// is; any other goes through jsonv1, whose escapes (HTML's characters,
// U+2028, invalid UTF-8) it then has exactly.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := jsonv1.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// decodeEventJSON decodes an event's JSON into e as jsonv1.Unmarshal does.
// What appendEventJSON writes for a string needing no escape (nearly
// every event) it reads itself, field by field; anything else — an
// escape, a field it does not know, a space — it hands to jsonv1.
func decodeEventJSON(s string, e *funnel.StorefrontEvent) error {
	if strings.IndexByte(s, '\\') >= 0 || !decodeEventFast(s, e) {
		*e = funnel.StorefrontEvent{}
		return jsonv1.Unmarshal([]byte(s), e)
	}
	return nil
}

// decodeEventFast reads s, an object of appendEventJSON's shape with no
// escape in it, into e, or reports false.
func decodeEventFast(s string, e *funnel.StorefrontEvent) bool {
	*e = funnel.StorefrontEvent{}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return false
	}
	rest := s[1 : len(s)-1]
	for len(rest) > 0 {
		if rest[0] != '"' {
			return false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 || len(rest) < end+3 || rest[end+2] != ':' {
			return false
		}
		name := rest[1 : end+1]
		rest = rest[end+3:]
		var value string
		if len(rest) > 0 && rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return false
			}
			value, rest = rest[1:end+1], rest[end+2:]
			if !plainJSONString(value) || !decodeEventString(e, name, value) {
				return false
			}
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			n, err := strconv.ParseInt(rest[:end], 10, 64)
			if err != nil || strconv.FormatInt(n, 10) != rest[:end] || !decodeEventInt(e, name, n) {
				return false
			}
			rest = rest[end:]
		}
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return false
			}
			rest = rest[1:]
		}
	}
	return true
}

// plainJSONString reports whether v, a JSON string's text without its
// quotes and with no backslash, is one jsonv1 reads as it is: no control
// character, valid UTF-8.
func plainJSONString(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 {
			return false
		}
		if v[i] >= utf8.RuneSelf {
			return utf8.ValidString(v[i:])
		}
	}
	return true
}

// decodeEventString sets e's field called name to v, a time only in the
// form appendEventJSON writes (RFC 3339's corners are jsonv1's to judge).
func decodeEventString(e *funnel.StorefrontEvent, name, v string) bool {
	var f *string
	switch name {
	case "at":
		t, err := time.Parse(time.RFC3339Nano, v)
		e.At = t
		return err == nil && t.Format(time.RFC3339Nano) == v
	case "id":
		f = &e.ID
	case "client_id":
		f = &e.ClientID
	case "name":
		f = &e.Name
	case "host":
		f = &e.Host
	case "path":
		f = &e.Path
	case "query":
		f = &e.Query
	case "referrer_host":
		f = &e.ReferrerHost
	case "user_agent":
		f = &e.UserAgent
	case "product_id":
		f = &e.ProductID
	case "product_title":
		f = &e.ProductTitle
	case "currency":
		f = &e.Currency
	case "checkout_token":
		f = &e.CheckoutToken
	case "cart_token":
		f = &e.CartToken
	case "gateway":
		f = &e.Gateway
	case "payment_method":
		f = &e.PaymentMethod
	case "alert_type":
		f = &e.AlertType
	default:
		return false
	}
	*f = v
	return true
}

func decodeEventInt(e *funnel.StorefrontEvent, name string, n int64) bool {
	switch name {
	case "inner_width":
		e.InnerWidth = int(n)
	case "quantity":
		e.Quantity = int(n)
	case "value":
		e.Value = n
	case "scroll_percent":
		e.ScrollPercent = int(n)
	default:
		return false
	}
	return true
}
