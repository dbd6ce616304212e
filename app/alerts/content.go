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
	"unicode/utf8"

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
	// Flow are the Shopify Flow triggers the message fires: one per cart.
	Flow []FlowTrigger
}

// Bounds of an alert's texts: a cart's titles and items come from payloads,
// and unbounded they make e-mail subjects of hundreds of kilobytes and chat
// messages that Slack refuses. Lengths are in characters (runes).
const (
	maxSubject  = 150  // an e-mail subject
	maxItems    = 5    // line items listed per cart; the rest are counted
	maxTitle    = 100  // an item title
	maxContact  = 200  // a cart's contact line
	maxCurrency = 12   // a currency code
	maxLinkURL  = 1000 // a link inside a chat text; a longer one is left out
)

// Slack's Block Kit limits (api.slack.com/reference/block-kit): header text
// 150, section text 3000, up to 10 section fields of 2000 each, 50 blocks a
// message, button text 75 and URL 3000. Slack also refuses messages whose
// blocks hold much more than 12,000 characters in all (msg_blocks_too_long),
// so a digest lists only the carts that fit that budget. The top-level
// text, the notification, is kept within a section's length too.
const (
	slackHeader  = 150
	slackSection = 3000
	slackFields  = 10
	slackField   = 2000
	slackBlocks  = 50
	slackButton  = 75
	slackURL     = 3000
	slackText    = 3000
	slackBudget  = 12000
)

// cut shortens s to at most n characters, ending it with "…" when cut; it
// cuts between runes, never inside one.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// slackCut escapes s for Slack's mrkdwn and shortens the result to at most
// n characters, never inside an escape.
func slackCut(s string, n int) string {
	esc := slackEscape(s)
	if utf8.RuneCountInString(esc) <= n {
		return esc
	}
	var b strings.Builder
	count := 0
	for _, r := range s {
		piece := slackEscape(string(r))
		c := utf8.RuneCountInString(piece)
		if count+c > n-1 {
			break
		}
		b.WriteString(piece)
		count += c
	}
	return b.String() + "…"
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

// cartView is one cart as alerts show it, every text bounded.
type cartView struct {
	Kind string
	// Value is the cart's value with its currency (funnel.DisplayMoney).
	Value string
	// Items are the first maxItems lines, titles cut; MoreItems counts the
	// lines left out.
	Items       []funnel.LineItem
	MoreItems   int
	Stage       string
	Ago         string
	Contact     string
	RecoveryURL string
	SessionURL  string
	SessionKey  string
}

// sessionURL links to the session's page of the embedded app,
// /sessions/{key}. In the admin it is the app's page under the store's
// admin, which the admin opens in its frame as the app's URL with that
// path and the shop, host and session token it adds itself; in demo mode
// the app's own page, which gives itself the demo shop and a token.
func (s *Service) sessionURL(domain, key string) string {
	return s.pageURL(domain, "/sessions/"+url.PathEscape(key))
}

// pageURL links to a page of the embedded app, path with its query, as
// sessionURL does.
func (s *Service) pageURL(domain, path string) string {
	if s.cfg.Demo || s.cfg.APIKey == "" {
		return s.cfg.AppURL + path
	}
	name := strings.TrimSuffix(domain, ".myshopify.com")
	return "https://admin.shopify.com/store/" + url.PathEscape(name) + "/apps/" + url.PathEscape(s.cfg.APIKey) + path
}

func (s *Service) cart(shop store.Shop, kind funnel.Status, sess funnel.Session, now time.Time) cartView {
	contact := sess.Email
	if sess.Phone != "" {
		if contact != "" {
			contact += ", "
		}
		contact += sess.Phone
	}
	shown := sess.LineItems[:min(len(sess.LineItems), maxItems)]
	items := make([]funnel.LineItem, len(shown))
	for i, it := range shown {
		items[i] = funnel.LineItem{Title: cut(it.Title, maxTitle), Quantity: it.Quantity}
	}
	return cartView{
		Kind:        kind.Label(),
		Value:       funnel.DisplayMoney(sess.Value, cut(funnel.ValueCurrency(sess.Currency, shop.Currency), maxCurrency)),
		Items:       items,
		MoreItems:   len(sess.LineItems) - len(shown),
		Stage:       sess.Furthest().Label(),
		Ago:         ago(now, sess.LastActivity),
		Contact:     cut(contact, maxContact),
		RecoveryURL: safeURL(sess.RecoveryURL),
		SessionURL:  s.sessionURL(shop.Domain, sess.Key),
		SessionKey:  sess.Key,
	}
}

// safeURL keeps only http(s) links, so that a payload cannot put a
// javascript: link into an e-mail or chat button, and only those short
// enough for a chat button: no real link is longer.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || utf8.RuneCountInString(raw) > slackURL {
		return ""
	}
	return raw
}

var alertText = texttemplate.Must(texttemplate.New("alert").Parse(`{{.Cart.Kind}} on {{.Shop}}: {{.Cart.Value}}

Items:
{{range .Cart.Items}}  - {{.Quantity}} × {{.Title}}
{{else}}  (no items listed)
{{end}}{{if .Cart.MoreItems}}  … and {{.Cart.MoreItems}} more
{{end}}
Stage reached: {{.Cart.Stage}}
Last activity: {{.Cart.Ago}}
{{if .Cart.Contact}}Contact: {{.Cart.Contact}}
{{end}}{{if .Cart.RecoveryURL}}Checkout recovery link: {{.Cart.RecoveryURL}}
{{end}}Open in Funnelscope: {{.Cart.SessionURL}}
`))

var alertHTML = htmltemplate.Must(htmltemplate.New("alert").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>{{.Cart.Kind}} on {{.Shop}}: {{.Cart.Value}}</h2>
<ul>{{range .Cart.Items}}<li>{{.Quantity}} × {{.Title}}</li>{{else}}<li>(no items listed)</li>{{end}}{{if .Cart.MoreItems}}<li>… and {{.Cart.MoreItems}} more</li>{{end}}</ul>
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

// itemsLine lists a cart's shown items on one line, with how many more
// there are.
func itemsLine(c cartView) string {
	parts := make([]string, 0, len(c.Items)+1)
	for _, it := range c.Items {
		parts = append(parts, fmt.Sprintf("%d × %s", it.Quantity, it.Title))
	}
	if c.MoreItems > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", c.MoreItems))
	}
	return strings.Join(parts, ", ")
}

// Slack blocks, each within its limits.

func header(text string) map[string]any {
	return map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": cut(text, slackHeader)}}
}

// section is a section of mrkdwn, already escaped; it is cut to the limit
// only as a last resort, as its parts are bounded.
func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": mrkdwn(cut(text, slackSection))}
}

func fieldsSection(fields []string) map[string]any {
	out := make([]any, 0, min(len(fields), slackFields))
	for _, f := range fields[:min(len(fields), slackFields)] {
		out = append(out, mrkdwn(cut(f, slackField)))
	}
	return map[string]any{"type": "section", "fields": out}
}

// button is a link button; a URL longer than Slack takes makes none.
func button(text, url string) (map[string]any, bool) {
	if url == "" || utf8.RuneCountInString(url) > slackURL {
		return nil, false
	}
	return map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": cut(text, slackButton)}, "url": url}, true
}

// link is a mrkdwn link, or "" when the URL is too long to show.
func link(url, text string) string {
	if url == "" || utf8.RuneCountInString(url) > maxLinkURL {
		return ""
	}
	return "<" + slackEscape(url) + "|" + text + ">"
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
	subject := fmt.Sprintf("%s — %s on %s", c.Kind, c.Value, shop.Domain)
	if len(c.Items) > 0 {
		subject += " · " + c.Items[0].Title
	}
	fields := []string{
		"*Value*\n" + slackEscape(c.Value),
		"*Stage reached*\n" + slackEscape(c.Stage),
		"*Last activity*\n" + slackEscape(c.Ago),
	}
	if c.Contact != "" {
		fields = append(fields, "*Contact*\n"+slackEscape(c.Contact))
	}
	blocks := []any{header(c.Kind + " on " + shop.Domain), fieldsSection(fields)}
	if len(c.Items) > 0 {
		blocks = append(blocks, section("*Items*\n"+slackCut(itemsLine(c), slackSection-len("*Items*\n"))))
	}
	if b := buttons(c); len(b) > 0 {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": b})
	}
	return Message{
		Subject: cut(subject, maxSubject),
		Text:    text.String(),
		HTML:    html.String(),
		Chat: map[string]any{
			"text":   cut(fmt.Sprintf("%s on %s: %s (%s), %s", c.Kind, shop.Domain, c.Value, c.Stage, c.Ago), slackText),
			"blocks": blocks,
		},
		Flow: []FlowTrigger{{Handle: FlowCartAbandoned, Key: sess.Key, Payload: s.FlowCartPayload(shop, kind, sess, now)}},
	}, nil
}

func mrkdwn(s string) map[string]any { return map[string]any{"type": "mrkdwn", "text": s} }

func buttons(c cartView) []any {
	var out []any
	if b, ok := button("Checkout recovery link", c.RecoveryURL); ok {
		out = append(out, b)
	}
	if b, ok := button("Open in Funnelscope", c.SessionURL); ok {
		out = append(out, b)
	}
	return out
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
* {{.Value}} · {{.Kind}} · {{.Stage}} · {{.Ago}}
  {{range $i, $it := .Items}}{{if $i}}, {{end}}{{$it.Quantity}} × {{$it.Title}}{{end}}{{if .MoreItems}} … and {{.MoreItems}} more{{end}}
{{if .Contact}}  Contact: {{.Contact}}
{{end}}{{if .RecoveryURL}}  Checkout recovery link: {{.RecoveryURL}}
{{end}}  Open in Funnelscope: {{.SessionURL}}
{{end}}{{if .More}}
… and {{.More}} more carts in Funnelscope.
{{end}}`))

var digestHTML = htmltemplate.Must(htmltemplate.New("digest").Parse(`<!doctype html>
<html><body style="font-family:sans-serif">
<h2>Abandoned carts on {{.Shop}}</h2>
<p>{{.Window}}</p>
<table>{{range .Summary}}<tr><td>{{.Kind}}</td><td>{{.Count}}</td><td>{{.Value}} at risk</td></tr>{{end}}</table>
<h3>Largest carts</h3>
<ol>{{range .Carts}}<li><strong>{{.Value}}</strong> · {{.Kind}} · {{.Stage}} · {{.Ago}}<br>
{{range $i, $it := .Items}}{{if $i}}, {{end}}{{$it.Quantity}} × {{$it.Title}}{{end}}{{if .MoreItems}} … and {{.MoreItems}} more{{end}}{{if .Contact}}<br>
Contact: {{.Contact}}{{end}}<br>
{{if .RecoveryURL}}<a href="{{.RecoveryURL}}">Checkout recovery link</a> · {{end}}<a href="{{.SessionURL}}">Open in Funnelscope</a></li>{{end}}</ol>
{{if .More}}<p>… and {{.More}} more carts in Funnelscope.</p>{{end}}
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
		sums[key{e.alert.Kind, funnel.ValueCurrency(e.alert.Currency, shop.Currency)}] += e.alert.Value
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
			parts = append(parts, funnel.DisplayMoney(sums[key{k, c}], cut(c, maxCurrency)))
		}
		summary = append(summary, kindSummary{Kind: k.Label(), Count: counts[k], Value: strings.Join(parts, " + ")})
	}
	// Flow gets every cart of the digest, each as its own trigger.
	flowTriggers := make([]FlowTrigger, 0, len(entries))
	for _, e := range entries {
		flowTriggers = append(flowTriggers, FlowTrigger{Handle: FlowCartAbandoned, Key: e.sess.Key,
			Payload: s.FlowCartPayload(shop, e.alert.Kind, e.sess, now)})
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
		More         int // carts of the digest not listed
	}{shop.Domain, window, summary, carts, len(entries) - len(carts)}
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
	subject = cut(subject, maxSubject)
	var lines []string
	for _, sm := range summary {
		// At most three kinds: their lines stay within one section.
		lines = append(lines, fmt.Sprintf("*%s*: %d, %s at risk", slackEscape(sm.Kind), sm.Count, slackCut(sm.Value, 900)))
	}
	blocks := []any{
		header("Abandoned carts on " + shop.Domain),
		map[string]any{"type": "context", "elements": []any{mrkdwn(slackCut(window, slackField))}},
		section(strings.Join(lines, "\n")),
	}
	budget := slackBudget - slackBlockChars(blocks)
	more := data.More
	for i, c := range carts {
		line := fmt.Sprintf("*%s* · %s · %s · %s", slackEscape(c.Value), slackEscape(c.Kind), slackEscape(c.Stage), slackEscape(c.Ago))
		if len(c.Items) > 0 {
			line += "\n" + slackCut(itemsLine(c), 600)
		}
		if c.Contact != "" {
			line += "\nContact: " + slackEscape(c.Contact)
		}
		links := []string{}
		for _, l := range []string{link(c.SessionURL, "Open in Funnelscope"), link(c.RecoveryURL, "Checkout recovery link")} {
			if l != "" {
				links = append(links, l)
			}
		}
		if len(links) > 0 {
			line += "\n" + strings.Join(links, " · ")
		}
		// Room is kept for the line that counts the carts left out.
		n := utf8.RuneCountInString(line)
		if n > budget-100 || len(blocks) >= slackBlocks-1 {
			more += len(carts) - i
			break
		}
		budget -= n
		blocks = append(blocks, section(line))
	}
	if more > 0 {
		blocks = append(blocks, section(fmt.Sprintf("… and %d more carts in Funnelscope.", more)))
	}
	return Message{
		Subject: subject,
		Text:    text.String(),
		HTML:    html.String(),
		Chat:    map[string]any{"text": subject, "blocks": blocks},
		Flow:    flowTriggers,
	}, nil
}

// slackBlockChars counts the characters of the texts of blocks, as Slack's
// limit on a message's blocks counts them.
func slackBlockChars(blocks []any) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					n += utf8.RuneCountInString(s)
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(blocks)
	return n
}
