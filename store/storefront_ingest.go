package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// StorefrontBatch is one accepted POST /collect batch: the shop its pixel
// key named and its events, each already within the time window the
// handler counts (the handler drops the others).
type StorefrontBatch struct {
	ShopID int64
	Events []funnel.StorefrontEvent
}

// storefrontInsertRows is how many rows one multi-row INSERT of the
// SQLite accept carries at most (fewer when rowsPerStatement says so;
// PostgreSQL's inserts from arrays have no such limit).
const storefrontInsertRows = 500

// AcceptStorefront stores a group of /collect batches in one
// transaction, so that one commit makes them all durable (group commit):
// it inserts the raw events (unique by shop and event id: a repeated id
// inserts nothing), queues a storefront_inbox row for each shop with new
// ones for FoldStorefront, which folds them into visits, and records that
// each shop's pixel was seen. Events of crawlers and headless browsers are
// not kept raw; they are queued all the same and fold into bot visits,
// which reports count apart. An error rolls everything back.
func (s *Store) AcceptStorefront(ctx context.Context, batches []StorefrontBatch) error {
	now := s.nowUTC()
	g, err := newStorefrontGroup(batches, now)
	if err != nil {
		return fmt.Errorf("store: accepting %d storefront batches: %w", len(batches), err)
	}
	if s.isPG() {
		err = s.pgTx(ctx, func(tx pgx.Tx) error { return pgAcceptStorefront(ctx, tx, g) })
	} else {
		err = s.db(ctx).Transaction(func(tx *gorm.DB) error { return acceptStorefrontSQLite(tx, g) })
	}
	if err != nil {
		return fmt.Errorf("store: accepting %d storefront batches: %w", len(batches), err)
	}
	return nil
}

// storefrontGroup is a group of batches made ready to store: the raw
// events to insert (each event id of a shop once) and the bots' events by
// client, which are folded but never kept raw.
type storefrontGroup struct {
	batches []StorefrontBatch
	now     time.Time
	raw     []storefrontEventRow
	bots    map[clientKey][]funnel.StorefrontEvent
}

func newStorefrontGroup(batches []StorefrontBatch, now time.Time) (*storefrontGroup, error) {
	g := &storefrontGroup{batches: batches, now: now, bots: map[clientKey][]funnel.StorefrontEvent{}}
	seen := map[clientKey]bool{} // shop + event id, within the group
	var agents funnel.Agents
	for _, b := range batches {
		for _, e := range b.Events {
			if e.ClientID == "" || e.ID == "" || e.At.IsZero() {
				continue
			}
			k := clientKey{b.ShopID, e.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			if agents.Bot(e.UserAgent) {
				ck := clientKey{b.ShopID, e.ClientID}
				g.bots[ck] = append(g.bots[ck], e)
				continue
			}
			row, err := newStorefrontEventRow(b.ShopID, e, now)
			if err != nil {
				return nil, err
			}
			g.raw = append(g.raw, row)
		}
	}
	return g, nil
}

// shopIDs is the group's shops, each once, in order.
func (g *storefrontGroup) shopIDs() []int64 {
	ids := make([]int64, 0, len(g.batches))
	for _, b := range g.batches {
		ids = append(ids, b.ShopID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// botEvents is, per shop of the group that has some, in order, its bots'
// events as a JSON array: they are not kept raw, so their inbox row holds
// them (storefront_fold.go).
func (g *storefrontGroup) botEvents() (shops []int64, events []string, err error) {
	byShop := map[int64][]string{}
	for _, ck := range sortedClients(g.bots) {
		for _, e := range g.bots[ck] {
			b, err := appendEventJSON(nil, e)
			if err != nil {
				return nil, nil, fmt.Errorf("encoding event %q: %w", e.ID, err)
			}
			byShop[ck.shop] = append(byShop[ck.shop], string(b))
		}
	}
	for _, shop := range g.shopIDs() {
		if evs := byShop[shop]; len(evs) > 0 {
			shops, events = append(shops, shop), append(events, "["+strings.Join(evs, ",")+"]")
		}
	}
	return shops, events, nil
}

// inbox is the group's rows of storefront_inbox: one for each shop that
// has new raw events (fresh: those the insert found new, so that a repeated
// event id is never folded again) or bots' events. The fold reads a row's
// raw events back by its shop and received_at, the time all of the group's
// rows carry, so that their JSON is written once (storefront_fold.go).
func (g *storefrontGroup) inbox(fresh map[int64]bool) ([]inboxRow, error) {
	botShops, botEvents, err := g.botEvents()
	if err != nil {
		return nil, err
	}
	var out []inboxRow
	for _, shop := range g.shopIDs() {
		r := inboxRow{ShopID: shop, Events: "[]"}
		if i := slices.Index(botShops, shop); i >= 0 {
			r.Events = botEvents[i]
		} else if !fresh[shop] {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// acceptStorefrontSQLite is AcceptStorefront's transaction on SQLite:
// multi-row inserts of the events, then the inbox rows.
func acceptStorefrontSQLite(tx *gorm.DB, g *storefrontGroup) error {
	fresh, err := insertStorefrontEvents(tx, g.raw)
	if err != nil {
		return err
	}
	inbox, err := g.inbox(fresh)
	if err != nil {
		return err
	}
	for _, r := range inbox {
		if err := tx.Exec(`INSERT INTO storefront_inbox (shop_id, received_at, events) VALUES (?, ?, ?)`,
			r.ShopID, g.now, r.Events).Error; err != nil {
			return fmt.Errorf("queueing a shop's events to fold: %w", err)
		}
	}
	return touchPixels(tx, g.shopIDs(), g.now)
}

// foldStorefrontSQLite is the fold of FoldStorefront's transaction on
// SQLite, where BEGIN IMMEDIATE has serialised the writers: each client's
// visits folded in turn, then the rollups' deltas and the payments.
func foldStorefrontSQLite(tx *gorm.DB, byClient map[clientKey][]funnel.StorefrontEvent, now time.Time) error {
	d := newStorefrontDeltas()
	var paid []shopToken
	var agents funnel.Agents
	for _, ck := range sortedClients(byClient) {
		ts, err := foldClient(tx, &agents, ck.shop, ck.id, byClient[ck], now, d)
		if err != nil {
			return err
		}
		paid = append(paid, ts...)
	}
	if err := d.apply(tx); err != nil {
		return err
	}
	return sqliteSessionPayments(tx, sortedTokens(paid), nil)
}

// clientKey is a shop and an id within it (a client id or an event id).
type clientKey struct {
	shop int64
	id   string
}

func sortedClients(m map[clientKey][]funnel.StorefrontEvent) []clientKey {
	keys := make([]clientKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b clientKey) int {
		if a.shop != b.shop {
			return int(a.shop - b.shop)
		}
		return strings.Compare(a.id, b.id)
	})
	return keys
}

// storefrontEventRow is a row of storefront_events.
type storefrontEventRow struct {
	ShopID     int64
	EventID    string
	ClientID   string
	Name       string
	OccurredAt time.Time
	Event      string
	ReceivedAt time.Time
}

func newStorefrontEventRow(shopID int64, e funnel.StorefrontEvent, now time.Time) (storefrontEventRow, error) {
	b, err := appendEventJSON(make([]byte, 0, 512), e)
	if err != nil {
		return storefrontEventRow{}, fmt.Errorf("encoding event %q: %w", e.ID, err)
	}
	return storefrontEventRow{ShopID: shopID, EventID: e.ID, ClientID: e.ClientID, Name: e.Name,
		OccurredAt: utc(e.At), Event: string(b), ReceivedAt: now}, nil
}

// insertStorefrontEvents inserts rows in multi-row statements, skipping
// the event ids stored already, and returns the shops of the ones it
// inserted.
func insertStorefrontEvents(tx *gorm.DB, rows []storefrontEventRow) (map[int64]bool, error) {
	fresh := map[int64]bool{}
	for chunk := range slices.Chunk(rows, rowsPerStatement(tx, 7, storefrontInsertRows)) {
		vals := make([]string, len(chunk))
		args := make([]any, 0, 7*len(chunk))
		for i, r := range chunk {
			vals[i] = "(?, ?, ?, ?, ?, ?, ?)"
			args = append(args, r.ShopID, r.EventID, r.ClientID, r.Name, r.OccurredAt, r.Event, r.ReceivedAt)
		}
		var got []int64
		err := tx.Raw(`INSERT INTO storefront_events (shop_id, event_id, client_id, name, occurred_at, event, received_at)
			VALUES `+strings.Join(vals, ", ")+` ON CONFLICT (shop_id, event_id) DO NOTHING RETURNING shop_id`,
			args...).Scan(&got).Error
		if err != nil {
			return nil, fmt.Errorf("inserting %d storefront events: %w", len(chunk), err)
		}
		for _, shop := range got {
			fresh[shop] = true
		}
	}
	return fresh, nil
}

// visitRow is a row of visits.
type visitRow struct {
	ID              int64
	ShopID          int64
	ClientID        string
	StartedAt       time.Time
	EndedAt         time.Time
	Quarter         int64
	Device          string
	LandingPageType string
	Source          string
	FurthestStage   int
	Bot             bool
	Summary         string
	UpdatedAt       time.Time
	// CompletedByOrder says the storefront rollups count the visit as an
	// order completed it (countedVisit).
	CompletedByOrder bool
	// folded is the visit the row was made of (newVisitRow), or the stored
	// one decoded (refold); not a column.
	folded funnel.Visit
}

// TableName maps visitRow to its table.
func (visitRow) TableName() string { return "visits" }

// visit decodes the row's summary.
func (r visitRow) visit() (funnel.Visit, error) {
	var v funnel.Visit
	if err := jsonv1.Unmarshal([]byte(r.Summary), &v); err != nil {
		return funnel.Visit{}, fmt.Errorf("decoding visit %d: %w", r.ID, err)
	}
	return funnel.MergeVisits(v, funnel.Visit{}), nil
}

// foldClient folds one client's new events into its stored visits: it
// loads those whose span comes within funnel.VisitGap of the events,
// folds, and replaces the loaded visits that changed (or merged) with the
// result, recording the change of the rollups in d (countRefold: a
// written visit a completed session's checkout names counts completed).
// It returns the tokens whose sessions' payments the change concerns
// (paymentTokensOfRefold).
func foldClient(tx *gorm.DB, agents *funnel.Agents, shopID int64, clientID string, events []funnel.StorefrontEvent, now time.Time, d *storefrontDeltas) ([]shopToken, error) {
	lo, hi := events[0].At, events[0].At
	for _, e := range events {
		if e.At.Before(lo) {
			lo = e.At
		}
		if e.At.After(hi) {
			hi = e.At
		}
	}
	var rows []visitRow
	err := tx.Where("shop_id = ? AND client_id = ? AND started_at <= ? AND ended_at >= ?",
		shopID, clientID, utc(hi.Add(funnel.VisitGap)), utc(lo.Add(-funnel.VisitGap))).
		Order("started_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("loading the visits of a client: %w", err)
	}
	drop, write, err := refold(agents, rows, events)
	if err != nil {
		return nil, err
	}
	completed := map[shopToken]bool{}
	var tokens []string
	for _, v := range write {
		tokens = append(tokens, v.CheckoutTokens...)
	}
	if len(tokens) > 0 {
		var done []string
		err := tx.Raw(`SELECT DISTINCT checkout_token FROM sessions WHERE shop_id = ? AND checkout_token IN ? AND completed_at IS NOT NULL`,
			shopID, tokens).Scan(&done).Error
		if err != nil {
			return nil, fmt.Errorf("finding the completed checkouts of a client's visits: %w", err)
		}
		for _, t := range done {
			completed[shopToken{shopID, t}] = true
		}
	}
	byOrder := countRefold(d, shopID, drop, write, completed)
	if len(drop) > 0 {
		ids := make([]int64, len(drop))
		for i, r := range drop {
			ids[i] = r.ID
		}
		for _, table := range []string{"visit_tokens", "visit_products", "visits"} {
			col := "visit_id"
			if table == "visits" {
				col = "id"
			}
			if err := tx.Exec("DELETE FROM "+table+" WHERE shop_id = ? AND "+col+" IN ?", shopID, ids).Error; err != nil {
				return nil, fmt.Errorf("replacing the visits of a client: %w", err)
			}
		}
	}
	for i, v := range write {
		if err := insertVisit(tx, shopID, v, byOrder[i], now); err != nil {
			return nil, err
		}
	}
	return paymentTokensOfRefold(shopID, drop, write), nil
}

// refold folds a client's new events into its stored visits (rows, in
// order of start) with agents.Fold, and says what changes: the stored
// visits to replace (drop, each row's folded its decoded visit) and the
// folded visits to write in their place. A stored visit the fold left as
// it was stays. The caller records the change of the storefront rollups
// (countRefold): each dropped visit's counts out, each written one's in,
// so that the rollups always count the visits stored.
func refold(agents *funnel.Agents, rows []visitRow, events []funnel.StorefrontEvent) (drop []visitRow, write []funnel.Visit, err error) {
	stored := make([]funnel.Visit, len(rows))
	for i, r := range rows {
		if stored[i], err = r.visit(); err != nil {
			return nil, nil, err
		}
	}
	folded := agents.Fold(stored, events)
	keep := make([]bool, len(folded))
	for i, v := range stored {
		j := slices.IndexFunc(folded, func(f funnel.Visit) bool { return reflect.DeepEqual(f, v) })
		if j >= 0 && !keep[j] {
			keep[j] = true
			continue
		}
		r := rows[i]
		r.folded = v
		drop = append(drop, r)
	}
	for j, v := range folded {
		if !keep[j] {
			write = append(write, v)
		}
	}
	return drop, write, nil
}

// newVisitRow is v's row of visits (its ID not yet set), counted completed
// by an order when byOrder (visits.completed_by_order).
func newVisitRow(shopID int64, v funnel.Visit, byOrder bool, now time.Time) (visitRow, error) {
	// jsonv1: encoding/json's rules and bytes on the v2 engine, at about
	// 60% of its CPU for a visit (TestVisitJSONIsEncodingJSONs).
	b, err := jsonv1.Marshal(v)
	if err != nil {
		return visitRow{}, fmt.Errorf("encoding a visit: %w", err)
	}
	return visitRow{ShopID: shopID, ClientID: v.ClientID, StartedAt: utc(v.Start), EndedAt: utc(v.End),
		Quarter: quarterOf(v.Start), Device: string(v.Device), LandingPageType: string(v.Landing),
		Source: string(v.Source), FurthestStage: int(v.Furthest()), Bot: v.Bot, Summary: string(b), UpdatedAt: now,
		CompletedByOrder: byOrder, folded: v}, nil
}

// insertVisit writes one visit with its tokens and products.
func insertVisit(tx *gorm.DB, shopID int64, v funnel.Visit, byOrder bool, now time.Time) error {
	row, err := newVisitRow(shopID, v, byOrder, now)
	if err != nil {
		return err
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("inserting a visit: %w", err)
	}
	var args []any
	tokens := VisitTokenValues(shopID, row.ID, v)
	for _, t := range tokens {
		args = append(args, t...)
	}
	if len(tokens) > 0 {
		err := tx.Exec(`INSERT INTO visit_tokens (`+strings.Join(VisitTokenColumns, ", ")+`) VALUES `+
			valueRows(len(tokens), len(VisitTokenColumns)), args...).Error
		if err != nil {
			return fmt.Errorf("inserting a visit's tokens: %w", err)
		}
	}
	args = args[:0]
	products := visitProductRows(v)
	for _, p := range products {
		args = append(args, p.values(shopID, row.ID, v)...)
	}
	if len(products) > 0 {
		err := tx.Exec(`INSERT INTO visit_products (`+strings.Join(visitProductColumns, ", ")+`) VALUES `+
			valueRows(len(products), len(visitProductColumns)), args...).Error
		if err != nil {
			return fmt.Errorf("inserting a visit's products: %w", err)
		}
	}
	return nil
}

// pixelTouchEvery is how often at most a pixel's last event time moves:
// the admin asks only whether it delivered within a day, and each /collect
// group would otherwise rewrite its shops' rows.
const pixelTouchEvery = time.Minute

// touchPixels records that the pixels of the shops ids delivered now.
func touchPixels(tx *gorm.DB, ids []int64, now time.Time) error {
	err := tx.Exec(`UPDATE pixel_keys SET last_event_at = ? WHERE shop_id IN ? AND (last_event_at IS NULL OR last_event_at < ?)`,
		now, ids, now.Add(-pixelTouchEvery)).Error
	if err != nil {
		return fmt.Errorf("recording the pixels' last events: %w", err)
	}
	return nil
}
