package alerts

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// flowExtension is what a Flow trigger's shopify.extension.toml declares.
type flowExtension struct {
	Extensions []struct {
		Name   string `toml:"name"`
		Type   string `toml:"type"`
		Handle string `toml:"handle"`
	} `toml:"extensions"`
	Settings struct {
		Fields []struct {
			Type string `toml:"type"`
			Key  string `toml:"key"`
		} `toml:"fields"`
	} `toml:"settings"`
}

// readFlowExtension parses the extension in extensions/dir, failing unless
// it is one flow_trigger with the handle and name.
func readFlowExtension(t *testing.T, dir, handle, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "extensions", dir, "shopify.extension.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var ext flowExtension
	if _, err := toml.Decode(string(b), &ext); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	if len(ext.Extensions) != 1 || ext.Extensions[0].Type != "flow_trigger" || ext.Extensions[0].Handle != handle || ext.Extensions[0].Name != name {
		t.Fatalf("%s declares %+v, want one flow_trigger %q named %q", dir, ext.Extensions, handle, name)
	}
	// Shopify CLI's rules: a handle of at most 30 letters, digits and
	// hyphens; field keys of letters and spaces; the field types a trigger
	// may carry.
	if !regexp.MustCompile(`^[a-z0-9-]{1,30}$`).MatchString(handle) {
		t.Errorf("handle %q is not a valid extension handle", handle)
	}
	fields := map[string]string{}
	for _, f := range ext.Settings.Fields {
		if !regexp.MustCompile(`^[a-zA-Z ]+$`).MatchString(f.Key) {
			t.Errorf("%s: field key %q must hold only letters and spaces", dir, f.Key)
		}
		if !slices.Contains([]string{"boolean", "email", "single_line_text_field", "url", "number_decimal"}, f.Type) {
			t.Errorf("%s: field %q has type %q, which Flow triggers do not take", dir, f.Key, f.Type)
		}
		if _, dup := fields[f.Key]; dup {
			t.Errorf("%s: field %q declared twice", dir, f.Key)
		}
		fields[f.Key] = f.Type
	}
	return fields
}

// checkPayload fails unless every key of payload is a declared field whose
// type the value fits, once through JSON as flowTriggerReceive sends it,
// and every declared field but the optional ones is there.
func checkPayload(t *testing.T, what string, fields map[string]string, payload map[string]any, optional ...string) {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal(b, &sent); err != nil {
		t.Fatal(err)
	}
	for key, v := range sent {
		typ, ok := fields[key]
		if !ok {
			t.Errorf("%s: payload key %q is not a field of the extension", what, key)
			continue
		}
		var fits bool
		switch s, isString := v.(string); typ {
		case "number_decimal":
			f, isNumber := v.(float64)
			fits = isNumber && !math.IsNaN(f)
		case "boolean":
			_, fits = v.(bool)
		case "email":
			fits = isString && strings.Count(s, "@") == 1
		case "url":
			fits = isString && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://"))
		default:
			fits = isString
		}
		if !fits {
			t.Errorf("%s: %q = %#v does not fit its type %s", what, key, v, typ)
		}
	}
	for key := range fields {
		if _, ok := sent[key]; !ok && !slices.Contains(optional, key) {
			t.Errorf("%s: declared field %q is missing from the payload", what, key)
		}
	}
}

// TestFlowCartPayloadMatchesExtension: the payload of "Funnelscope: cart
// abandoned" carries exactly the fields its extension declares, with
// values of their types, for a cart with every detail and one with none.
func TestFlowCartPayloadMatchesExtension(t *testing.T) {
	fields := readFlowExtension(t, "funnelscope-flow-abandoned", FlowCartAbandoned, "Funnelscope: cart abandoned")
	s := service(t, false)
	sess := paymentDropoff()
	full := s.FlowCartPayload(testShop, funnel.StatusPaymentDropoff, sess, testNow)
	checkPayload(t, "full cart", fields, full)
	if full["Session value"] != 42.0 || full["Currency"] != "EUR" || full["Contact email"] != "ana@example.com" ||
		full["Recovery link"] != sess.RecoveryURL || full["Stage"] != sess.Furthest().Label() {
		t.Errorf("full cart payload %v", full)
	}
	if !strings.HasSuffix(full["Session link"].(string), "/sessions/cart-7") {
		t.Errorf("Session link %q", full["Session link"])
	}

	bare := funnel.Session{Key: "cart-8", StartedAt: testNow.Add(-time.Hour), LastActivity: testNow.Add(-time.Hour),
		AddedToCartAt: &testNow, Value: 1999, Currency: "USD", RecoveryURL: "javascript:alert(1)"}
	p := s.FlowCartPayload(testShop, funnel.StatusAbandonedCart, bare, testNow)
	checkPayload(t, "bare cart", fields, p, "Contact email", "Contact phone", "Recovery link")
	for _, k := range []string{"Contact email", "Contact phone", "Recovery link"} {
		if _, ok := p[k]; ok {
			t.Errorf("bare cart carries %q = %v", k, p[k])
		}
	}
	if p["Session value"] != 19.99 || p["Currency"] != "USD" {
		t.Errorf("bare cart payload %v", p)
	}
}

// TestFlowAnomalyPayloadMatchesExtension: the payload of "Funnelscope:
// step anomaly" against its extension's fields.
func TestFlowAnomalyPayloadMatchesExtension(t *testing.T) {
	fields := readFlowExtension(t, "funnelscope-flow-anomaly", FlowStepAnomaly, "Funnelscope: step anomaly")
	p := FlowAnomalyPayload(FlowAnomaly{
		Step: "Payment completed", Device: "Mobile", ExpectedRate: 0.68, ObservedRate: 0.4149,
		MoneyAtRisk: 190000, Currency: "USD", Since: time.Date(2026, 5, 14, 14, 0, 0, 0, time.UTC),
		EvidenceURL: "https://admin.shopify.com/store/s/apps/k/impact",
	})
	checkPayload(t, "anomaly", fields, p)
	if p["Observed rate"] != 41.5 || p["Expected rate"] != 68.0 || p["Money at risk"] != 1900.0 || p["Since"] != "2026-05-14T14:00:00Z" {
		t.Errorf("anomaly payload %v", p)
	}
}

// TestMessagesFireFlow: an alert fires one cart trigger; a digest one per
// cart, every cart included, not only those it lists.
func TestMessagesFireFlowTriggers(t *testing.T) {
	s := service(t, false)
	sess := paymentDropoff()
	msg, err := s.alertMessage(testShop, funnel.StatusPaymentDropoff, sess, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Flow) != 1 || msg.Flow[0].Handle != FlowCartAbandoned || msg.Flow[0].Key != sess.Key {
		t.Fatalf("alert fires %+v", msg.Flow)
	}
	var entries []digestEntry
	for i := range DigestLargest + 3 {
		e := paymentDropoff()
		e.Key = fmt.Sprintf("cart-%02d", i)
		entries = append(entries, digestEntry{store.Alert{Kind: funnel.StatusPaymentDropoff, Value: e.Value, SessionKey: e.Key}, e})
	}
	d := store.Digest{Period: store.DigestHourly, Timezone: "UTC", WindowStart: testNow.Add(-2 * time.Hour), WindowEnd: testNow.Add(-time.Hour)}
	msg, err = s.digestMessage(testShop, d, entries, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Flow) != len(entries) {
		t.Fatalf("a digest of %d carts fires %d triggers", len(entries), len(msg.Flow))
	}
	for i, tr := range msg.Flow {
		if tr.Key != entries[i].sess.Key || tr.Payload["Session key"] != entries[i].sess.Key {
			t.Errorf("trigger %d is of %q (payload %v), want %q", i, tr.Key, tr.Payload["Session key"], entries[i].sess.Key)
		}
	}
}
