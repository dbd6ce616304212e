package funnel

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestCustomerContact(t *testing.T) {
	jose := Customer{ID: 7451, Email: norm.NFC.String("josé@exämple.com"), Phone: "+1 (555) 010-0000"}.Matcher()
	for _, tc := range []struct {
		email, phone string
		want         bool
	}{
		{norm.NFC.String("josé@exämple.com"), "", true},
		{norm.NFD.String("josé@exämple.com"), "", true},
		{norm.NFD.String("JOSÉ@EXÄMPLE.COM"), "", true},
		{"  José@Exämple.com ", "", true},
		{"", "15550100000", true},
		{"", "+1-555-010-0000", true},
		{"jose@example.com", "", false}, // another address: no accents
		{"josé@exämple.co", "", false},
		{"", "5550100000", false}, // other digits
		{"", "", false},
	} {
		if got := jose.Contact(tc.email, tc.phone); got != tc.want {
			t.Errorf("Contact(%q, %q) = %v, want %v", tc.email, tc.phone, got, tc.want)
		}
	}
	if !jose.Record(7451, "", "") || jose.Record(7452, "", "") || !jose.Record(0, "JOSÉ@exämple.com", "") {
		t.Error("Record does not match by customer id, or matches another id")
	}
	if none := (Customer{}).Matcher(); !none.Empty() || none.Contact("", "") || none.Record(0, "", "") || none.Payload([]byte(`{"email":""}`)) {
		t.Error("a matcher that names nobody matches")
	}
	if (Customer{Phone: "n/a"}).Matcher().Contact("", "none") {
		t.Error("a phone without digits matched another without digits")
	}
}

func TestCustomerPayload(t *testing.T) {
	jane := Customer{ID: 7451, Email: "jane@example.com", Phone: "+1 (555) 010-0000"}.Matcher()
	jose := Customer{Email: norm.NFC.String("josé@exämple.com")}.Matcher()
	for _, tc := range []struct {
		name string
		m    CustomerMatcher
		body string
		want bool
	}{
		{"plain e-mail", jane, `{"email":"jane@example.com"}`, true},
		{"escaped @", jane, `{"email":"jane\u0040example.com"}`, true},
		{"escaped letters", jane, `{"email":"\u006Aane@example.com"}`, true},
		{"upper case", jane, `{"contact_email":"JANE@EXAMPLE.COM"}`, true},
		{"customer's e-mail", jane, `{"customer":{"email":"Jane@Example.com"}}`, true},
		{"phone digits", jane, `{"phone":"15550100000"}`, true},
		{"address phone", jane, `{"customer":{"addresses":[{"phone":"+1 555 010 0000"}]}}`, true},
		{"shipping phone", jane, `{"shipping_address":{"phone":"1-555-010-0000"}}`, true},
		{"sms phone", jane, `{"sms_marketing_phone":"+15550100000"}`, true},
		{"customer id only", jane, `{"id":1,"customer":{"id":7451,"email":null}}`, true},
		{"customer gid", jane, `{"customer":{"admin_graphql_api_id":"gid://shopify/Customer/7451"}}`, true},
		{"customer_id", jane, `{"default_address":{"customer_id":7451}}`, true},
		{"e-mail in a note", jane, `{"note":"call jane@example.com."}`, true},
		{"e-mail in a URL", jane, `{"landing_site":"/?e=jane%40example.com&x=1"}`, true},
		{"NFD payload, NFC request", jose, `{"email":"` + norm.NFD.String("josé@exämple.com") + `"}`, true},
		{"escaped NFD payload", jose, `{"email":"jos\u0065\u0301@ex\u0061\u0308mple.com"}`, true},
		{"truncated JSON", jane, `{"line_items":[],"email":"jane@example.com"`, true},
		{"not JSON", jane, `email=JANE@example.com&phone=`, true},
		{"not JSON, phone", jane, `<phone>+1 (555) 010-0000</phone>`, true},

		{"another e-mail", jane, `{"email":"joann@example.com","note":"ann@example.com"}`, false},
		{"longer domain", jane, `{"note":"jane@example.com.au"}`, false},
		{"order id is not a customer id", jane, `{"id":7451,"order_number":7451,"line_items":[{"id":7451}]}`, false},
		{"another customer", jane, `{"customer":{"id":7452,"phone":"+1 555 010 0001"}}`, false},
		{"phone in a price field", jane, `{"total_price":"15550100000"}`, false},
		{"accents matter", jose, `{"email":"jose@example.com"}`, false},
	} {
		if got := tc.m.Payload([]byte(tc.body)); got != tc.want {
			t.Errorf("%s: Payload(%s) = %v, want %v", tc.name, tc.body, got, tc.want)
		}
	}
}

// TestCustomerPayloadLaw: a payload built from a random nesting of objects
// and arrays names the customer exactly when one of its fields is the
// customer's e-mail in any case or Unicode form, however it is escaped.
func TestCustomerPayloadLaw(t *testing.T) {
	r, _ := newRand(t, 11)
	forms := []func(string) string{
		func(s string) string { return s },
		strings.ToUpper,
		norm.NFD.String,
		func(s string) string { return strings.ToUpper(norm.NFD.String(s)) },
	}
	emails := []string{"ann@example.com", norm.NFC.String("zoë@exämple.com"), "bo+tag@example.org"}
	for i := range 500 {
		target := emails[r.IntN(len(emails))]
		other := emails[r.IntN(len(emails))]
		field := forms[r.IntN(len(forms))](other)
		var v any = map[string]any{"email": field, "total_price": "1.00"}
		for range r.IntN(4) {
			switch r.IntN(3) {
			case 0:
				v = map[string]any{"customer": v, "id": i}
			case 1:
				v = []any{1, v, "x"}
			default:
				v = map[string]any{"addresses": []any{v}, "note": nil}
			}
		}
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if r.IntN(2) == 0 {
			body = []byte(strings.ReplaceAll(string(body), "@", `\u0040`))
		}
		want := EmailKey(other) == EmailKey(target)
		if got := (Customer{Email: target}).Matcher().Payload(body); got != want {
			t.Fatalf("case %d: Payload(%s) for %q = %v, want %v", i, body, target, got, want)
		}
	}
}

func BenchmarkCustomerPayload(b *testing.B) {
	var items []string
	for i := range 200 {
		items = append(items, fmt.Sprintf(`{"id":%d,"title":"Item %d","quantity":1,"price":"9.99"}`, i, i))
	}
	body := []byte(`{"id":1,"email":"someone@example.com","customer":{"id":2,"email":"someone@example.com"},"line_items":[` +
		strings.Join(items, ",") + `]}`)
	m := Customer{ID: 7451, Email: "jane@example.com", Phone: "+15550100000"}.Matcher()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if m.Payload(body) {
			b.Fatal("matched")
		}
	}
}
