package alerts

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// DeliverAnomaly works one delivery attempt of a step anomaly, as
// DeliverAlert does for an alert (the same attempts, channels and
// failures); it is skipped once the shop turned anomalies off.
func (s *Service) DeliverAnomaly(ctx context.Context, id int64, attempt, maxAttempts int) error {
	return s.deliver(ctx, id, attempt, maxAttempts, s.anomalyParcel)
}

// anomalyParcel loads an anomaly.
func (s *Service) anomalyParcel(ctx context.Context, id int64) (parcel, error) {
	a, err := s.cfg.Store.AnomalyByID(ctx, id)
	if err != nil {
		return parcel{}, err
	}
	loc := time.UTC
	return parcel{
		kind: store.ParcelAnomaly, shopID: a.ShopID, status: a.Status, done: a.ChannelsDone,
		prepare: func(ctx context.Context) (string, error) {
			// The message tells the time in the shop's zone.
			shop, err := s.cfg.Store.ShopByID(ctx, a.ShopID)
			if err != nil {
				return "", err
			}
			set, err := s.cfg.Store.Settings(ctx, a.ShopID)
			if err != nil {
				return "", err
			}
			loc = set.Location(shop)
			return "", nil
		},
		message: func(shop store.Shop, _ time.Time) (Message, error) {
			return s.anomalyMessage(shop, a, loc)
		},
		logSent: func(ctx context.Context, shop store.Shop) {
			s.cfg.Log.InfoContext(ctx, "step anomaly sent", "shop", shop.Domain, "anomaly", id)
		},
		wanted: func(st store.AlertSettings) bool { return st.AnomaliesEnabled },
	}, nil
}

// EvidenceURL is the page that shows an anomaly's evidence: the report of
// its window's days, split by device.
func (s *Service) EvidenceURL(domain string, a store.Anomaly) string {
	return s.pageURL(domain, EvidencePath(a))
}

// EvidencePath is the path and query of an anomaly's evidence: the report
// of its window's days (its day alone for a one-day window), split by
// device.
func EvidencePath(a store.Anomaly) string {
	return "/?" + url.Values{"from": {a.FirstDay()}, "to": {a.Day}, "segment": {funnel.SegmentDevice}}.Encode()
}

// AnomalySince says when the drop began, in loc: the hour ("14:00") for
// a one-day window, else the day ("Tuesday 1 Dec").
func AnomalySince(a store.Anomaly, loc *time.Location) string {
	if a.WindowDays > 1 {
		return a.Since.In(loc).Format("Monday 2 Jan")
	}
	return a.Since.In(loc).Format("15:04")
}

// anomalyPeriod names the anomaly's window: "today", or "over the last 3
// days".
func anomalyPeriod(a store.Anomaly) string {
	if a.WindowDays > 1 {
		return "over the last " + strconv.Itoa(a.WindowDays) + " days"
	}
	return "today"
}

// anomalyView is an anomaly as its message shows it.
type anomalyView struct {
	Shop, Step, Device, Expected, Observed, Since, AtRisk string
	Shoppers, Lost                                        int64
	Day, EvidenceURL                                      string
	// Period is "today" or "over the last 3 days", Usual what the usual
	// rate rests on, Window the tested days ("Today", "The last 3 days").
	Period, Usual, Window string
}

// deviceLabel names an anomaly's device: "All devices" for "".
func deviceLabel(d funnel.Device) string {
	if d == "" {
		return "All devices"
	}
	return d.Label()
}

// percent writes a rate as a whole percentage.
func percent(r float64) string { return strconv.Itoa(int(math.Round(100*r))) + "%" }

// AnomalySummary is the anomaly in one sentence: "Reached payment →
// Completed order on mobile fell from 68% to 41% since 14:00 — about
// $1,900 at risk today", in the shop's time zone loc; over a window of
// several days "… since Tuesday 1 Dec — about $300 at risk over the last
// 3 days".
func AnomalySummary(a store.Anomaly, currency string, loc *time.Location) string {
	on := ""
	if a.Device != "" {
		on = " on " + string(a.Device)
	}
	return fmt.Sprintf("%s%s fell from %s to %s since %s — about %s at risk %s",
		(a.Step-1).Label()+" → "+a.Step.Label(), on, percent(a.ExpectedRate), percent(a.ObservedRate),
		AnomalySince(a, loc), about(a.ValueAtRisk, currency), anomalyPeriod(a))
}

// about writes an amount in minor units rounded to whole units, without
// the cents, for "about $1,887".
func about(minor int64, currency string) string {
	whole := int64(math.Round(float64(minor)/100)) * 100
	return strings.Replace(funnel.DisplayMoney(whole, currency), ".00", "", 1)
}

// anomalyMessage builds the message of one step anomaly, its times in
// loc.
func (s *Service) anomalyMessage(shop store.Shop, a store.Anomaly, loc *time.Location) (Message, error) {
	currency := cut(funnel.ValueCurrency(a.Currency, shop.Currency), maxCurrency)
	v := anomalyView{
		Shop: shop.Domain, Step: (a.Step - 1).Label() + " → " + a.Step.Label(), Device: deviceLabel(a.Device),
		Expected: percent(a.ExpectedRate), Observed: percent(a.ObservedRate), Since: AnomalySince(a, loc),
		AtRisk: funnel.DisplayMoney(a.ValueAtRisk, currency), Shoppers: a.Shoppers, Lost: a.Lost,
		Day: a.Day, EvidenceURL: s.EvidenceURL(shop.Domain, a),
		Period: anomalyPeriod(a), Usual: "the same weekday and hours of the last 4 weeks", Window: "Today",
	}
	if a.WindowDays > 1 {
		v.Usual = "the same " + strconv.Itoa(a.WindowDays) + " days of each of the 4 weeks before"
		v.Window = "The last " + strconv.Itoa(a.WindowDays) + " days"
	}
	summary := AnomalySummary(a, currency, loc)
	var text, html bytes.Buffer
	if err := anomalyText.Execute(&text, struct {
		V       anomalyView
		Summary string
	}{v, summary}); err != nil {
		return Message{}, err
	}
	if err := anomalyHTML.Execute(&html, struct {
		V       anomalyView
		Summary string
	}{v, summary}); err != nil {
		return Message{}, err
	}
	blocks := []any{
		header("Step anomaly on " + shop.Domain),
		section(slackEscape(summary)),
		fieldsSection([]string{
			"*Device*\n" + slackEscape(v.Device),
			"*Shoppers " + v.Period + "*\n" + strconv.FormatInt(v.Shoppers, 10),
			"*Lost vs usual*\n" + strconv.FormatInt(v.Lost, 10),
			"*Value at risk*\n" + slackEscape(v.AtRisk),
		}),
	}
	if b, ok := button("See that day", v.EvidenceURL); ok {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": []any{b}})
	}
	return Message{
		Subject: cut("Step anomaly on "+shop.Domain+": "+summary, maxSubject),
		Text:    text.String(),
		HTML:    html.String(),
		Chat:    map[string]any{"text": cut(summary, slackText), "blocks": blocks},
		Flow: []FlowTrigger{{Handle: FlowStepAnomaly, Key: "anomaly-" + strconv.FormatInt(a.ID, 10), Payload: FlowAnomalyPayload(FlowAnomaly{
			Step: v.Step, Device: v.Device, ExpectedRate: a.ExpectedRate, ObservedRate: a.ObservedRate,
			MoneyAtRisk: a.ValueAtRisk, Currency: currency, Since: a.Since, EvidenceURL: v.EvidenceURL,
		})}},
	}, nil
}

var anomalyText = texttemplate.Must(texttemplate.New("anomaly").Parse(`Step anomaly on {{.V.Shop}}

{{.Summary}}.

Step: {{.V.Step}}
Device: {{.V.Device}}
Usual rate: {{.V.Expected}} ({{.V.Usual}})
{{.V.Window}}: {{.V.Observed}} of {{.V.Shoppers}} shoppers
Shoppers lost against the usual rate: {{.V.Lost}}
Value at risk {{.V.Period}}: {{.V.AtRisk}}

See {{if eq .V.Window "Today"}}that day{{else}}those days{{end}}: {{.V.EvidenceURL}}
`))

var anomalyHTML = htmltemplate.Must(htmltemplate.New("anomaly").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>Step anomaly on {{.V.Shop}}</h2>
<p><strong>{{.Summary}}.</strong></p>
<p>Step: {{.V.Step}}<br>
Device: {{.V.Device}}<br>
Usual rate: {{.V.Expected}} ({{.V.Usual}})<br>
{{.V.Window}}: {{.V.Observed}} of {{.V.Shoppers}} shoppers<br>
Shoppers lost against the usual rate: {{.V.Lost}}<br>
Value at risk {{.V.Period}}: {{.V.AtRisk}}</p>
<p><a href="{{.V.EvidenceURL}}">See {{if eq .V.Window "Today"}}that day{{else}}those days{{end}}</a></p>
</body></html>
`))
