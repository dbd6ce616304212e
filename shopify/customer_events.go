package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrBadBatch is wrapped by every error of ParseCollectBatch: the body is
// not a /collect batch. Its message says what is wrong, for a 400 answer.
var ErrBadBatch = errors.New("not a collect batch")

// MaxCollectEvents is the most events one /collect batch may hold.
const MaxCollectEvents = 200

// Limits on the envelope's strings: longer ones are refused, since no
// pixel sends them.
const (
	maxEventIDLength   = 200
	maxEventNameLength = 100
	maxShopLength      = 255
	maxKeyLength       = 200
)

// CollectBatch is the body of POST /collect: the shop, its pixel key, and
// the customer events as the pixel received them.
type CollectBatch struct {
	Shop   string
	Key    string
	Events []CustomerEvent
}

// CustomerEvent is one customer event in Shopify's envelope (a standard,
// DOM or custom event of the Web Pixels API). The envelope is checked;
// context, data and customData are kept as they came and read through
// the typed accessors, which read nothing of the customer's personal data
// (names, e-mail, phone, addresses).
type CustomerEvent struct {
	ID        string
	Name      string
	ClientID  string
	Timestamp time.Time
	// Type is the envelope's event type ("standard", "custom", "dom"…)
	// and Seq its sequence index, when the event has them.
	Type string
	Seq  int64

	Context    json.RawMessage
	Data       json.RawMessage
	CustomData json.RawMessage

	ctx    eventContext
	data   eventData
	custom customData
}

// ParseCollectBatch decodes a /collect body. It is strict on the shape: a
// JSON object with exactly the keys shop and key (non-empty strings) and
// events (an array of at most MaxCollectEvents), each event an object
// with string id, name and clientId and an RFC 3339 timestamp, and, when
// present, an object (or null) for context, data and customData. Any key
// other than those three at the top is refused. Inside context, data and
// customData it is lenient: a field of an unexpected type reads as absent.
// Errors wrap ErrBadBatch.
func ParseCollectBatch(body []byte) (CollectBatch, error) {
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
	if b.Shop, err = requiredString(top, "shop", maxShopLength); err != nil {
		return CollectBatch{}, err
	}
	if b.Key, err = requiredString(top, "key", maxKeyLength); err != nil {
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
		e, err := parseCustomerEvent(ev)
		if err != nil {
			return CollectBatch{}, fmt.Errorf("%w: event %d: %w", ErrBadBatch, i, err)
		}
		b.Events = append(b.Events, e)
	}
	return b, nil
}

func badBatch(reason string) error { return fmt.Errorf("%w: %s", ErrBadBatch, reason) }

func requiredString(obj map[string]jsontext.Value, name string, maxLen int) (string, error) {
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

// wireEvent is the envelope as it arrives; unknown envelope keys are
// ignored (Shopify may add some).
type wireEvent struct {
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

// eventError is a reason an event is refused, without the ErrBadBatch
// prefix (ParseCollectBatch adds it with the event's index).
type eventError string

func (e eventError) Error() string { return string(e) }

func parseCustomerEvent(raw jsontext.Value) (CustomerEvent, error) {
	if raw.Kind() != '{' {
		return CustomerEvent{}, eventError("not an object")
	}
	var w wireEvent
	if err := jsonv2.Unmarshal(raw, &w, jsontext.AllowInvalidUTF8(true)); err != nil {
		return CustomerEvent{}, err
	}
	var e CustomerEvent
	var err error
	if e.ID, err = envelopeString(w.ID, "id", maxEventIDLength); err != nil {
		return CustomerEvent{}, err
	}
	if e.Name, err = envelopeString(w.Name, "name", maxEventNameLength); err != nil {
		return CustomerEvent{}, err
	}
	if e.ClientID, err = envelopeString(w.ClientID, "clientId", maxEventIDLength); err != nil {
		return CustomerEvent{}, err
	}
	ts, err := envelopeString(w.Timestamp, "timestamp", 64)
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
		{"context", w.Context, &e.Context, &e.ctx},
		{"data", w.Data, &e.Data, &e.data},
		{"customData", w.CustomData, &e.CustomData, &e.custom},
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

func envelopeString(v jsontext.Value, name string, maxLen int) (string, error) {
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
