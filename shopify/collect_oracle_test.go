package shopify

// The former decoder of /collect bodies (generic jsonv2 decoding of the
// top object, then of the events, then of each envelope and part: each
// byte decoded three to four times), kept only as the oracle of
// FuzzParseCollectBatchDifferential: ParseCollectBatch must accept and
// refuse exactly what it did, and read the same events.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

func oracleParseCollectBatch(body []byte) (CollectBatch, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return CollectBatch{}, badBatch("body is not a JSON object")
	}
	var top map[string]jsontext.Value
	if err := jsonv2.Unmarshal(trimmed, &top, jsontext.AllowInvalidUTF8(true)); err != nil {
		return CollectBatch{}, fmt.Errorf("%w: %w", ErrBadBatch, err)
	}
	var unknown []string
	for k := range top {
		if k != "shop" && k != "key" && k != "events" {
			unknown = append(unknown, strconv.Quote(truncateForError(k)))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return CollectBatch{}, badBatch("unknown key " + strings.Join(unknown, ", ") + " (a batch has only shop, key and events)")
	}
	var b CollectBatch
	var err error
	if b.Shop, err = oracleRequiredString(top, "shop", maxShopLength); err != nil {
		return CollectBatch{}, err
	}
	if b.Key, err = oracleRequiredString(top, "key", maxKeyLength); err != nil {
		return CollectBatch{}, err
	}
	raw, ok := top["events"]
	if !ok || raw.Kind() != '[' {
		return CollectBatch{}, badBatch("events is not an array")
	}
	var events []jsontext.Value
	if err := jsonv2.Unmarshal(raw, &events, jsontext.AllowInvalidUTF8(true)); err != nil {
		return CollectBatch{}, fmt.Errorf("%w: events: %w", ErrBadBatch, err)
	}
	if len(events) > MaxCollectEvents {
		return CollectBatch{}, badBatch(fmt.Sprintf("%d events, more than %d", len(events), MaxCollectEvents))
	}
	b.Events = make([]CustomerEvent, 0, len(events))
	for i, ev := range events {
		e, err := oracleCustomerEvent(ev)
		if err != nil {
			return CollectBatch{}, fmt.Errorf("%w: event %d: %w", ErrBadBatch, i, err)
		}
		b.Events = append(b.Events, e)
	}
	return b, nil
}

func oracleRequiredString(obj map[string]jsontext.Value, name string, maxLen int) (string, error) {
	v, ok := obj[name]
	if !ok || v.Kind() != '"' {
		return "", badBatch(name + " is not a string")
	}
	var s string
	if err := jsonv2.Unmarshal(v, &s, jsontext.AllowInvalidUTF8(true)); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrBadBatch, name, err)
	}
	switch {
	case s == "":
		return "", badBatch(name + " is empty")
	case len(s) > maxLen:
		return "", badBatch(fmt.Sprintf("%s is longer than %d bytes", name, maxLen))
	}
	return s, nil
}

// oracleWireEvent is the envelope as it arrives; unknown envelope keys are
// ignored (Shopify may add some).
type oracleWireEvent struct {
	ID         jsontext.Value `json:"id"`
	Name       jsontext.Value `json:"name"`
	ClientID   jsontext.Value `json:"clientId"`
	Timestamp  jsontext.Value `json:"timestamp"`
	Type       jsontext.Value `json:"type"`
	Seq        jsontext.Value `json:"seq"`
	Context    jsontext.Value `json:"context"`
	Data       jsontext.Value `json:"data"`
	CustomData jsontext.Value `json:"customData"`
}

func oracleCustomerEvent(raw jsontext.Value) (CustomerEvent, error) {
	if raw.Kind() != '{' {
		return CustomerEvent{}, eventError("not an object")
	}
	var w oracleWireEvent
	if err := jsonv2.Unmarshal(raw, &w, jsontext.AllowInvalidUTF8(true)); err != nil {
		return CustomerEvent{}, err
	}
	var e CustomerEvent
	var err error
	if e.ID, err = oracleEnvelopeString(w.ID, "id", maxEventIDLength); err != nil {
		return CustomerEvent{}, err
	}
	if e.Name, err = oracleEnvelopeString(w.Name, "name", maxEventNameLength); err != nil {
		return CustomerEvent{}, err
	}
	if e.ClientID, err = oracleEnvelopeString(w.ClientID, "clientId", maxEventIDLength); err != nil {
		return CustomerEvent{}, err
	}
	ts, err := oracleEnvelopeString(w.Timestamp, "timestamp", 64)
	if err != nil {
		return CustomerEvent{}, err
	}
	if e.Timestamp, err = time.Parse(time.RFC3339Nano, ts); err != nil {
		return CustomerEvent{}, eventError(fmt.Sprintf("timestamp %q is not RFC 3339", truncateForError(ts)))
	}
	// type and seq are informative: kept when well-formed, else ignored.
	var typ looseString
	_ = typ.UnmarshalJSON(w.Type)
	e.Type = clip(string(typ), maxEventNameLength)
	if w.Seq.Kind() == '0' {
		e.Seq, _ = strconv.ParseInt(string(w.Seq), 10, 64)
	}
	for _, part := range []struct {
		name string
		raw  jsontext.Value
		keep *json.RawMessage
		into any
	}{
		{"context", w.Context, new(json.RawMessage), &e.ctx},
		{"data", w.Data, new(json.RawMessage), &e.data},
		{"customData", w.CustomData, new(json.RawMessage), &e.custom},
	} {
		switch part.raw.Kind() {
		case 0, 'n': // absent or null
			continue
		case '{':
		default:
			return CustomerEvent{}, eventError(part.name + " is not an object")
		}
		*part.keep = json.RawMessage(bytes.Clone(part.raw))
		// Lenient inside: loose types never fail on a field's type, so
		// this fails only on what the envelope check already refused.
		_ = jsonv2.Unmarshal(part.raw, part.into, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	}
	return e, nil
}

func oracleEnvelopeString(v jsontext.Value, name string, maxLen int) (string, error) {
	if v.Kind() != '"' {
		return "", eventError(name + " is not a string")
	}
	var s string
	if err := jsonv2.Unmarshal(v, &s, jsontext.AllowInvalidUTF8(true)); err != nil {
		return "", eventError(name + " is not a string")
	}
	switch {
	case strings.TrimSpace(s) == "":
		return "", eventError(name + " is empty")
	case len(s) > maxLen:
		return "", eventError(fmt.Sprintf("%s is longer than %d bytes", name, maxLen))
	case strings.ContainsRune(s, 0):
		return "", eventError(name + " holds a NUL character")
	}
	return s, nil
}

// looseOpts are the decoding options inside loose values: repeated names
// and invalid UTF-8 are tolerated (the strings are cleaned when read).
var looseOpts = jsonv2.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (l *loose[T]) UnmarshalJSON(b []byte) error {
	var v T
	if jsonv2.Unmarshal(b, &v, looseOpts) == nil {
		l.V = v
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (s *looseString) UnmarshalJSON(b []byte) error {
	*s = ""
	switch jsontext.Value(b).Kind() {
	case '"':
		var v string
		if jsonv2.Unmarshal(b, &v, looseOpts) == nil {
			*s = looseString(v)
		}
	case '0':
		*s = looseString(b)
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *looseInt) UnmarshalJSON(b []byte) error {
	*n = 0
	text := string(b)
	if jsontext.Value(b).Kind() == '"' {
		var s string
		if jsonv2.Unmarshal(b, &s, looseOpts) != nil {
			return nil
		}
		text = s
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return nil
	}
	*n = looseInt(f)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (a *looseAmount) UnmarshalJSON(b []byte) error {
	var s looseString
	_ = s.UnmarshalJSON(b)
	*a = ""
	if pixelAmount.MatchString(string(s)) {
		*a = looseAmount(s)
	}
	return nil
}
