package shopify

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readView is everything a caller can read of a parsed batch: the
// envelope and every accessor's answer of every event.
func readView(b CollectBatch) []any {
	out := []any{b.Shop, b.Key, len(b.Events)}
	for _, e := range b.Events {
		out = append(out, e.ID, e.Name, e.ClientID, e.Timestamp, e.Type, e.Seq,
			e.Location(), e.Referrer(), e.UserAgent(), e.InnerWidth(), e.ProductVariant(), e.CartLine(),
			e.CartID(), e.CartToken(), e.CheckoutToken(), e.CheckoutTotal(), e.Transactions(),
			e.AlertType(), e.Percent(), e.CustomToken())
	}
	return out
}

// differentialSeeds are bodies that reach the corners where a one-pass
// decoder could part from the former one: repeated names at every depth,
// names in another case or with escapes, odd types in every part, the
// order of the checks, whitespace around and after the object.
var differentialSeeds = []string{
	`{"shop":"s","key":"k","events":[]}`,
	"\f {\"shop\":\"s\",\"key\":\"k\",\"events\":[]}\u00a0",
	`{"shop":"s","key":"k","events":[]} {}`,
	`{"shop":"s","key":"k","events":[]}]`,
	`{"events":[{"id":1}],"shop":"","key":"k","x":1}`,
	`{"events":[{"id":1}],"shop":"s","key":"k"}`,
	`{"events":{},"shop":"s"}`,
	`{"shop":"s","key":"k","events":[1,{"id":"e"}]}`,
	`{"shop":"s","key":"k","sh\u006fp":"t","events":[]}`,
	`{"shop":"s","key":"k","events":[],"\u00ff":1,"\xff":2,"\xfe":3}`,
	`{"shop":"s\ud800","key":"k\u0000","events":[]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","ID":"f","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","id":"f","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","data":{"cart":{"id":"a","id":"b"}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","context":{"Document":{"location":{"pathname":"/x"}},"document":{"location":{"Pathname":"/y","pathname":"/z"}}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":" ","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e\u0000","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`,
	`{"shop":"s","key":"k","events":[{"data":5,"context":[],"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","seq":12.5,"type":"x\u0000y"}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","seq":-3e2,"type":1e400}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"checkout_completed","clientId":"c","timestamp":"2026-11-24T14:02:11Z","data":{"checkout":{"token":7,"totalPrice":{"amount":"0.30000000000000004","currencyCode":null},"currencyCode":"EUR","transactions":[5,null,{"gateway":"g","paymentMethod":{"type":"t","name":"n"}},[]]}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"checkout_completed","clientId":"c","timestamp":"2026-11-24T14:02:11Z","data":{"checkout":{"transactions":{"gateway":"g"}}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"product_added_to_cart","clientId":"c","timestamp":"2026-11-24T14:02:11Z","data":{"cartLine":{"quantity":"1e3","merchandise":null,"cost":{"totalAmount":{"amount":1.5e2}}}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","customData":{"percent":"Inf","token":"t\u00e9\\u00e9"},"context":{"window":{"innerWidth":"0x10"}}}]}`,
	`{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","customData":{"percent":" 50"},"context":{"window":{"innerWidth":"9223372036854775807"}}}]}`,
}

// FuzzParseCollectBatchDifferential: ParseCollectBatch (one pass over the
// bytes) accepts exactly the bodies the former decoder
// (oracleParseCollectBatch) accepted, reads the same from them, and
// refuses the others for the same kind of reason (syntax, or the same
// check's message).
func FuzzParseCollectBatchDifferential(f *testing.F) {
	dir := filepath.Join("..", "testdata", "customer-events")
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
			f.Add([]byte(`{"shop":"s","key":"k","events":[` + string(b) + `]}`))
		}
	}
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotErr := ParseCollectBatch(body)
		want, wantErr := oracleParseCollectBatch(body)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("ParseCollectBatch: %v, the former decoder: %v", gotErr, wantErr)
		}
		if gotErr != nil {
			if !errors.Is(gotErr, ErrBadBatch) {
				t.Fatalf("the error %v does not wrap ErrBadBatch", gotErr)
			}
			// A syntax error is worded by the JSON package; every other
			// refusal must say what the former one said.
			if isSyntax(gotErr) != isSyntax(wantErr) || !isSyntax(gotErr) && gotErr.Error() != wantErr.Error() {
				t.Fatalf("refused with %q, the former decoder with %q", gotErr, wantErr)
			}
			return
		}
		if g, w := readView(got), readView(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("read\n%#v\nthe former decoder read\n%#v", g, w)
		}
	})
}

// isSyntax is whether err is about the JSON text itself (its grammar,
// a repeated name, data after the object), not about a batch's shape.
func isSyntax(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "jsontext:") || strings.Contains(msg, "json:") || errors.Is(err, errTrailing)
}
