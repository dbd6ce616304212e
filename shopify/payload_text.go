package shopify

import (
	"bytes"
	"reflect"
	"strings"
)

// escapedNUL is how a NUL can appear in a JSON body: a raw NUL byte inside
// a string is a syntax error, so only this escape decodes to one.
var escapedNUL = []byte(`\u0000`)

// dropNULs removes the NUL characters from every string reachable from v
// (a pointer to a decoded payload): struct fields at any depth, slices,
// arrays, pointers, and map keys and values. JSON may carry NUL (\u0000)
// but PostgreSQL's text and jsonb cannot, and a field that kept one would
// fail its delivery on every retry; walking the decoded value, rather than
// listing fields, means no field can be forgotten. Invalid UTF-8 needs no
// such pass: the decoder already replaces it with U+FFFD.
func dropNULs(body []byte, v any) {
	if !bytes.Contains(body, escapedNUL) {
		return
	}
	dropNULsIn(reflect.ValueOf(v))
}

func dropNULsIn(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			dropNULsIn(v.Elem())
		}
	case reflect.Interface:
		// What an interface holds cannot be set in place either.
		if !v.IsNil() && v.CanSet() {
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			dropNULsIn(e)
			v.Set(e)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				dropNULsIn(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes (json.RawMessage), not text
		}
		for i := range v.Len() {
			dropNULsIn(v.Index(i))
		}
	case reflect.Map:
		if !v.CanSet() {
			return
		}
		// Map values cannot be set in place: each is copied, cleaned and
		// put back, under its cleaned key.
		for _, k := range v.MapKeys() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			dropNULsIn(val)
			key := reflect.New(v.Type().Key()).Elem()
			key.Set(k)
			dropNULsIn(key)
			v.SetMapIndex(k, reflect.Value{})
			v.SetMapIndex(key, val)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); strings.IndexByte(s, 0) >= 0 {
				v.SetString(strings.ReplaceAll(s, "\x00", ""))
			}
		}
	}
}
