package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// visitTemplate is testdata/customer-events/batch_visit.json split into
// the pixel's batches, one per page (a batch is flushed on the next page's
// page_viewed), with what the app would store for it: the reduced events
// (funnel.StorefrontEvent as JSON) and the visit as it stands after each
// page. Every generated visit is the template with its client id, tokens,
// event ids and times replaced (each template string is cut at them once), so that generating
// costs the same throughout a measurement and nothing is parsed.
type visitTemplate struct {
	raw     []string // each event as the pixel posts it, compact JSON
	reduced []string // each event as storefront_events.event stores it
	names   []string
	at      []time.Time
	pages   []int           // the index of each page's first event
	visits  []templateVisit // the visit after each page
	// old are the strings a generated visit replaces: client id, tokens,
	// then per event its id and its time in both spellings.
	clientID, cartToken, cartKey, checkoutToken string
	ids                                         []string
	// The strings above cut at the old strings (compile).
	rawCut, reducedCut, summaryCut []slotted
}

// templateVisit is the visits row of the template's visit after a page.
type templateVisit struct {
	start, end              time.Time
	device, landing, source string
	furthest                int
	summary                 string
}

// visitStops is the share of visits that end after each page of the
// template (home, collection, product, cart, checkout, thank-you): most
// never add to cart.
var visitStops = []float64{0.35, 0.25, 0.25, 0.07, 0.03, 0.05}

// loadVisitTemplate reads and splits the recorded visit.
func loadVisitTemplate() (*visitTemplate, error) {
	dir, err := fixturesRoot()
	if err != nil {
		return nil, err
	}
	body, err := os.ReadFile(filepath.Join(dir, "testdata", "customer-events", "batch_visit.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the recorded visit: %w", err)
	}
	var doc struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("decoding the recorded visit: %w", err)
	}
	batch, err := shopify.ParseCollectBatch(body)
	if err != nil {
		return nil, fmt.Errorf("parsing the recorded visit: %w", err)
	}
	t := &visitTemplate{
		clientID:      batch.Events[0].ClientID,
		cartToken:     "Z2NwLXVzLWVhc3QxOjAxSkREOVhRNVc0RzhZUDJNSzNWN1RBMVBI",
		cartKey:       "4f1b2c9d7e6a8053b1c2d3e4f5a6b7c8",
		checkoutToken: "8b5e2f7c1d9a4e6b3c0f5a7d2e9b4c1f",
	}
	var events []funnel.StorefrontEvent
	for i, ce := range batch.Events {
		var buf bytes.Buffer
		if err := json.Compact(&buf, doc.Events[i]); err != nil {
			return nil, err
		}
		e := app.StorefrontEventOf(ce)
		red, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		if ce.Name == "page_viewed" {
			t.pages = append(t.pages, i)
		}
		t.raw = append(t.raw, buf.String())
		t.reduced = append(t.reduced, string(red))
		t.names = append(t.names, ce.Name)
		t.at = append(t.at, ce.Timestamp.UTC())
		t.ids = append(t.ids, ce.ID)
		events = append(events, e)
		if !strings.Contains(t.raw[i], `"`+pixelTime(t.at[i])+`"`) {
			return nil, fmt.Errorf("event %d's timestamp is not spelled as the bench expects", i)
		}
	}
	if len(t.pages) != len(visitStops) || t.pages[0] != 0 {
		return nil, fmt.Errorf("the recorded visit has %d pages, the bench's mix %d", len(t.pages), len(visitStops))
	}
	for p := range t.pages {
		folded := funnel.Fold(nil, events[:t.pageEnd(p)])
		if len(folded) != 1 {
			return nil, fmt.Errorf("the recorded visit folds into %d visits", len(folded))
		}
		v := folded[0]
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		t.visits = append(t.visits, templateVisit{start: v.Start, end: v.End, device: string(v.Device),
			landing: string(v.Landing), source: string(v.Source), furthest: int(v.Furthest()), summary: string(b)})
	}
	t.compile()
	return t, nil
}

// fixturesRoot is the module's root (where go.mod is), found by walking up.
func fixturesRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = up
	}
}

// pixelTime is a timestamp as the pixel spells it.
func pixelTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// pageEnd is one past the index of page p's last event.
func (t *visitTemplate) pageEnd(p int) int {
	if p+1 < len(t.pages) {
		return t.pages[p+1]
	}
	return len(t.raw)
}

// meanBatch is the mean number of events of a batch over the mix.
func (t *visitTemplate) meanBatch() float64 {
	var events, batches float64
	for p, share := range visitStops {
		events += share * float64(t.pageEnd(p))
		batches += share * float64(p+1)
	}
	return events / batches
}

// slotted is a template string cut at the strings a generated visit
// replaces: parts[0] slot[0] parts[1] slot[1] … parts[n].
type slotted struct {
	parts []string
	slots []int
}

// cut splits s at every occurrence of any of old (leftmost, then longest
// first), naming each by its index in old.
func cut(s string, old []string) slotted {
	var out slotted
	start := 0
	for i := 0; i < len(s); {
		best := -1
		for k, o := range old {
			if strings.HasPrefix(s[i:], o) && (best < 0 || len(o) > len(old[best])) {
				best = k
			}
		}
		if best < 0 {
			i++
			continue
		}
		out.parts = append(out.parts, s[start:i])
		out.slots = append(out.slots, best)
		i += len(old[best])
		start = i
	}
	out.parts = append(out.parts, s[start:])
	return out
}

// fill writes s with each slot replaced by its new string.
func (s slotted) fill(b *bytes.Buffer, repl []string) {
	for i, p := range s.parts {
		b.WriteString(p)
		if i < len(s.slots) {
			b.WriteString(repl[s.slots[i]])
		}
	}
}

func (s slotted) string(repl []string) string {
	var b bytes.Buffer
	s.fill(&b, repl)
	return b.String()
}

// compile cuts the template's strings at the old strings of genVisit's
// replacements.
func (t *visitTemplate) compile() {
	old := []string{t.clientID, t.cartToken, t.cartKey, t.checkoutToken}
	for i, id := range t.ids {
		old = append(old, id, `"`+pixelTime(t.at[i])+`"`, `"`+t.at[i].Format(time.RFC3339Nano)+`"`)
	}
	for i := range t.raw {
		t.rawCut = append(t.rawCut, cut(t.raw[i], old))
		t.reducedCut = append(t.reducedCut, cut(t.reduced[i], old))
	}
	for _, v := range t.visits {
		t.summaryCut = append(t.summaryCut, cut(v.summary, old))
	}
}

// collectBatch is one page's batch of one generated visit: its body for
// the app, or its rows for the ceiling.
type collectBatch struct {
	shop   int
	events int
	body   []byte
	rows   []ceilingEvent
	visit  ceilingVisit
}

// ceilingEvent and ceilingVisit are the rows of storefront_events and
// visits the app writes for a batch.
type ceilingEvent struct {
	eventID, clientID, name string
	at                      time.Time
	event                   string
}

type ceilingVisit struct {
	clientID                string
	start, end              time.Time
	device, landing, source string
	furthest                int
	summary                 string
}

// genVisit is one generated visit, its pages still to send.
type genVisit struct {
	shop      int
	stop      int // its last page
	next      int // its next page
	shift     time.Duration
	clientID  string
	repl      []string // the new strings of compile's old ones
	shopFrame string   // {"shop":…,"key":…,"events":[
}

// collectStream generates interleaved visits over the shops, 200 at a
// time, each visit's pages in order as its shopper browses, until ctx
// ends; rows selects the ceiling's rows instead of the app's bodies.
// Visits start in the last 20 minutes. Each visit is made when a place
// opens.
func collectStream(done <-chan struct{}, t *visitTemplate, prefix string, domains, keys []string, seed uint64, rows bool) <-chan collectBatch {
	out := make(chan collectBatch, 256)
	go func() {
		defer close(out)
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 0
		newVisit := func() *genVisit {
			n++
			shop := rng.IntN(len(domains))
			now := time.Now().UTC().Truncate(time.Millisecond)
			start := now.Add(-time.Duration(rng.Int64N(int64(20 * time.Minute)))).Truncate(time.Millisecond)
			v := &genVisit{shop: shop, shift: start.Sub(t.at[0]),
				clientID: fmt.Sprintf("%s%08x-%04x-4%03x-8000-%012x", prefix, seed, n>>16&0xffff, n&0xfff, n)}
			x := rng.Float64()
			for v.stop = 0; v.stop < len(visitStops)-1 && x >= visitStops[v.stop]; v.stop++ {
				x -= visitStops[v.stop]
			}
			v.repl = append(v.repl, v.clientID, fmt.Sprintf("%sC%030d", prefix, n), fmt.Sprintf("%032x", n), fmt.Sprintf("%sk%030d", prefix, n))
			for i := range t.ids {
				at := t.at[i].Add(v.shift)
				v.repl = append(v.repl, fmt.Sprintf("sh-%s%d-%d", prefix, n, i), `"`+pixelTime(at)+`"`, `"`+at.Format(time.RFC3339Nano)+`"`)
			}
			v.shopFrame = `{"shop":"` + domains[shop] + `","key":"` + keys[shop] + `","events":[`
			return v
		}
		crowd := make([]*genVisit, 200)
		for i := range crowd {
			crowd[i] = newVisit()
		}
		for {
			i := rng.IntN(len(crowd))
			v := crowd[i]
			b := t.batch(v, rows)
			if v.next++; v.next > v.stop {
				crowd[i] = newVisit()
			}
			select {
			case out <- b:
			case <-done:
				return
			}
		}
	}()
	return out
}

// batch is v's next page.
func (t *visitTemplate) batch(v *genVisit, rows bool) collectBatch {
	lo, hi := t.pages[v.next], t.pageEnd(v.next)
	b := collectBatch{shop: v.shop, events: hi - lo}
	if !rows {
		var buf bytes.Buffer
		buf.WriteString(v.shopFrame)
		for i := lo; i < hi; i++ {
			if i > lo {
				buf.WriteByte(',')
			}
			t.rawCut[i].fill(&buf, v.repl)
		}
		buf.WriteString("]}")
		b.body = buf.Bytes()
		return b
	}
	for i := lo; i < hi; i++ {
		b.rows = append(b.rows, ceilingEvent{eventID: v.repl[4+3*i], clientID: v.clientID,
			name: t.names[i], at: t.at[i].Add(v.shift), event: t.reducedCut[i].string(v.repl)})
	}
	tv := t.visits[v.next]
	b.visit = ceilingVisit{clientID: v.clientID, start: tv.start.Add(v.shift), end: tv.end.Add(v.shift),
		device: tv.device, landing: tv.landing, source: tv.source, furthest: tv.furthest, summary: t.summaryCut[v.next].string(v.repl)}
	return b
}
