package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// sessionField is one column of sessions that every write sets: its name,
// where its value lives in a sessionRow (the scan target of a read and the
// source of a write, of a type appendJSONValue and fieldValue know) and,
// for a stage's time, that stage.
type sessionField struct {
	name  string
	field func(r *sessionRow) any
	stage funnel.Stage
	// jsonKey is `,"name":`, what precedes the value in a row's JSON.
	jsonKey string
}

// sessionFields are the columns of sessions every write sets, in order:
// all but id, shop_id and created_at, which identify the row. It is the
// one list of them: the statements' column lists, the scan targets, the
// values of SQLite's writes and the JSON of PostgreSQL's come from it.
// A new column of sessions is a line here, besides its migrations and the
// domain; a new text attribute (funnel.Attrs) needs not even that: its
// column is named by its Key.
var sessionFields = func() []sessionField {
	stageTime := func(st funnel.Stage, at func(s *funnel.Session) **time.Time) sessionField {
		return sessionField{name: st.Key() + "_at", stage: st, field: func(r *sessionRow) any { return at(&r.s) }}
	}
	fields := []sessionField{
		{name: "session_key", field: func(r *sessionRow) any { return &r.s.Key }},
		{name: "cart_token", field: func(r *sessionRow) any { return &r.s.CartToken }},
		{name: "checkout_token", field: func(r *sessionRow) any { return &r.s.CheckoutToken }},
		{name: "started_at", field: func(r *sessionRow) any { return &r.s.StartedAt }},
		{name: "last_activity", field: func(r *sessionRow) any { return &r.s.LastActivity }},
		{name: "furthest_stage", field: func(r *sessionRow) any { return &r.furthest }},
		stageTime(funnel.StageAddedToCart, func(s *funnel.Session) **time.Time { return &s.AddedToCartAt }),
		stageTime(funnel.StageCheckoutStarted, func(s *funnel.Session) **time.Time { return &s.CheckoutStartedAt }),
		stageTime(funnel.StageContactSubmitted, func(s *funnel.Session) **time.Time { return &s.ContactSubmittedAt }),
		stageTime(funnel.StageAddressSubmitted, func(s *funnel.Session) **time.Time { return &s.AddressSubmittedAt }),
		stageTime(funnel.StagePaymentReached, func(s *funnel.Session) **time.Time { return &s.PaymentReachedAt }),
		stageTime(funnel.StageCompleted, func(s *funnel.Session) **time.Time { return &s.CompletedAt }),
		{name: "content_at", field: func(r *sessionRow) any { return &r.contentAt }},
		{name: "content_rank", field: func(r *sessionRow) any { return &r.s.ContentRank }},
		{name: "value", field: func(r *sessionRow) any { return &r.s.Value }},
		{name: "currency", field: func(r *sessionRow) any { return &r.s.Currency }},
		{name: "item_count", field: func(r *sessionRow) any { return &r.s.ItemCount }},
		{name: "line_items", field: func(r *sessionRow) any { return &r.lineItems }},
	}
	for _, a := range textAttrs {
		fields = append(fields, sessionField{name: a.Key(), field: func(r *sessionRow) any { return &r.attrs[a] }})
	}
	fields = append(fields,
		// AttrCustomerType, as the Returning pair.
		sessionField{name: "returning_customer", field: func(r *sessionRow) any { return &r.s.Returning }},
		sessionField{name: "returning_known", field: func(r *sessionRow) any { return &r.s.ReturningKnown }},
		sessionField{name: "attr_seen", field: func(r *sessionRow) any { return &r.attrSeen }},
		sessionField{name: "abandoned_at", field: func(r *sessionRow) any { return &r.s.AbandonedAt }},
		sessionField{name: "sample", field: func(r *sessionRow) any { return &r.sample }},
		sessionField{name: "timeline_events", field: func(r *sessionRow) any { return &r.timeline }},
		sessionField{name: "updated_at", field: func(r *sessionRow) any { return &r.UpdatedAt }},
	)
	for i := range fields {
		fields[i].jsonKey = `,"` + fields[i].name + `":`
	}
	return fields
}()

// textAttrs are the attributes kept as a text column each, named by their
// Key: all but AttrCustomerType, which is the Returning pair.
var textAttrs = slices.DeleteFunc(funnel.Attrs(), func(a funnel.Attr) bool { return a == funnel.AttrCustomerType })

// attrCount is how many attributes there are: a session keeps a stamp for
// each.
const attrCount = len(funnel.Session{}.AttrSeen)

// sessionColumns is the column list of sessionFields.
func sessionColumns() []string {
	names := make([]string, len(sessionFields))
	for i, f := range sessionFields {
		names[i] = f.name
	}
	return names
}

// sessionSelect is what a read of whole sessions selects, in the order of
// scanTargets.
var sessionSelect = "id, shop_id, created_at, " + strings.Join(sessionColumns(), ", ")

// stageTimeColumns is the SQL list of the stage times, StageAddedToCart to
// StageCompleted in order.
var stageTimeColumns = func() string {
	var cols []string
	for _, st := range funnel.Stages() {
		for _, f := range sessionFields {
			if f.stage == st {
				cols = append(cols, f.name)
			}
		}
	}
	return strings.Join(cols, ", ")
}()

// scanTargets returns pointers to r's columns, in the order of
// sessionSelect.
func (r *sessionRow) scanTargets() []any {
	dest := make([]any, 0, 3+len(sessionFields))
	dest = append(dest, &r.ID, &r.ShopID, &r.CreatedAt)
	for _, f := range sessionFields {
		dest = append(dest, f.field(r))
	}
	return dest
}

// appendValues appends r's values of sessionFields, in their order.
func (r *sessionRow) appendValues(vals []any) []any {
	for _, f := range sessionFields {
		vals = append(vals, fieldValue(f.field(r)))
	}
	return vals
}

// fieldValue is the value a column's field points to.
func fieldValue(p any) any {
	switch p := p.(type) {
	case *string:
		return *p
	case *int:
		return *p
	case *int64:
		return *p
	case *bool:
		return *p
	case *time.Time:
		return *p
	case **time.Time:
		return *p
	case *lineItems:
		return *p
	case *attrSeen:
		return *p
	}
	// Every field of sessionFields is of a type above (TestSessionFields).
	panic(fmt.Sprintf("store: session column of unsupported type %T", p))
}

// normalize brings r's times to UTC, to the microsecond (what the database
// keeps), in pointers of its own.
func (r *sessionRow) normalize() {
	for _, f := range sessionFields {
		switch p := f.field(r).(type) {
		case *time.Time:
			*p = utc(*p)
		case **time.Time:
			*p = utcPtr(*p)
		}
	}
}

// appendSessionsJSON appends rows as one JSON array of objects keyed by
// column name (id, shop_id, created_at and sessionColumns), the document
// PostgreSQL's jsonb_populate_recordset reads (see pgIngest). It writes the
// values by their type, without reflection.
func appendSessionsJSON(buf []byte, rows []sessionRow) ([]byte, error) {
	buf = slices.Grow(buf, 1024*len(rows))
	buf = append(buf, '[')
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"id":`...)
		buf = strconv.AppendInt(buf, r.ID, 10)
		buf = append(buf, `,"shop_id":`...)
		buf = strconv.AppendInt(buf, r.ShopID, 10)
		buf = append(buf, `,"created_at":`...)
		var err error
		if buf, err = appendJSONTime(buf, r.CreatedAt); err != nil {
			return nil, err
		}
		for _, f := range sessionFields {
			buf = append(buf, f.jsonKey...)
			if buf, err = appendJSONValue(buf, f.field(r)); err != nil {
				return nil, fmt.Errorf("column %s: %w", f.name, err)
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, ']'), nil
}

// appendJSONValue appends the JSON of the value p points to, as
// encoding/json would write it.
func appendJSONValue(buf []byte, p any) ([]byte, error) {
	switch p := p.(type) {
	case *string:
		// Invalid UTF-8 is written as U+FFFD, as encoding/json does; the
		// error only says there was some.
		buf, _ = jsontext.AppendQuote(buf, *p)
		return buf, nil
	case *int:
		return strconv.AppendInt(buf, int64(*p), 10), nil
	case *int64:
		return strconv.AppendInt(buf, *p, 10), nil
	case *bool:
		return strconv.AppendBool(buf, *p), nil
	case *time.Time:
		return appendJSONTime(buf, *p)
	case **time.Time:
		if *p == nil {
			return append(buf, "null"...), nil
		}
		return appendJSONTime(buf, **p)
	case *lineItems:
		if len(*p) == 0 {
			return append(buf, "null"...), nil
		}
		b, err := json.Marshal([]funnel.LineItem(*p))
		return append(buf, b...), err
	case *attrSeen:
		return p.appendJSON(buf)
	}
	return buf, fmt.Errorf("unsupported type %T", p)
}

// appendJSONTime appends t as time.Time's MarshalJSON writes it: RFC 3339
// with nanoseconds, years 0 to 9999 only.
func appendJSONTime(buf []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return buf, fmt.Errorf("time %v: year outside of [0,9999]", t)
	}
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"'), nil
}
