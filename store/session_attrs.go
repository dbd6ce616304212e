package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// attrSeen is the attr_seen column of a session (JSONB on PostgreSQL, TEXT
// on SQLite): for each attribute with a value, the stamp of the snapshot
// it came from, which merging a later event needs; empty is NULL. It is a
// JSON object keyed by funnel.Attr.Key:
// {"country": {"at": "2026-11-20T12:00:00Z", "rank": 2}, …}.
type attrSeen map[funnel.Attr]funnel.Stamp

// attrSeenOf returns the stamps of s's attributes that have a value.
func attrSeenOf(s funnel.Session) attrSeen {
	var out attrSeen
	for _, a := range funnel.Attrs() {
		if v := s.Attr(a); v.Value != "" {
			if out == nil {
				out = attrSeen{}
			}
			out[a] = v.Seen
		}
	}
	return out
}

// stampJSON is one stamp as stored.
type stampJSON struct {
	At   string `json:"at"`
	Rank int    `json:"rank"`
}

// MarshalJSON writes the object, or null when there is no stamp.
func (m attrSeen) MarshalJSON() ([]byte, error) {
	return m.appendJSON(nil)
}

// attrsByKey are the attributes in the order of their keys, the order
// encoding/json writes a map's.
var attrsByKey = func() []funnel.Attr {
	attrs := funnel.Attrs()
	slices.SortFunc(attrs, func(a, b funnel.Attr) int { return strings.Compare(a.Key(), b.Key()) })
	return attrs
}()

// appendJSON appends what MarshalJSON writes, keys in order, without
// reflection: the ingest writes it for every session it changes.
func (m attrSeen) appendJSON(buf []byte) ([]byte, error) {
	if len(m) == 0 {
		return append(buf, "null"...), nil
	}
	buf = append(buf, '{')
	first := true
	for _, a := range attrsByKey {
		st, ok := m[a]
		if !ok {
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf, _ = jsontext.AppendQuote(buf, a.Key()) // keys are ASCII
		buf = append(buf, `:{"at":"`...)
		buf = st.At.UTC().AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, `","rank":`...)
		buf = strconv.AppendInt(buf, int64(st.Rank), 10)
		buf = append(buf, '}')
	}
	return append(buf, '}'), nil
}

// UnmarshalJSON reads the object; unknown attributes (written by a newer
// version) are skipped.
func (m *attrSeen) UnmarshalJSON(b []byte) error {
	var obj map[string]stampJSON
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	out := attrSeen{}
	for k, v := range obj {
		a, ok := funnel.ParseAttr(k)
		if !ok {
			continue
		}
		at, err := parseStampTime(v.At)
		if err != nil {
			return fmt.Errorf("attribute %s: %w", k, err)
		}
		out[a] = funnel.Stamp{At: at, Rank: v.Rank}
	}
	if len(out) == 0 {
		out = nil
	}
	*m = out
	return nil
}

// parseStampTime reads a stored stamp's time: Go writes RFC 3339;
// migration 00024 copied SQLite's own text form of details_at.
func parseStampTime(s string) (time.Time, error) {
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// Value encodes the stamps as JSON text, NULL when there are none.
func (m attrSeen) Value() (driver.Value, error) {
	return jsonValue(len(m) == 0, m.MarshalJSON)
}

// Scan decodes JSON text or bytes.
func (m *attrSeen) Scan(src any) error {
	b, err := jsonBytes(src, "attribute stamps")
	if err != nil || b == nil {
		*m = nil
		return err
	}
	if err := m.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("store: attribute stamps: %w", err)
	}
	return nil
}
