package alerts

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// Message is one alert or digest, ready for every channel.
type Message struct {
	Subject string
	Text    string
	HTML    string
	// Chat is the Slack-compatible JSON body: "text" plus "blocks".
	Chat map[string]any
}

// kindLabel names a kind as the merchant reads it.
func kindLabel(k funnel.Status) string {
	switch k {
	case funnel.StatusAbandonedCart:
		return "Abandoned cart"
	case funnel.StatusCheckoutDropoff:
		return "Checkout drop-off"
	case funnel.StatusPaymentDropoff:
		return "Payment drop-off"
	}
	return string(k)
}

// ago writes how long ago t was, at now, in words.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	plural := func(n int, unit string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", unit)
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return plural(days, "day") + " " + plural(hours, "hour") + " ago"
	case days > 0:
		return plural(days, "day") + " ago"
	case hours > 0 && mins > 0:
		return plural(hours, "hour") + " " + plural(mins, "minute") + " ago"
	case hours > 0:
		return plural(hours, "hour") + " ago"
	}
	return plural(mins, "minute") + " ago"
}

// cartView is one cart as alerts show it.
type cartView struct {
	Kind        string
	Value       string
	Currency    string
	Items       []funnel.LineItem
	Stage       string
	Ago         string
	Contact     string
	RecoveryURL string
	SessionURL  string
	SessionKey  string
}

// sessionURL links to the session in the embedded page.
func (s *Service) sessionURL(domain, key string) string {
	if s.cfg.Demo || s.cfg.APIKey == "" {
		return s.cfg.AppURL + "/demo?session=" + url.QueryEscape(key)
	}
	name := strings.TrimSuffix(domain, ".myshopify.com")
	return "https://admin.shopify.com/store/" + url.PathEscape(name) + "/apps/" + url.PathEscape(s.cfg.APIKey) +
		"?session=" + url.QueryEscape(key)
}

func (s *Service) cart(shop store.Shop, kind funnel.Status, sess funnel.Session, now time.Time) cartView {
	contact := sess.Email
	if sess.Phone != "" {
		if contact != "" {
			contact += ", "
		}
		contact += sess.Phone
	}
	cur := sess.Currency
	if cur == "" {
		cur = shop.Currency
	}
	return cartView{
		Kind:        kindLabel(kind),
		Value:       funnel.FormatMoney(sess.Value),
		Currency:    cur,
		Items:       sess.LineItems,
		Stage:       sess.Furthest().Label(),
		Ago:         ago(now, sess.LastActivity),
		Contact:     contact,
		RecoveryURL: safeURL(sess.RecoveryURL),
		SessionURL:  s.sessionURL(shop.Domain, sess.Key),
		SessionKey:  sess.Key,
	}
}

// safeURL keeps only http(s) links, so that a payload cannot put a
// javascript: link into an e-mail or chat button.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return raw
}

var alertText = texttemplate.Must(texttemplate.New("alert").Parse(`{{.Cart.Kind}} on {{.Shop}}: {{.Cart.Value}} {{.Cart.Currency}}

Items:
{{range .Cart.Items}}  - {{.Quantity}} × {{.Title}}
{{else}}  (no items listed)
{{end}}
Stage reached: {{.Cart.Stage}}
Last activity: {{.Cart.Ago}}
{{if .Cart.Contact}}Contact: {{.Cart.Contact}}
{{end}}{{if .Cart.RecoveryURL}}Checkout recovery link: {{.Cart.RecoveryURL}}
{{end}}Open in Funnelscope: {{.Cart.SessionURL}}
`))

var alertHTML = htmltemplate.Must(htmltemplate.New("alert").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>{{.Cart.Kind}} on {{.Shop}}: {{.Cart.Value}} {{.Cart.Currency}}</h2>
<ul>{{range .Cart.Items}}<li>{{.Quantity}} × {{.Title}}</li>{{else}}<li>(no items listed)</li>{{end}}</ul>
<p>Stage reached: <strong>{{.Cart.Stage}}</strong><br>
Last activity: {{.Cart.Ago}}{{if .Cart.Contact}}<br>
Contact: {{.Cart.Contact}}{{end}}</p>
<p>{{if .Cart.RecoveryURL}}<a href="{{.Cart.RecoveryURL}}">Checkout recovery link</a> · {{end}}<a href="{{.Cart.SessionURL}}">Open in Funnelscope</a></p>
</body></html>
`))

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func itemsLine(items []funnel.LineItem) string {
	parts := make([]string, 0, len(items))
	for _, it := range items {
		parts = append(parts, fmt.Sprintf("%d × %s", it.Quantity, it.Title))
	}
	return strings.Join(parts, ", ")
}

// alertMessage builds the message of one immediate alert.
func (s *Service) alertMessage(shop store.Shop, kind funnel.Status, sess funnel.Session, now time.Time) (Message, error) {
	data := struct {
		Shop string
		Cart cartView
	}{shop.Domain, s.cart(shop, kind, sess, now)}
	var text, html bytes.Buffer
	if err := alertText.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := alertHTML.Execute(&html, data); err != nil {
		return Message{}, err
	}
	c := data.Cart
	subject := fmt.Sprintf("%s — %s %s on %s", c.Kind, c.Value, c.Currency, shop.Domain)
	if len(c.Items) > 0 {
		subject += " · " + c.Items[0].Title
	}
	fields := []any{
		mrkdwn("*Value*\n" + slackEscape(c.Value+" "+c.Currency)),
		mrkdwn("*Stage reached*\n" + slackEscape(c.Stage)),
		mrkdwn("*Last activity*\n" + slackEscape(c.Ago)),
	}
	if c.Contact != "" {
		fields = append(fields, mrkdwn("*Contact*\n"+slackEscape(c.Contact)))
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": c.Kind + " on " + shop.Domain}},
		map[string]any{"type": "section", "fields": fields},
	}
	if len(c.Items) > 0 {
		blocks = append(blocks, map[string]any{"type": "section", "text": mrkdwn("*Items*\n" + slackEscape(itemsLine(c.Items)))})
	}
	blocks = append(blocks, map[string]any{"type": "actions", "elements": buttons(c)})
	return Message{
		Subject: subject,
		Text:    text.String(),
		HTML:    html.String(),
		Chat: map[string]any{
			"text":   fmt.Sprintf("%s on %s: %s %s (%s), %s", c.Kind, shop.Domain, c.Value, c.Currency, c.Stage, c.Ago),
			"blocks": blocks,
		},
	}, nil
}

func mrkdwn(s string) map[string]any { return map[string]any{"type": "mrkdwn", "text": s} }

func buttons(c cartView) []any {
	var out []any
	if c.RecoveryURL != "" {
		out = append(out, map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Checkout recovery link"}, "url": c.RecoveryURL})
	}
	return append(out, map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Open in Funnelscope"}, "url": c.SessionURL})
}

// kindSummary is one line of a digest's summary.
type kindSummary struct {
	Kind  string
	Count int
	Value string
}

// DigestLargest is how many of a digest's carts it lists.
const DigestLargest = 10

var digestText = texttemplate.Must(texttemplate.New("digest").Parse(`Abandoned carts on {{.Shop}}, {{.Window}}

{{range .Summary}}{{.Kind}}: {{.Count}}, {{.Value}} at risk
{{end}}
Largest carts:
{{range .Carts}}
* {{.Value}} {{.Currency}} · {{.Kind}} · {{.Stage}} · {{.Ago}}
  {{range $i, $it := .Items}}{{if $i}}, {{end}}{{$it.Quantity}} × {{$it.Title}}{{end}}
{{if .Contact}}  Contact: {{.Contact}}
{{end}}{{if .RecoveryURL}}  Checkout recovery link: {{.RecoveryURL}}
{{end}}  Open in Funnelscope: {{.SessionURL}}
{{end}}`))

var digestHTML = htmltemplate.Must(htmltemplate.New("digest").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>Abandoned carts on {{.Shop}}</h2>
<p>{{.Window}}</p>
<table>{{range .Summary}}<tr><td>{{.Kind}}</td><td>{{.Count}}</td><td>{{.Value}} at risk</td></tr>{{end}}</table>
<h3>Largest carts</h3>
<ol>{{range .Carts}}<li><strong>{{.Value}} {{.Currency}}</strong> · {{.Kind}} · {{.Stage}} · {{.Ago}}<br>
{{range $i, $it := .Items}}{{if $i}}, {{end}}{{$it.Quantity}} × {{$it.Title}}{{end}}{{if .Contact}}<br>
Contact: {{.Contact}}{{end}}<br>
{{if .RecoveryURL}}<a href="{{.RecoveryURL}}">Checkout recovery link</a> · {{end}}<a href="{{.SessionURL}}">Open in Funnelscope</a></li>{{end}}</ol>
</body></html>
`))

// digestEntry is one alert of a digest with its session.
type digestEntry struct {
	alert store.Alert
	sess  funnel.Session
}

// digestMessage builds a digest: count and value at risk by kind, and the
// largest carts. entries are sorted largest first.
func (s *Service) digestMessage(shop store.Shop, d store.Digest, entries []digestEntry, now time.Time) (Message, error) {
	loc, err := time.LoadLocation(d.Timezone)
	if err != nil {
		loc = time.UTC
	}
	start, end := d.WindowStart.In(loc), d.WindowEnd.In(loc)
	window := start.Format("Mon 2 Jan 2006, 15:04") + "–" + end.Format("15:04") + " (" + loc.String() + ")"
	if d.Period == store.DigestDaily {
		window = start.Format("Monday 2 January 2006") + " (" + loc.String() + ")"
	}
	type key struct {
		kind funnel.Status
		cur  string
	}
	counts := map[funnel.Status]int{}
	sums := map[key]int64{}
	for _, e := range entries {
		counts[e.alert.Kind]++
		sums[key{e.alert.Kind, e.alert.Currency}] += e.alert.Value
	}
	var summary []kindSummary
	for _, k := range store.AlertKinds() {
		if counts[k] == 0 {
			continue
		}
		var parts []string
		var curs []string
		for kk := range sums {
			if kk.kind == k {
				curs = append(curs, kk.cur)
			}
		}
		sort.Strings(curs)
		for _, c := range curs {
			parts = append(parts, strings.TrimSpace(funnel.FormatMoney(sums[key{k, c}])+" "+c))
		}
		summary = append(summary, kindSummary{Kind: kindLabel(k), Count: counts[k], Value: strings.Join(parts, " + ")})
	}
	var carts []cartView
	for i, e := range entries {
		if i == DigestLargest {
			break
		}
		carts = append(carts, s.cart(shop, e.alert.Kind, e.sess, now))
	}
	data := struct {
		Shop, Window string
		Summary      []kindSummary
		Carts        []cartView
	}{shop.Domain, window, summary, carts}
	var text, html bytes.Buffer
	if err := digestText.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := digestHTML.Execute(&html, data); err != nil {
		return Message{}, err
	}
	subject := fmt.Sprintf("%d abandoned carts on %s — %s", len(entries), shop.Domain, window)
	if len(entries) == 1 {
		subject = fmt.Sprintf("1 abandoned cart on %s — %s", shop.Domain, window)
	}
	var lines []string
	for _, sm := range summary {
		lines = append(lines, fmt.Sprintf("*%s*: %d, %s at risk", slackEscape(sm.Kind), sm.Count, slackEscape(sm.Value)))
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": "Abandoned carts on " + shop.Domain}},
		map[string]any{"type": "context", "elements": []any{mrkdwn(slackEscape(window))}},
		map[string]any{"type": "section", "text": mrkdwn(strings.Join(lines, "\n"))},
	}
	for _, c := range carts {
		line := fmt.Sprintf("*%s %s* · %s · %s · %s", slackEscape(c.Value), slackEscape(c.Currency), slackEscape(c.Kind), slackEscape(c.Stage), slackEscape(c.Ago))
		if len(c.Items) > 0 {
			line += "\n" + slackEscape(itemsLine(c.Items))
		}
		if c.Contact != "" {
			line += "\nContact: " + slackEscape(c.Contact)
		}
		line += "\n<" + slackEscape(c.SessionURL) + "|Open in Funnelscope>"
		if c.RecoveryURL != "" {
			line += " · <" + slackEscape(c.RecoveryURL) + "|Checkout recovery link>"
		}
		blocks = append(blocks, map[string]any{"type": "section", "text": mrkdwn(line)})
	}
	return Message{
		Subject: subject,
		Text:    text.String(),
		HTML:    html.String(),
		Chat:    map[string]any{"text": subject, "blocks": blocks},
	}, nil
}
