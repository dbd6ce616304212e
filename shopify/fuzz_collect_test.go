package shopify_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/shopify"
)

// FuzzParseCollectBatch: whatever a /collect body holds, ParseCollectBatch
// either refuses it with an error wrapping ErrBadBatch or gives a batch
// with its shop, key and every event's id, name, client id and time; the
// same body parses the same twice; and the text every accessor reads out
// of an event is storable (valid UTF-8, no NUL, at most 2,048 bytes). The
// seeds are testdata/customer-events: its batch as it is, and each event
// alone in a batch.
func FuzzParseCollectBatch(f *testing.F) {
	dir := customerEventDir(f)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("the customer events of %s: %v", dir, err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(file), "batch_") {
			f.Add(b)
		} else {
			f.Add(batchOf(b))
		}
	}
	f.Add([]byte(`{"shop":"a.myshopify.com","key":"k","events":[]}`))
	f.Add([]byte(`{"shop":"a.myshopify.com","key":"k","events":[{"id":"1","name":"page_viewed","clientId":"c","timestamp":"2026-11-24T14:02:11Z","context":null,"data":{"cart":{"id":"x\u0000\ud800"}}}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := shopify.ParseCollectBatch(body)
		if err != nil {
			if !errors.Is(err, shopify.ErrBadBatch) {
				t.Fatalf("the error %v does not wrap ErrBadBatch", err)
			}
			return
		}
		if b.Shop == "" || b.Key == "" {
			t.Fatalf("accepted a batch without shop or key: %q %q", b.Shop, b.Key)
		}
		again, err := shopify.ParseCollectBatch(body)
		if err != nil || !reflect.DeepEqual(again, b) {
			t.Fatalf("the same body parsed differently the second time (%v)", err)
		}
		for i, e := range b.Events {
			if e.ID == "" || e.Name == "" || e.ClientID == "" || e.Timestamp.IsZero() {
				t.Fatalf("event %d accepted without id, name, client id or time: %+v", i, e)
			}
			for _, v := range []any{e.Location(), e.Referrer(), e.UserAgent(), e.InnerWidth(), e.ProductVariant(),
				e.CartLine(), e.CartID(), e.CartToken(), e.CheckoutToken(), e.CheckoutTotal(), e.Transactions(),
				e.AlertType(), e.Percent(), e.CustomToken()} {
				storableText(t, reflect.ValueOf(v), "event")
			}
		}
	})
}

// storableText fails t when a string in v (its fields and elements, deeply)
// is not valid UTF-8, holds a NUL or is longer than 2,048 bytes.
func storableText(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.ContainsRune(s, 0) || len(s) > 2048 {
			t.Fatalf("%s reads %d bytes that cannot be stored: %q", path, len(s), s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				storableText(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			storableText(t, v.Index(i), path)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			storableText(t, v.Elem(), path)
		}
	}
}
