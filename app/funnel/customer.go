package funnel

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Customer names one shopper as Shopify's privacy requests do
// (customers/redact, customers/data_request): by Shopify's customer id,
// e-mail and phone, any of which may be missing.
type Customer struct {
	ID    int64
	Email string
	Phone string
}

// CustomerMatcher decides whether stored contact details or a kept payload
// name one customer. It is the one rule for every privacy request: e-mails
// are equal when they are equal after Unicode canonical normalisation and
// case folding (EmailKey), phones when their digits are (PhoneKey), and a
// payload names the customer when one of its e-mail or phone fields, its
// customer's id, or a text mentioning the e-mail does. Build it with
// Customer.Matcher; the zero value matches nothing.
type CustomerMatcher struct {
	id, gid string // the decimal customer id and its GraphQL gid; "" when unknown
	email   string // EmailKey of the e-mail
	phone   string // PhoneKey of the phone
}

// Matcher returns the matcher of c. Its laws: it matches nothing when c
// names nothing (Empty), and Contact(e, p) holds exactly when EmailKey(e)
// or PhoneKey(p) is c's and not empty.
func (c Customer) Matcher() CustomerMatcher {
	m := CustomerMatcher{email: EmailKey(c.Email), phone: PhoneKey(c.Phone)}
	if c.ID > 0 {
		m.id = strconv.FormatInt(c.ID, 10)
		m.gid = "gid://shopify/Customer/" + m.id
	}
	return m
}

// Empty reports whether the matcher names no customer, so that a request
// with neither id, e-mail nor phone never matches everybody.
func (m CustomerMatcher) Empty() bool { return m.id == "" && m.email == "" && m.phone == "" }

// Contact reports whether an e-mail and phone stored together (a funnel
// session's) belong to the customer.
func (m CustomerMatcher) Contact(email, phone string) bool {
	return (m.email != "" && EmailKey(email) == m.email) || (m.phone != "" && PhoneKey(phone) == m.phone)
}

// Record reports whether a record holding a customer id (0 when none), an
// e-mail and a phone (a data request's) belongs to the customer.
func (m CustomerMatcher) Record(id int64, email, phone string) bool {
	return (m.id != "" && id > 0 && strconv.FormatInt(id, 10) == m.id) || m.Contact(email, phone)
}

// EmailKey is the form in which e-mails are compared: trimmed, Unicode
// canonically decomposed (so "é" composed and "e" + combining accent are
// one), case-folded, and decomposed again, as Unicode's canonical caseless
// match prescribes.
func EmailKey(s string) string {
	s = strings.TrimSpace(s)
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return norm.NFD.String(cases.Fold().String(norm.NFD.String(s)))
}

// PhoneKey is the form in which phones are compared: their ASCII digits
// only, so "+1 (555) 010-0000" and "15550100000" are one.
func PhoneKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isEmailField and isPhoneField name the payload fields that hold an e-mail
// or a phone wherever they appear: email, contact_email, customer_email;
// phone, sms_marketing_phone.
func isEmailField(key string) bool { return key == "email" || strings.HasSuffix(key, "_email") }
func isPhoneField(key string) bool { return key == "phone" || strings.HasSuffix(key, "_phone") }

// isCustomerIDField names the fields that hold a customer id: the id of a
// "customer" object (and its GraphQL id), and customer_id anywhere.
func isCustomerIDField(container, key string) bool {
	return key == "customer_id" || (container == "customer" && (key == "id" || key == "admin_graphql_api_id"))
}

// jsonFrame is one open object or array of a payload being walked.
type jsonFrame struct {
	object bool
	// name is the key this container is the value of (an array's elements
	// inherit it); "" at the top.
	name string
	// key is, in an object, the key whose value comes next; wantKey says
	// the next string is a key.
	key     string
	wantKey bool
}

// Payload reports whether a kept webhook body names the customer, reading
// its JSON rather than its bytes, so that an e-mail written with escapes
// ("jane\u0040example.com") or in another Unicode form or case is found.
// The body is read token by token, never held as a tree. A body that is not
// JSON (or stops being JSON) is also searched as text for the e-mail and
// the phone.
func (m CustomerMatcher) Payload(body []byte) bool {
	if m.Empty() {
		return false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var stack []jsonFrame
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			// io.EOF after whole values: nothing matched. Anything else is
			// malformed; the text may still name the customer.
			return (!errors.Is(err, io.EOF) || len(stack) > 0) && m.text(body)
		}
		kind := tok.Kind()
		n := len(stack)
		if n > 0 && stack[n-1].object && stack[n-1].wantKey && kind == '"' {
			stack[n-1].key, stack[n-1].wantKey = tok.String(), false
			continue
		}
		if kind == '}' || kind == ']' {
			stack = valueDone(stack[:n-1])
			continue
		}
		container, key := "", ""
		if n > 0 {
			if top := stack[n-1]; top.object {
				container, key = top.name, top.key
			} else {
				key = top.name
			}
		}
		if kind == '{' || kind == '[' {
			stack = append(stack, jsonFrame{object: kind == '{', name: key, wantKey: true})
			continue
		}
		if m.value(container, key, kind, tok.String()) {
			return true
		}
		stack = valueDone(stack)
	}
}

// valueDone notes that the value of the innermost object's current key has
// been read, so that the next string is a key again.
func valueDone(stack []jsonFrame) []jsonFrame {
	if n := len(stack); n > 0 && stack[n-1].object {
		stack[n-1].wantKey = true
	}
	return stack
}

// value reports whether one scalar of a payload (of that kind and text), the value of key inside
// the container named container, names the customer.
func (m CustomerMatcher) value(container, key string, kind jsontext.Kind, v string) bool {
	switch kind {
	case '"':
		if m.email != "" && isEmailField(key) && EmailKey(v) == m.email {
			return true
		}
		if m.phone != "" && isPhoneField(key) && PhoneKey(v) == m.phone {
			return true
		}
		if m.id != "" && isCustomerIDField(container, key) && (v == m.id || v == m.gid) {
			return true
		}
		return m.mentionsEmail(v)
	case '0':
		return m.id != "" && isCustomerIDField(container, key) && v == m.id
	}
	return false
}

// mentionsEmail reports whether a text (a note, a landing URL with the
// e-mail in its query) holds the customer's e-mail as a whole address.
func (m CustomerMatcher) mentionsEmail(s string) bool {
	if m.email == "" {
		return false
	}
	if strings.Contains(s, "@") && containsAddress(EmailKey(s), m.email) {
		return true
	}
	if strings.Contains(s, "%40") {
		u, err := url.PathUnescape(s)
		if err != nil {
			u = strings.ReplaceAll(s, "%40", "@")
		}
		return containsAddress(EmailKey(u), m.email)
	}
	return false
}

// text searches a body that is not JSON: for the e-mail as a whole address
// (JSON's escaped "@" unescaped) and for the phone as a run of phone
// characters with the same digits.
func (m CustomerMatcher) text(body []byte) bool {
	s := strings.ReplaceAll(string(body), `\u0040`, "@")
	if m.mentionsEmail(s) {
		return true
	}
	if m.phone == "" {
		return false
	}
	start := -1
	for i, r := range s + "\x00" {
		inRun := (r >= '0' && r <= '9') || strings.ContainsRune(" +()-./", r)
		if inRun && start < 0 {
			start = i
		}
		if !inRun && start >= 0 {
			if PhoneKey(s[start:i]) == m.phone {
				return true
			}
			start = -1
		}
	}
	return false
}

// containsAddress reports whether hay holds addr with no address character
// right before or after it, so that "ann@example.co" is not found in
// "ann@example.com" nor "ann@example.com" in "joann@example.com"; a
// sentence's full stop after the address is not part of it.
func containsAddress(hay, addr string) bool {
	for from := 0; ; {
		i := strings.Index(hay[from:], addr)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(hay[:i])
		rest := hay[i+len(addr):]
		after, size := utf8.DecodeRuneInString(rest)
		if after == '.' {
			after, _ = utf8.DecodeRuneInString(rest[size:])
		}
		if (i == 0 || !addressRune(before) && !strings.ContainsRune("._%+-'", before)) &&
			(rest == "" || !addressRune(after) && after != '-' && after != '_') {
			return true
		}
		from = i + 1
	}
}

func addressRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
