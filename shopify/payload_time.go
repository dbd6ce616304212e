package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Time is a payload timestamp. It decodes RFC 3339 strings with any offset
// and optional fractional seconds; JSON null or "" leave it zero. Other JSON
// types are errors.
type Time struct {
	time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp is not a string")
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp %q is not RFC 3339", truncateForError(s))
	}
	t.Time = v
	return nil
}

// MarshalJSON implements json.Marshaler: null when zero, else RFC 3339.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(time.RFC3339Nano))
}

// NamedTime is one timestamp of a payload and the JSON name of its field.
type NamedTime struct {
	Name string
	Time time.Time
}

// PayloadTimes returns every timestamp (every Time field, at any depth) that
// is set in a parsed payload, a value or pointer of the payload types, in
// field order. Checking what it returns, rather than a list of fields,
// means that no time of a payload goes unchecked.
func PayloadTimes(v any) []NamedTime {
	var out []NamedTime
	collectTimes(reflect.ValueOf(v), &out)
	return out
}

var timeType = reflect.TypeFor[Time]()

func collectTimes(v reflect.Value, out *[]NamedTime) {
	if !holdsTimes(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			collectTimes(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectTimes(v.Index(i), out)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Type == timeType {
				if pt := v.Field(i).Interface().(Time); !pt.IsZero() {
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					*out = append(*out, NamedTime{Name: name, Time: pt.Time})
				}
				continue
			}
			collectTimes(v.Field(i), out)
		}
	}
}

// timeHolders caches, by type, whether a value of it can hold a Time, so
// that the walk skips line items and other parts without one.
var timeHolders sync.Map

func holdsTimes(t reflect.Type) bool {
	if known, ok := timeHolders.Load(t); ok {
		return known.(bool)
	}
	holds := scanForTimes(t, map[reflect.Type]bool{})
	timeHolders.Store(t, holds)
	return holds
}

// scanForTimes is holdsTimes uncached; seen stops it going round a
// recursive type.
func scanForTimes(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return scanForTimes(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && (f.Type == timeType || scanForTimes(f.Type, seen)) {
				return true
			}
		}
	}
	return false
}

// truncateForError shortens s to 40 bytes, on a character boundary, for
// quoting in an error.
func truncateForError(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// quoteForError is b cut as truncateForError does, quoted.
func quoteForError(b []byte) string { return strconv.Quote(truncateForError(string(b))) }
