package alerts

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/app/alerts/alertstest"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// testNow is the messages' clock.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// service builds a service for message tests: no store, no job client.
func service(t *testing.T, demo bool) *Service {
	t.Helper()
	s, err := New(Config{AppURL: "https://funnelscope.example.com", APIKey: "the-key", Demo: demo})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// shown is an amount as the messages write it: funnel.DisplayMoney, the
// one money rule, whose own tests pin its text.
func shown(minor int64, currency string) string { return funnel.DisplayMoney(minor, currency) }

func at(t time.Time) *time.Time { return &t }

// paymentDropoff is a session that reached payment 2 h 40 min before
// testNow, with contact, a recovery link and two lines whose titles hold
// what HTML and Slack's mrkdwn reserve.
func paymentDropoff() funnel.Session {
	last := testNow.Add(-160 * time.Minute)
	return funnel.Session{
		Key: "cart-7", StartedAt: last.Add(-time.Hour), LastActivity: last,
		AddedToCartAt: at(last.Add(-time.Hour)), CheckoutStartedAt: at(last.Add(-30 * time.Minute)), PaymentReachedAt: at(last),
		Value: 4200, Email: "ana@example.com", Phone: "+33 6 12 34 56 78",
		RecoveryURL: "https://shop.example.com/recover?token=a&step=payment",
		LineItems: []funnel.LineItem{
			{Title: `Crème <b>brûlée</b> & "set"`, Quantity: 2},
			{Title: "Spoon", Quantity: 1},
		},
	}
}

var testShop = store.Shop{ID: 3, Domain: "my-shop.myshopify.com", Currency: "EUR"}

// TestAlertMessage checks an immediate alert's subject, plain text, HTML
// and chat message: what they say, HTML escaping in the HTML only, and
// Slack's mrkdwn escaping in the chat message.
func TestAlertMessage(t *testing.T) {
	s := service(t, false)
	msg, err := s.alertMessage(testShop, funnel.StatusPaymentDropoff, paymentDropoff(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	title := `Crème <b>brûlée</b> & "set"`
	value := shown(4200, "EUR") // the session has no currency: the shop's
	sessionURL := "https://admin.shopify.com/store/my-shop/apps/the-key/sessions/cart-7"
	recovery := "https://shop.example.com/recover?token=a&step=payment"

	if want := "Payment drop-off — " + value + " on my-shop.myshopify.com · " + title; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	wantText := "Payment drop-off on my-shop.myshopify.com: " + value + "\n\n" +
		"Items:\n  - 2 × " + title + "\n  - 1 × Spoon\n\n" +
		"Stage reached: Reached payment\n" +
		"Last activity: 2 hours 40 minutes ago\n" +
		"Contact: ana@example.com, +33 6 12 34 56 78\n" +
		"Checkout recovery link: " + recovery + "\n" +
		"Open in Funnelscope: " + sessionURL + "\n"
	if msg.Text != wantText {
		t.Errorf("text\n%s\nwant\n%s", msg.Text, wantText)
	}

	for _, want := range []string{
		"<li>2 × Crème &lt;b&gt;brûlée&lt;/b&gt; &amp; &#34;set&#34;</li><li>1 × Spoon</li>",
		"Stage reached: <strong>Reached payment</strong>",
		"Contact: ana@example.com, &#43;33 6 12 34 56 78",
		`<a href="https://shop.example.com/recover?token=a&amp;step=payment">Checkout recovery link</a>`,
		`<a href="` + sessionURL + `">Open in Funnelscope</a>`,
	} {
		if !strings.Contains(msg.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, msg.HTML)
		}
	}
	if strings.Contains(msg.HTML, "<b>") {
		t.Errorf("HTML carries the title's markup:\n%s", msg.HTML)
	}

	chat := chatOf(t, msg)
	if want := "Payment drop-off on my-shop.myshopify.com: " + value + " (Reached payment), 2 hours 40 minutes ago"; chat.Text != want {
		t.Errorf("chat text %q, want %q", chat.Text, want)
	}
	if len(chat.Blocks) != 4 || chat.Blocks[0].Type != "header" || chat.Blocks[0].Text.Text != "Payment drop-off on my-shop.myshopify.com" {
		t.Fatalf("chat blocks %+v, want a header, fields, items and actions", chat.Blocks)
	}
	var fields []string
	for _, f := range chat.Blocks[1].Fields {
		fields = append(fields, f.Text)
	}
	if want := []string{"*Value*\n" + value, "*Stage reached*\nReached payment", "*Last activity*\n2 hours 40 minutes ago",
		"*Contact*\nana@example.com, +33 6 12 34 56 78"}; strings.Join(fields, "|") != strings.Join(want, "|") {
		t.Errorf("chat fields %q, want %q", fields, want)
	}
	if want := "*Items*\n2 × Crème &lt;b&gt;brûlée&lt;/b&gt; &amp; \"set\", 1 × Spoon"; chat.Blocks[2].Text.Text != want {
		t.Errorf("chat items %q, want %q", chat.Blocks[2].Text.Text, want)
	}
	if b := chat.Blocks[3].Elements; len(b) != 2 || b[0].URL != recovery || b[1].URL != sessionURL {
		t.Errorf("chat buttons %+v, want the recovery link and the session", b)
	}
}

// TestAlertMessageLeavesOut checks what an alert says of a cart with no
// items, contact or recovery link, and that links other than http(s)
// never reach a message.
func TestAlertMessageLeavesOut(t *testing.T) {
	sess := paymentDropoff()
	sess.LineItems, sess.Email, sess.Phone = nil, "", ""
	sess.Currency = "USD"
	sess.RecoveryURL = "javascript:alert(1)//https://shop.example.com"
	sess.Key = "cart 7&x"
	sess.LastActivity = testNow.Add(-30 * time.Second)
	msg, err := service(t, true).alertMessage(testShop, funnel.StatusAbandonedCart, sess, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Abandoned cart — " + shown(4200, "USD") + " on my-shop.myshopify.com"; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	for _, part := range []string{msg.Text, msg.HTML, chatJSON(t, msg)} {
		if strings.Contains(part, "javascript") || strings.Contains(part, "Contact") || strings.Contains(part, "recovery") {
			t.Errorf("a message shows what the cart does not have, or a javascript: link:\n%s", part)
		}
	}
	// Demo mode links to the app's own session page; the key is escaped.
	demoURL := "https://funnelscope.example.com/sessions/cart%207&x"
	for _, want := range []string{"  (no items listed)\n", "Last activity: just now\n", "Open in Funnelscope: " + demoURL + "\n"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if !strings.Contains(msg.HTML, "<li>(no items listed)</li>") || !strings.Contains(msg.HTML, `href="https://funnelscope.example.com/sessions/cart%207&amp;x"`) {
		t.Errorf("HTML:\n%s", msg.HTML)
	}
	chat := chatOf(t, msg)
	if len(chat.Blocks) != 3 || chat.Blocks[2].Type != "actions" || len(chat.Blocks[2].Elements) != 1 || chat.Blocks[2].Elements[0].URL != demoURL {
		t.Errorf("chat blocks %+v, want a header, fields and the session's button", chat.Blocks)
	}
}

// The bounds the README promises of an alert's texts, in characters.
const (
	wantSubject  = 150
	wantTitle    = 100
	wantContact  = 200
	wantCurrency = 12
	wantListed   = 10 // carts a digest lists
)

// TestAlertMessageBounds builds an alert for a cart of 10,000 lines with
// titles of 30,000 characters, a contact, currency and recovery link far
// too long, in a shop of a domain too long: every text keeps its bounds,
// cut between characters, never inside an escape, and says how much it
// leaves out.
func TestAlertMessageBounds(t *testing.T) {
	sess := paymentDropoff()
	big := strings.Repeat("Très <grand> & titre ", 1500)
	sess.LineItems = make([]funnel.LineItem, 10_000)
	for i := range sess.LineItems {
		sess.LineItems[i] = funnel.LineItem{Title: big, Quantity: 1} // one string, not 300 MB of them
		if i < 6 {
			sess.LineItems[i].Title = fmt.Sprintf("%05d %s", i+1, big)
		}
	}
	sess.Email = strings.Repeat("é<&>", 200) + "@example.com"
	sess.Currency = strings.Repeat("€", 40)
	sess.RecoveryURL = "https://shop.example.com/" + strings.Repeat("r", 4000)
	long := testShop
	long.Domain = strings.Repeat("x", 300) + ".myshopify.com"
	msg, err := service(t, false).alertMessage(long, funnel.StatusPaymentDropoff, sess, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(msg.Subject); n > wantSubject || !strings.HasSuffix(msg.Subject, "…") {
		t.Errorf("subject of %d characters: %q", n, msg.Subject)
	}
	for name, part := range map[string]string{"subject": msg.Subject, "text": msg.Text, "HTML": msg.HTML} {
		if !utf8.ValidString(part) {
			t.Errorf("the %s was cut inside a character", name)
		}
		if len(part) > 16<<10 {
			t.Errorf("the %s is %d bytes", name, len(part))
		}
	}
	if strings.Contains(msg.Text, "00006 ") || !strings.Contains(msg.Text, "  - 1 × 00005 Très") || !strings.Contains(msg.Text, "  … and 9995 more\n") {
		t.Errorf("the text does not list 5 items and count the rest:\n%.3000s", msg.Text)
	}
	if !strings.Contains(msg.HTML, "<li>… and 9995 more</li>") {
		t.Errorf("the HTML does not count the items left out")
	}
	for _, line := range strings.Split(msg.Text, "\n") {
		if title, ok := strings.CutPrefix(line, "  - 1 × "); ok && utf8.RuneCountInString(title) > wantTitle {
			t.Errorf("an item title of %d characters", utf8.RuneCountInString(title))
		}
		if c, ok := strings.CutPrefix(line, "Contact: "); ok && (utf8.RuneCountInString(c) > wantContact || !strings.HasSuffix(c, "…")) {
			t.Errorf("a contact line of %d characters", utf8.RuneCountInString(c))
		}
		if strings.Contains(line, "recover") {
			t.Errorf("a recovery link too long for a chat button is still shown: %.100s", line)
		}
	}
	if !strings.Contains(msg.Text, strings.Repeat("€", wantCurrency-1)+"…\n") || strings.Contains(msg.Text, strings.Repeat("€", wantCurrency)) {
		t.Errorf("the currency is not cut to %d characters:\n%.300s", wantCurrency, msg.Text)
	}
	chat := chatOf(t, msg)
	if items := chat.Blocks[2].Text.Text; !strings.Contains(items, "and 9995 more") && !strings.HasSuffix(items, "…") {
		t.Errorf("the chat message's items say nothing of what is left out: %.200s…", items)
	}
}

// TestDigestMessage checks a digest: its window in the shop's zone, the
// count and value at risk of each kind in each currency, the carts listed
// largest first, and what it says of the carts it leaves out.
func TestDigestMessage(t *testing.T) {
	s := service(t, false)
	kolkata := testkit.Zone(t, "Asia/Kolkata")
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, kolkata)
	d := store.Digest{ID: 9, ShopID: testShop.ID, Period: store.DigestHourly, WindowStart: start.UTC(), WindowEnd: start.Add(time.Hour).UTC(), Timezone: "Asia/Kolkata"}
	var entries []digestEntry
	add := func(kind funnel.Status, value int64, currency, title string) {
		sess := paymentDropoff()
		sess.Key = fmt.Sprintf("cart-%02d", len(entries)+1)
		sess.Value, sess.Currency = value, currency
		sess.LineItems = []funnel.LineItem{{Title: title, Quantity: 1}}
		entries = append(entries, digestEntry{store.Alert{Kind: kind, Value: value, Currency: currency, SessionKey: sess.Key}, sess})
	}
	add(funnel.StatusPaymentDropoff, 9000, "USD", "Lamp <big> & bright")
	add(funnel.StatusAbandonedCart, 5000, "USD", "Chair")
	add(funnel.StatusAbandonedCart, 2500, "EUR", "Stool")
	add(funnel.StatusAbandonedCart, 1500, "USD", "Mat")
	msg, err := s.digestMessage(testShop, d, entries, testNow)
	if err != nil {
		t.Fatal(err)
	}
	window := "Tue 10 Mar 2026, 14:00–15:00 (Asia/Kolkata)"
	if want := "4 abandoned carts on my-shop.myshopify.com — " + window; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	summary := "Abandoned cart: 3, " + shown(2500, "EUR") + " + " + shown(6500, "USD") + " at risk\n" +
		"Payment drop-off: 1, " + shown(9000, "USD") + " at risk\n"
	if want := "Abandoned carts on my-shop.myshopify.com, " + window + "\n\n" + summary; !strings.HasPrefix(msg.Text, want) {
		t.Errorf("text\n%s\nwant it to begin\n%s", msg.Text, want)
	}
	order := []string{"Lamp", "Chair", "Stool", "Mat"}
	last := -1
	for _, title := range order {
		i := strings.Index(msg.Text, "  1 × "+title)
		if i < last {
			t.Errorf("%s is not listed in the order given (largest first):\n%s", title, msg.Text)
		}
		last = i
	}
	for _, want := range []string{"\n* " + shown(9000, "USD") + " · Payment drop-off · Reached payment · 2 hours 40 minutes ago\n  1 × Lamp <big> & bright\n",
		"  Open in Funnelscope: https://admin.shopify.com/store/my-shop/apps/the-key/sessions/cart-01\n"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text, "more carts") {
		t.Errorf("a digest of 4 carts says it leaves some out:\n%s", msg.Text)
	}
	if !strings.Contains(msg.HTML, "<p>"+window+"</p>") || !strings.Contains(msg.HTML, "1 × Lamp &lt;big&gt; &amp; bright") || strings.Contains(msg.HTML, "<big>") {
		t.Errorf("HTML:\n%s", msg.HTML)
	}
	chat := chatOf(t, msg)
	if chat.Text != msg.Subject || len(chat.Blocks) != 3+len(entries) {
		t.Fatalf("chat text %q and %d blocks, want the subject and %d", chat.Text, len(chat.Blocks), 3+len(entries))
	}
	if want := "*Abandoned cart*: 3, " + shown(2500, "EUR") + " + " + shown(6500, "USD") + " at risk\n*Payment drop-off*: 1, " +
		shown(9000, "USD") + " at risk"; chat.Blocks[2].Text.Text != want {
		t.Errorf("chat summary %q, want %q", chat.Blocks[2].Text.Text, want)
	}
	if want := "*" + shown(9000, "USD") + "* · Payment drop-off · Reached payment · 2 hours 40 minutes ago\n1 × Lamp &lt;big&gt; &amp; bright\n" +
		"Contact: ana@example.com, +33 6 12 34 56 78\n<https://admin.shopify.com/store/my-shop/apps/the-key/sessions/cart-01|Open in Funnelscope> · " +
		"<https://shop.example.com/recover?token=a&amp;step=payment|Checkout recovery link>"; chat.Blocks[3].Text.Text != want {
		t.Errorf("chat cart\n%s\nwant\n%s", chat.Blocks[3].Text.Text, want)
	}

	// One cart: the subject says so in the singular.
	msg, err = s.digestMessage(testShop, d, entries[:1], testNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 abandoned cart on my-shop.myshopify.com — " + window; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
}

// TestDigestMessageWindow checks how a digest names its window: a day by
// its date in the shop's zone, the day whose midnight a daylight-saving
// change skips included, and a zone that does not load as UTC.
func TestDigestMessageWindow(t *testing.T) {
	s := service(t, false)
	santiago := testkit.Zone(t, "America/Santiago")
	entries := []digestEntry{{store.Alert{Kind: funnel.StatusAbandonedCart, Value: 100, Currency: "CLP"}, paymentDropoff()}}
	for _, c := range []struct {
		name string
		d    store.Digest
		want string
	}{
		{"a day", dayDigest(Window(time.Date(2026, 3, 11, 1, 30, 0, 0, testkit.Zone(t, "Asia/Kolkata")), store.DigestDaily, testkit.Zone(t, "Asia/Kolkata"))),
			"Tuesday 10 March 2026 (Asia/Kolkata)"},
		{"the day whose midnight is skipped", dayDigest(Window(time.Date(2026, 9, 7, 9, 0, 0, 0, santiago), store.DigestDaily, santiago)),
			"Sunday 6 September 2026 (America/Santiago)"},
		{"a zone that does not load", store.Digest{Period: store.DigestHourly, Timezone: "Nowhere/Else",
			WindowStart: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), WindowEnd: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)},
			"Tue 10 Mar 2026, 09:00–10:00 (UTC)"},
	} {
		msg, err := s.digestMessage(testShop, c.d, entries, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(msg.Subject, " — "+c.want) || !strings.Contains(msg.HTML, "<p>"+c.want+"</p>") {
			t.Errorf("%s: subject %q, want the window %q", c.name, msg.Subject, c.want)
		}
	}
}

// dayDigest is a daily digest of the window [start, end).
func dayDigest(start, end time.Time) store.Digest {
	return store.Digest{Period: store.DigestDaily, Timezone: start.Location().String(), WindowStart: start.UTC(), WindowEnd: end.UTC()}
}

// TestDigestMessageBounds builds a digest of 14 carts whose titles, items
// and contacts are far too long: it lists the largest 10 in the
// e-mail, as many as Slack's limits allow in the chat message, and counts
// the carts it leaves out in both.
func TestDigestMessageBounds(t *testing.T) {
	s := service(t, false)
	big := strings.Repeat("Très <grand> & titre ", 1500)
	var entries []digestEntry
	for i := range 14 {
		sess := paymentDropoff()
		sess.Key = fmt.Sprintf("cart-%02d", i+1)
		sess.Email = strings.Repeat("é<&>", 100) + "@example.com"
		sess.LineItems = make([]funnel.LineItem, 50)
		for j := range sess.LineItems {
			sess.LineItems[j] = funnel.LineItem{Title: big, Quantity: j + 1}
		}
		entries = append(entries, digestEntry{store.Alert{Kind: funnel.StatusPaymentDropoff, Value: int64(10000 - i), Currency: "EUR"}, sess})
	}
	d := store.Digest{Period: store.DigestHourly, Timezone: "UTC", WindowStart: testNow.Add(-2 * time.Hour), WindowEnd: testNow.Add(-time.Hour)}
	long := testShop
	long.Domain = strings.Repeat("x", 300) + ".myshopify.com"
	msg, err := s.digestMessage(long, d, entries, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(msg.Subject); n > wantSubject {
		t.Errorf("subject of %d characters", n)
	}
	for name, part := range map[string]string{"text": msg.Text, "HTML": msg.HTML} {
		if !utf8.ValidString(part) {
			t.Errorf("the %s was cut inside a character", name)
		}
		if n := strings.Count(part, "Open in Funnelscope"); n != wantListed {
			t.Errorf("the %s lists %d carts, want %d", name, n, wantListed)
		}
		if !strings.Contains(part, "… and 4 more carts in Funnelscope.") || !strings.Contains(part, "… and 45 more") {
			t.Errorf("the %s does not count the carts and items it leaves out:\n%.1000s", name, part)
		}
	}
	chat := chatOf(t, msg)
	listed := 0
	for _, b := range chat.Blocks {
		if b.Text != nil && strings.Contains(b.Text.Text, "|Open in Funnelscope>") {
			listed++
		}
	}
	more := fmt.Sprintf("… and %d more carts in Funnelscope.", len(entries)-listed)
	if listed == 0 || listed >= wantListed || chat.Blocks[len(chat.Blocks)-1].Text.Text != more {
		t.Errorf("the chat message lists %d carts and ends %+v, want fewer than %d and %q", listed, chat.Blocks[len(chat.Blocks)-1], wantListed, more)
	}
}

// TestCut checks that texts are cut between characters and escapes.
func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"ééééééééééé", 5, "éééé…"},
		{"a😀b😀c", 3, "a😀…"},
		{"héllo", 5, "héllo"}, {"héllo", 4, "hél…"}, {"héllo", 2, "h…"}, {"€€€", 1, "…"}, {"", 3, ""},
	} {
		if got := cut(c.in, c.n); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"a&b&c&d", 7, "a&amp;…"},
		{"a<b", 6, "a&lt;b"}, {"a<b", 5, "a…"}, {"a<b", 4, "a…"}, {"&&", 10, "&amp;&amp;"}, {"&&", 9, "&amp;…"},
		{"é>é", 6, "é&gt;é"}, {"é>é", 5, "é…"},
	} {
		if got := slackCut(c.in, c.n); got != c.want {
			t.Errorf("slackCut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestAgo checks how long ago the last activity was, in words.
func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "just now", 59 * time.Second: "just now", time.Minute: "1 minute ago", 45 * time.Minute: "45 minutes ago",
		time.Hour: "1 hour ago", 61 * time.Minute: "1 hour 1 minute ago", 160 * time.Minute: "2 hours 40 minutes ago",
		24 * time.Hour: "1 day ago", 49*time.Hour + 30*time.Minute: "2 days 1 hour ago", 72 * time.Hour: "3 days ago",
	} {
		if got := ago(testNow, testNow.Add(-d)); got != want {
			t.Errorf("ago(%s) = %q, want %q", d, got, want)
		}
	}
}

func chatJSON(t *testing.T, msg Message) string {
	t.Helper()
	b, err := json.Marshal(msg.Chat)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// chatOf is the message's chat message as Slack reads it, checked against
// Slack's limits.
func chatOf(t *testing.T, msg Message) alertstest.ChatMessage {
	t.Helper()
	body := []byte(chatJSON(t, msg))
	alertstest.CheckSlackLimits(t, body)
	return alertstest.ParseChat(t, body)
}
