package shopify

import (
	"errors"
	"fmt"
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
	"{\"shop\":\"s\",\"key\":\"k\",\"events\":[],\"\\u00ff\":1,\"\xff\":2,\"\xfe\":3}",
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

// grammarSeeds are bodies at the corners of JSON's grammar, where a
// decoder of its own could part from the former one: every escape, every
// shape of number and literal, a comma or colon missing or too many, the
// deepest nesting allowed and one deeper, objects of more names than a
// scan checks for repeats, repeated names spelt apart.
func grammarSeeds() []string {
	event := func(extra string) string {
		return `{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"` + extra + `}]}`
	}
	var out []string
	for _, v := range []string{
		`"\b\f\n\r\t\/\\\"\u0041\ud83d\ude00\uDBFF\u00E9x"`, `"a	b"`, `"a\x"`, `"\u12g4"`, `"\u12"`, "\"\x7f\xc3\"",
		`-0`, `0.5e+10`, `1E5`, `-1.25E-3`, `-`, `01`, `1.`, `1e`, `.5`, `+1`, `1e+`, `0x1`, `1.5.2`,
		`true`, `false`, `null`, `tru`, `nul`, `falsey`, `nulll`, `True`,
		`{"a":1,}`, `[1,]`, `{,}`, `[,]`, `{"a" 1}`, `{"a":1 "b":2}`, `[1 2]`, `{"a"::1}`, `{1:2}`, `[}`, `{]`, `{"a":1]`,
		` [ 1 , { "a" : [ ] } ] `, "\r\n[\t]", `[` + strings.Repeat(`[]`, 50) + `]`,
	} {
		out = append(out, event(`,"customData":{"percent":`+v+`}`), event(`,"x":`+v))
	}
	// The top object, events and the event are three levels deep.
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	out = append(out, event(`,"data":`+deep(maxDepth-3)), event(`,"data":`+deep(maxDepth-2)),
		event(`,"data":`+strings.Repeat(`{"a":`, maxDepth-3)+`1`+strings.Repeat(`}`, maxDepth-3)),
		event(`,"data":`+strings.Repeat(`{"a":`, maxDepth-2)+`1`+strings.Repeat(`}`, maxDepth-2)))
	var many []string
	for i := range 3 * linearNames {
		many = append(many, fmt.Sprintf(`"n%d":%d`, i, i))
	}
	for _, repeat := range []string{"", `,"n3":0`, `,"n80":0`, `,"n\u0033":0`, `,"\u006e90":0`, `,"token":"a","tok\u0065n":"b"`} {
		out = append(out, event(`,"customData":{`+strings.Join(many, ",")+repeat+`}`))
		out = append(out, event(`,"customData":{`+strings.Join(many[:linearNames], ",")+repeat+`}`))
	}
	// Bodies that end within a name, a string, an escape, a number, a literal.
	for _, end := range []string{`"`, `"x`, `"x":"`, `"x":"a\`, `"x":"\u12`, `"x":-`, `"x":1.`, `"x":tr`, `"x":[`, `"x":{`} {
		out = append(out, `{"shop":"s","key":"k","events":[],`+end)
	}
	out = append(out, event(`,"customData":{"\u00e9":1,"é":2}`), event(",\"customData\":{\"\xff\":1,\"\xfe\":2}"),
		event(`,"customData":{"a":{"b":1},"b":{"a":1},"c":[{"a":1,"b":2},{"a":3}]}`), event(`,"customData":{"a":{"b":1,"b":2}}`))
	return out
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
	for _, s := range grammarSeeds() {
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
			// A syntax error is worded by each decoder its own way; every other
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
// a repeated name, data after the object), not about a batch's shape:
// the walker's syntaxError, or the former decoder's JSON package's.
func isSyntax(err error) bool {
	msg := err.Error()
	return errors.As(err, new(*syntaxError)) || strings.Contains(msg, "jsontext:") || strings.Contains(msg, "json:")
}
