package journeys

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A hole is a place in a payload template that each shopper fills.
type hole int

// The holes, each standing for one JSON value.
const (
	hCart      hole = iota // the cart token
	hCheckout              // the checkout token ("" for an express order)
	hCreated               // the resource's created_at
	hUpdated               // its updated_at (an order's every time)
	hMoney                 // the total and subtotal
	hEmail                 // the contact e-mail, or null before the contact step
	hCustomer              // the customer record, or null
	hAddress               // the shipping and billing address, or null
	hShipping              // the shipping lines: none before the payment step
	hSource                // source_name
	hReferrer              // referring_site
	hLanding               // an order's landing_site
	hRecovery              // abandoned_checkout_url
	hLines                 // line_items
	hOrderID               // the order's id, name, order_number and number,
	hOrderName             // token and checkout_id, and the payment gateway
	hOrderNumber
	hNumber
	hOrderToken
	hCheckoutID
	hGateways
	numHoles
)

// A line item's holes, numbered apart: a line template is filled from
// lineValues, once for each line.
const (
	hLineID hole = iota // the line's id, title, quantity, price and line price
	hTitle
	hQty
	hPrice
	hLinePrice
	numLineHoles
)

// values holds a JSON encoding for every hole of a payload, and the line
// items that fill hLines: each one rendered, linesLen bytes in all as a
// JSON array.
type values struct {
	h        [numHoles][]byte
	lines    [][]byte
	linesLen int
}

// lineValues holds a JSON encoding for every hole of a line item.
type lineValues [numLineHoles][]byte

// template is a payload shape with holes: text[i] comes before holes[i],
// and the last text ends the payload. Rendering one is appending strings:
// no JSON encoding, no scanning.
type template struct {
	text  []string
	holes []hole
	size  int
}

// compile makes a template of shape with the fields of plan set, each to
// a hole or a constant; holes may sit inside a constant map or slice.
func compile(shape map[string]any, plan map[string]any) (*template, error) {
	if holdsNUL(shape) {
		return nil, fmt.Errorf("journeys: a payload shape holds a NUL character, which marks a template's holes")
	}
	m := make(map[string]any, len(shape))
	for k, v := range shape {
		m[k] = v
	}
	for k, v := range plan {
		m[k] = withSentinels(v)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("journeys: encoding a payload shape: %w", err)
	}
	// A hole's sentinel is the JSON string "\u0000<number>\u0000".
	const open, shut = `"\u0000`, `\u0000"`
	t := &template{}
	s := string(b)
	for {
		i := strings.Index(s, open)
		if i < 0 {
			break
		}
		// Only sentinels hold a NUL: j and n are always found.
		j := strings.Index(s[i+len(open):], shut)
		n, _ := strconv.Atoi(s[i+len(open) : i+len(open)+j])
		t.text = append(t.text, s[:i])
		t.holes = append(t.holes, hole(n))
		s = s[i+len(open)+j+len(shut):]
	}
	t.text = append(t.text, s)
	for _, x := range t.text {
		t.size += len(x)
	}
	return t, nil
}

// holdsNUL reports whether a NUL character is in any key or string of v.
func holdsNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case map[string]any:
		for k, e := range x {
			if holdsNUL(k) || holdsNUL(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsNUL(e) {
				return true
			}
		}
	}
	return false
}

// withSentinels returns v with every hole in it replaced by its sentinel.
func withSentinels(v any) any {
	switch x := v.(type) {
	case hole:
		return "\x00" + strconv.Itoa(int(x)) + "\x00"
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = withSentinels(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withSentinels(e)
		}
		return out
	}
	return v
}

// render appends t with its holes filled from v.
func (t *template) render(dst []byte, v *values) []byte {
	for i, h := range t.holes {
		dst = append(dst, t.text[i]...)
		if h == hLines {
			dst = v.renderLines(dst)
			continue
		}
		dst = append(dst, v.h[h]...)
	}
	return append(dst, t.text[len(t.text)-1]...)
}

// sized is render into a new slice just large enough.
func (t *template) sized(v *values) []byte {
	n := t.size
	for _, h := range t.holes {
		if h == hLines {
			n += v.linesLen
		} else {
			n += len(v.h[h])
		}
	}
	return t.render(make([]byte, 0, n), v)
}

// renderLines appends v's line items as a JSON array.
func (v *values) renderLines(dst []byte) []byte {
	dst = append(dst, '[')
	for k, line := range v.lines {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, line...)
	}
	return append(dst, ']')
}

// setLines makes lines, each a rendered line item, v's line items.
func (v *values) setLines(lines [][]byte) {
	v.lines = lines
	v.linesLen = 2 + max(len(lines)-1, 0)
	for _, line := range lines {
		v.linesLen += len(line)
	}
}

// renderLine appends line template t with its holes filled from lv.
func (t *template) renderLine(dst []byte, lv *lineValues) []byte {
	for i, h := range t.holes {
		dst = append(dst, t.text[i]...)
		dst = append(dst, lv[h]...)
	}
	return append(dst, t.text[len(t.text)-1]...)
}

// appendString appends s as encoding/json writes it.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	return append(append(append(dst, '"'), s...), '"')
}
