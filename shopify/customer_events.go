package shopify

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
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
// of context, data and customData only what the typed accessors return is
// kept, which holds nothing of the customer's personal data (names,
// e-mail, phone, addresses: those fields are skipped unread).
type CustomerEvent struct {
	ID        string
	Name      string
	ClientID  string
	Timestamp time.Time
	// Type is the envelope's event type ("standard", "custom", "dom"…)
	// and Seq its sequence index, when the event has them.
	Type string
	Seq  int64

	ctx    eventContext
	data   eventData
	custom customData
}

// ParseCollectBatch decodes a /collect body. It is strict on the shape: a
// JSON object with exactly the keys shop and key (non-empty strings) and
// events (an array of at most MaxCollectEvents), each event an object
// with string id, name and clientId and an RFC 3339 timestamp, and, when
// present, an object (or null) for context, data and customData. Any key
// other than those three at the top is refused, and so is a repeated name
// in any object. Inside context, data and customData it is lenient: a
// field of an unexpected type reads as absent. Errors wrap ErrBadBatch.
//
// It reads the body once, byte by byte, straight into the events (the
// fields the accessors read; everything else is only checked for syntax
// and skipped). The strings of the batch share one copy of the body: a
// caller keeping one beyond the request (a cache key) clones it, or it
// keeps the whole body alive. When several things are wrong, the error says the
// first of: the JSON syntax, an unknown key, shop, key, events not an
// array, too many events, the first bad event.
func ParseCollectBatch(body []byte) (CollectBatch, error) {
	// Unicode's whitespace around the object is allowed, as before the
	// walker; the walker's errors count bytes from the body's start.
	left := bytes.TrimLeftFunc(body, unicode.IsSpace)
	trimmed := bytes.TrimRightFunc(left, unicode.IsSpace)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return CollectBatch{}, badBatch("body is not a JSON object")
	}
	w := newWalker(trimmed, len(body)-len(left))
	var (
		// The events' slice is sized from the body's length (a hint only:
		// a pixel's event with its context takes 1.5 to 3 KB), so that
		// appending the large events grows and copies it seldom. Counting
		// the clientId names instead cost a sixth of the decoding.
		b           = CollectBatch{Events: make([]CustomerEvent, 0, min(len(trimmed)/2048+1, MaxCollectEvents))}
		unknown     []string
		shop, key   envelopeField
		eventsArray bool
		count       int
		firstBad    = -1
		firstErr    error
	)
	err := w.members(func(name []byte) error {
		switch string(name) {
		case "shop":
			return w.envelope(&shop)
		case "key":
			return w.envelope(&key)
		case "events":
			if w.peek() != '[' {
				return w.skip()
			}
			eventsArray = true
			return w.elements(func() error {
				count++
				if count > MaxCollectEvents || firstErr != nil {
					return w.skip()
				}
				// Read in place: an event is large, and is neither
				// copied nor moved to the heap on its own.
				b.Events = append(b.Events, CustomerEvent{})
				bad, err := w.customEvent(&b.Events[len(b.Events)-1])
				if bad != nil {
					firstBad, firstErr = count-1, bad
				}
				return err
			})
		default:
			unknown = append(unknown, quoteForError(name))
			return w.skip()
		}
	})
	if err == nil {
		err = w.end()
	}
	if err != nil {
		return CollectBatch{}, fmt.Errorf("%w: %w", ErrBadBatch, err)
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return CollectBatch{}, badBatch("unknown key " + strings.Join(unknown, ", ") + " (a batch has only shop, key and events)")
	}
	if b.Shop, err = requiredString(shop, "shop", maxShopLength); err != nil {
		return CollectBatch{}, err
	}
	if b.Key, err = requiredString(key, "key", maxKeyLength); err != nil {
		return CollectBatch{}, err
	}
	switch {
	case !eventsArray:
		return CollectBatch{}, badBatch("events is not an array")
	case count > MaxCollectEvents:
		return CollectBatch{}, badBatch(fmt.Sprintf("%d events, more than %d", count, MaxCollectEvents))
	case firstErr != nil:
		return CollectBatch{}, fmt.Errorf("%w: event %d: %w", ErrBadBatch, firstBad, firstErr)
	}
	return b, nil
}

func badBatch(reason string) error { return fmt.Errorf("%w: %s", ErrBadBatch, reason) }

// envelopeField is a string member of the batch or of an event's envelope
// as read: its JSON kind (0 when absent) and, for a string, its text.
type envelopeField struct {
	kind kind
	text string
}

func requiredString(f envelopeField, name string, maxLen int) (string, error) {
	switch {
	case f.kind != '"':
		return "", badBatch(name + " is not a string")
	case f.text == "":
		return "", badBatch(name + " is empty")
	case len(f.text) > maxLen:
		return "", badBatch(fmt.Sprintf("%s is longer than %d bytes", name, maxLen))
	}
	return f.text, nil
}

// eventError is a reason an event is refused, without the ErrBadBatch
// prefix (ParseCollectBatch adds it with the event's index).
type eventError string

func (e eventError) Error() string { return string(e) }

// customEvent reads one element of events into e: a syntax error is err
// (the whole body is refused), a refused event is bad.
func (w *walker) customEvent(e *CustomerEvent) (bad, err error) {
	if w.peek() != '{' {
		return eventError("not an object"), w.skip()
	}
	var id, name, client, ts envelopeField
	var parts [3]kind // context, data, customData
	var typ looseString
	err = w.members(func(member []byte) error {
		switch string(member) {
		case "id":
			return w.envelope(&id)
		case "name":
			return w.envelope(&name)
		case "clientId":
			return w.envelope(&client)
		case "timestamp":
			return w.envelope(&ts)
		case "type":
			return w.looseString(&typ)
		case "seq":
			// informative: kept when a well-formed integer, else ignored.
			if w.peek() != '0' {
				return w.skip()
			}
			v, err := w.number()
			if err == nil {
				e.Seq, _ = strconv.ParseInt(v, 10, 64)
			}
			return err
		case "context":
			parts[0] = w.peek()
			return w.object(&e.ctx)
		case "data":
			parts[1] = w.peek()
			return w.object(&e.data)
		case "customData":
			parts[2] = w.peek()
			return w.object(&e.custom)
		}
		// Unknown envelope keys are ignored: Shopify may add some.
		return w.skip()
	})
	if err != nil {
		return nil, err
	}
	if refused := e.envelope(id, name, client, ts, parts); refused != nil {
		return refused, nil
	}
	e.Type = clip(string(typ), maxEventNameLength)
	return nil, nil
}

// envelope checks the envelope's members as read and sets the event's
// id, name, client id and time.
func (e *CustomerEvent) envelope(id, name, client, ts envelopeField, parts [3]kind) error {
	var err error
	if e.ID, err = envelopeString(id, "id", maxEventIDLength); err != nil {
		return err
	}
	if e.Name, err = envelopeString(name, "name", maxEventNameLength); err != nil {
		return err
	}
	if e.ClientID, err = envelopeString(client, "clientId", maxEventIDLength); err != nil {
		return err
	}
	t, err := envelopeString(ts, "timestamp", 64)
	if err != nil {
		return err
	}
	if e.Timestamp, err = time.Parse(time.RFC3339Nano, t); err != nil {
		return eventError(fmt.Sprintf("timestamp %q is not RFC 3339", truncateForError(t)))
	}
	for i, part := range [3]string{"context", "data", "customData"} {
		switch parts[i] {
		case 0, 'n', '{': // absent, null or an object
		default:
			return eventError(part + " is not an object")
		}
	}
	return nil
}

func envelopeString(f envelopeField, name string, maxLen int) (string, error) {
	if f.kind != '"' {
		return "", eventError(name + " is not a string")
	}
	s := f.text
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
