package store

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestEventJSONIsJSONv1s: appendEventJSON writes jsonv1.Marshal's bytes
// for events with every field empty or set, to strings that need no
// escape and to strings that do (quotes, HTML's characters, controls,
// U+2028, other scripts, invalid UTF-8), at times in any zone; every
// field is covered, so a field added to the struct and not to the
// encoder fails here. decodeEventJSON reads every one back as jsonv1
// does, and its fast path reads all of those without an escape, so a
// field the decoder does not know fails here too.
func TestEventJSONIsJSONv1s(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	texts := []string{"", "", "plain-id_42", "/products/mug?x=1", `say "hi"`, `a\b`, "<b>&amp;</b>", "tab\there\nline",
		"\x00\x1f\x7f", "\u2028\u2029", "café 東京", "bad \xff\xfe utf-8", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"}
	// Every other case takes only the first texts, which need no escape,
	// so that the fast decoder's every field is reached.
	plain := false
	text := func() string {
		if plain {
			return texts[r.IntN(4)]
		}
		return texts[r.IntN(len(texts))]
	}
	num := func() int64 { return []int64{0, 0, 1, -7, 1500, 1 << 40}[r.IntN(6)] }
	zones := []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800)}
	var e funnel.StorefrontEvent
	v := reflect.ValueOf(&e).Elem()
	for i := range 3000 {
		plain = i%2 == 0
		for f := range v.NumField() {
			switch fv := v.Field(f); fv.Kind() {
			case reflect.String:
				fv.SetString(text())
			case reflect.Int, reflect.Int64:
				fv.SetInt(num())
			case reflect.Struct:
				fv.Set(reflect.ValueOf(time.Date(2026, 11, 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(3)*r.IntN(1e9), zones[r.IntN(3)])))
			default:
				t.Fatalf("field %s of kind %s: the test does not fill it", v.Type().Field(f).Name, fv.Kind())
			}
		}
		want, err := jsonv1.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendEventJSON(nil, e)
		if err != nil || string(got) != string(want) {
			t.Fatalf("case %d: appendEventJSON = %s, %v\njsonv1.Marshal = %s", i, got, err, want)
		}
		var back, wantBack funnel.StorefrontEvent
		if err := decodeEventJSON(string(got), &back); err != nil || jsonv1.Unmarshal(got, &wantBack) != nil || !reflect.DeepEqual(back, wantBack) {
			t.Fatalf("case %d: decodeEventJSON(%s) = %+v, %v; jsonv1 reads %+v", i, got, back, err, wantBack)
		}
		// The encoder's output without escapes is the fast path's to
		// read: a field the decoder does not know would send every event
		// to jsonv1, correct but slow.
		if !strings.Contains(string(got), `\`) && !decodeEventFast(string(got), &back) {
			t.Fatalf("case %d: the fast decoder refused %s", i, got)
		}
	}
	e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := appendEventJSON(nil, e); err == nil {
		t.Error("an event of the year 10000 encoded; want jsonv1's error")
	}
}

// eventJSONOddities are raw event rows where a fast decoder could part from
// jsonv1: other names, cases, spaces, numbers and times in forms the
// encoder never writes, strings with escapes, controls or invalid UTF-8.
var eventJSONOddities = []string{
	`{}`, `[]`, `null`, `{"id":"a",}`, `{"id":"a""name":"b"}`, `{"id":"a","ID":"b"}`, `{"Id":"x"}`, `{ "id":"a"}`,
	`{"id":null}`, `{"id":5}`, `{"quantity":"3"}`, `{"inner_width":01}`, `{"inner_width":+1}`, `{"inner_width":-0}`,
	`{"inner_width":1e3}`, `{"value":9223372036854775808}`, `{"value":-9223372036854775808}`, `{"id":"a\u0000b"}`,
	"{\"id\":\"a\x01b\"}", "{\"id\":\"\xff\"}", `{"id":"\"q\""}`, `{"at":"2026-11-01T10:00:00,5Z"}`,
	`{"at":"2026-11-01T10:00:00.500Z"}`, `{"at":"2026-11-01T10:00:00+00:00"}`, `{"at":"2026-11-01T24:00:00Z"}`,
	`{"at":"2026-11-01T10:00:00.5-05:00","id":"e","id":"f"}`, `{"unknown":"x"}`, `{"id":"a"`, `{"id`, `{"id":"a"}x`,
}

// FuzzDecodeEventJSON: decodeEventJSON reads every text as jsonv1.Unmarshal
// does — the same event, or an error where it errs.
func FuzzDecodeEventJSON(f *testing.F) {
	for _, s := range eventJSONOddities {
		f.Add(s)
	}
	e := funnel.StorefrontEvent{ID: "sh-1", ClientID: "c", Name: "product_viewed", At: time.Date(2026, 11, 1, 10, 0, 0, 5e8, time.UTC),
		Path: "/products/mug", UserAgent: "Mozilla/5.0", InnerWidth: 390, ProductID: "gid://shopify/Product/1", Quantity: 2, Value: 1500}
	b, _ := appendEventJSON(nil, e)
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		var got, want funnel.StorefrontEvent
		gotErr := decodeEventJSON(s, &got)
		wantErr := jsonv1.Unmarshal([]byte(s), &want)
		if (gotErr == nil) != (wantErr == nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeEventJSON(%q) = %+v, %v\njsonv1.Unmarshal = %+v, %v", s, got, gotErr, want, wantErr)
		}
	})
}
