package alerts

import (
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestAnomalyMessage checks a step anomaly's message on every channel: the
// one sentence in the shop's zone, the figures, the evidence link (the
// embedded report of that day by device) in the e-mail, as the chat's
// button within Slack's limits, and the Flow payload keyed as the
// extension declares it.
func TestAnomalyMessage(t *testing.T) {
	s := service(t, false)
	shop := store.Shop{ID: 3, Domain: "mugs.myshopify.com", Currency: "USD"}
	a := store.Anomaly{ID: 41, ShopID: 3, Day: "2026-03-10", Step: funnel.StageCompleted, Device: funnel.DeviceMobile,
		Since: time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC), ExpectedRate: 0.68, ObservedRate: 0.41,
		Shoppers: 200, Reached: 82, Lost: 54, ValueAtRisk: 188686, Currency: "USD"}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.anomalyMessage(shop, a, paris)
	if err != nil {
		t.Fatal(err)
	}
	const sentence = "Reached payment → Completed order on mobile fell from 68% to 41% since 14:00 — about $1,887 at risk today"
	link := "https://admin.shopify.com/store/mugs/apps/the-key/?from=2026-03-10&segment=device&to=2026-03-10"
	for _, want := range []string{sentence, "Today: 41% of 200 shoppers", "Shoppers lost against the usual rate: 54",
		"Value at risk today: " + shown(188686, "USD"), "See that day: " + link} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, msg.Text)
		}
	}
	if !strings.Contains(msg.HTML, `<a href="`+strings.ReplaceAll(link, "&", "&amp;")+`">See that day</a>`) {
		t.Errorf("the HTML lacks the evidence link:\n%s", msg.HTML)
	}
	if !strings.HasPrefix(msg.Subject, "Step anomaly on mugs.myshopify.com: Reached payment") {
		t.Errorf("subject %q", msg.Subject)
	}
	chat := chatOf(t, msg)
	if chat.Text != sentence {
		t.Errorf("chat text %q", chat.Text)
	}
	found := false
	for _, b := range chat.Blocks {
		for _, e := range b.Elements {
			found = found || e.URL == link
		}
	}
	if !found {
		t.Errorf("no button to the evidence in %+v", chat.Blocks)
	}
	if len(msg.Flow) != 1 || msg.Flow[0].Handle != FlowStepAnomaly || msg.Flow[0].Key != "anomaly-41" {
		t.Fatalf("Flow triggers %+v", msg.Flow)
	}
	p := msg.Flow[0].Payload
	if p["Step"] != "Reached payment → Completed order" || p["Device"] != "Mobile" || p["Expected rate"] != 68.0 ||
		p["Observed rate"] != 41.0 || p["Money at risk"] != 1886.86 || p["Since"] != "2026-03-10T13:00:00Z" || p["Evidence link"] != link {
		t.Errorf("Flow payload %v", p)
	}

	// All devices, in demo mode: the app's own page.
	a.Device = ""
	msg, err = service(t, true).anomalyMessage(shop, a, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, "Completed order fell from 68% to 41% since 13:00") || !strings.Contains(msg.Text, "Device: All devices") ||
		!strings.Contains(msg.Text, "https://funnelscope.example.com/?from=2026-03-10") {
		t.Errorf("all devices, demo:\n%s", msg.Text)
	}
}

// TestAnomalyMessageOverDays checks the message of an anomaly found over
// a small shop's window of several days: since the day the drop began,
// at risk over those days, the usual rate from the same days of the weeks
// before, the evidence the report of the window's days, and the Flow
// payload's Since that day's local midnight.
func TestAnomalyMessageOverDays(t *testing.T) {
	s := service(t, false)
	shop := store.Shop{ID: 3, Domain: "mugs.myshopify.com", Currency: "USD"}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Anomaly{ID: 42, ShopID: 3, Day: "2026-12-03", WindowDays: 3, Step: funnel.StageCompleted, Device: funnel.DeviceMobile,
		Since: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), ExpectedRate: 0.7, ObservedRate: 0.36,
		Shoppers: 33, Reached: 12, Lost: 11, ValueAtRisk: 55000, Currency: "USD"}
	msg, err := s.anomalyMessage(shop, a, paris)
	if err != nil {
		t.Fatal(err)
	}
	const sentence = "Reached payment → Completed order on mobile fell from 70% to 36% since Tuesday 1 Dec — about $550 at risk over the last 3 days"
	link := "https://admin.shopify.com/store/mugs/apps/the-key/?from=2026-12-01&segment=device&to=2026-12-03"
	for _, want := range []string{sentence, "The last 3 days: 36% of 33 shoppers", "the same 3 days of each of the 4 weeks before",
		"Value at risk over the last 3 days: " + shown(55000, "USD"), "See those days: " + link} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, msg.Text)
		}
	}
	if chat := chatOf(t, msg); chat.Text != sentence {
		t.Errorf("chat text %q", chat.Text)
	}
	if p := msg.Flow[0].Payload; p["Since"] != "2026-11-30T23:00:00Z" || p["Evidence link"] != link {
		t.Errorf("Flow payload %v", p)
	}
	if got := AnomalySince(a, paris); got != "Tuesday 1 Dec" {
		t.Errorf("since %q", got)
	}
}
