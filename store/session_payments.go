package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// The payment section's pixel part, kept at write time: session_payments
// holds, for each funnel session at payment that a visit joined by cart or
// checkout token, what funnel.PaymentSessionOf makes of it (migration
// 00048). Each transaction that changes one side of the join rewrites the
// rows of the sessions carrying the tokens it touched, from the sessions
// and visit tokens as they then are: the webhooks' ingest for the sessions
// at payment it writes (sessionWrites.paymentTokens), /collect for the
// tokens whose visits' facts changed (paymentTokensOfRefold). On
// PostgreSQL both take an advisory lock per shop first, as the last lock
// of their transaction, and read after it: whichever commits second sees
// the other's writes, and the holder waits for nothing else, so the lock
// cannot deadlock.

// paymentSectionVersion is the migration that adds payment_rollups and
// session_payments; Migrate then fills them (fillPaymentSection).
const paymentSectionVersion = 48

// atPayment is the condition that a sessions row reached the payment step
// or completed (and so passed it); atPaymentStep is the same of a session.
const atPayment = "(payment_reached_at IS NOT NULL OR completed_at IS NOT NULL)"

// atPaymentStep reports whether s reached the payment step or completed:
// atPayment of its row.
func atPaymentStep(s funnel.Session) bool { return s.Furthest() >= funnel.StagePaymentReached }

// sessionPaymentColumns are session_payments' columns, in the order
// sessionPaymentsInsert selects them.
const sessionPaymentColumns = `session_id, shop_id, started_at, device, country, gateway, method, completed, submitted,
	own_country, own_gateway, errors`

// sessionPaymentsInsert is the INSERT of the session_payments rows of the
// sessions at payment among those targets selects (SQL of one column, id)
// that a visit joined: the pairs of each session and the visits that
// carried its cart or checkout token, each pair once (a visit that
// carried both tokens too); then, per session, submitted if one visit
// submitted, the method (and the gateway when the session has none) of the
// visit whose payment event is earliest, the device of the earliest visit
// (visitJoinExpr), and every visit's error stages, aggregated by concat
// (PostgreSQL's string_agg, SQLite's group_concat). It is the one SQL of
// funnel.PaymentSessionOf; TestPaymentSessionsOracle holds them together.
func sessionPaymentsInsert(targets, concat string) string {
	half := func(col string) string {
		return `SELECT s.id AS sid, vt.visit_id, vt.pay_submitted, vt.pay_from_ns, vt.pay_from_id, vt.pay_method, vt.pay_gateway,
			vt.pay_errors FROM sessions s JOIN visit_tokens vt ON vt.shop_id = s.shop_id AND vt.token = s.` + col + `
			WHERE s.id IN (SELECT id FROM t) AND s.` + col + ` <> '' AND ` + atPayment
	}
	return `WITH t AS (` + targets + `),
		sv AS (` + half("cart_token") + " UNION " + half("checkout_token") + `),
		ps AS (SELECT sid, MAX(CASE WHEN pay_submitted THEN 1 ELSE 0 END) AS submitted,
				COALESCE(` + concat + `(NULLIF(pay_errors, ''), ','), '') AS errors
			FROM sv GROUP BY sid),
		pf AS (SELECT sid, pay_method, pay_gateway FROM (SELECT sid, pay_method, pay_gateway,
				ROW_NUMBER() OVER (PARTITION BY sid ORDER BY pay_from_ns, pay_from_id) AS rn
			FROM sv WHERE pay_from_ns IS NOT NULL) f WHERE rn = 1)
		INSERT INTO session_payments (` + sessionPaymentColumns + `)
		SELECT sessions.id, sessions.shop_id, sessions.started_at,
			` + segmentExpr(funnel.SegmentDevice) + `, ` + segmentExpr(funnel.SegmentCountry) + `,
			CASE WHEN sessions.gateway <> '' THEN sessions.gateway ELSE COALESCE(pf.pay_gateway, '') END,
			COALESCE(pf.pay_method, ''), sessions.completed_at IS NOT NULL, ps.submitted = 1,
			sessions.country, sessions.gateway, ps.errors
		FROM sessions JOIN ps ON ps.sid = sessions.id LEFT JOIN pf ON pf.sid = sessions.id`
}

// concatFor is the string aggregate of dialect's SQL.
func concatFor(dialect string) string {
	if dialect == DialectPostgres {
		return "string_agg"
	}
	return "group_concat"
}

// pgPaymentTargets selects the sessions that carry one of the tokens of
// the pairs ($1 the shops, $2 the tokens).
const pgPaymentTargets = `SELECT s.id FROM unnest($1::bigint[], $2::text[]) AS q (shop_id, token)
		JOIN sessions s ON s.shop_id = q.shop_id AND s.cart_token = q.token
	UNION SELECT s.id FROM unnest($1::bigint[], $2::text[]) AS q (shop_id, token)
		JOIN sessions s ON s.shop_id = q.shop_id AND s.checkout_token = q.token`

// pgSessionPayments queues (on a pipeline or a pgx.Batch) the rewrite of
// the session_payments rows of the sessions that carry the tokens ts and
// of the sessions gone (merged into others): the shops' locks, the rows
// deleted, the rows of those at payment written anew. It queues nothing
// when both are empty.
func pgSessionPayments(queue func(sql string, args ...any), ts []shopToken, gone []shopSession) {
	if len(ts) == 0 && len(gone) == 0 {
		return
	}
	var shops []string
	for _, t := range ts {
		shops = append(shops, strconv.FormatInt(t.shop, 10))
	}
	ids := make([]int64, len(gone))
	for i, g := range gone {
		shops, ids[i] = append(shops, strconv.FormatInt(g.shop, 10)), g.id
	}
	queue(pgXactLocks("funnelscope.payment"), shops)
	if len(gone) > 0 {
		queue(`DELETE FROM session_payments WHERE session_id = ANY($1::bigint[])`, ids)
	}
	if len(ts) == 0 {
		return
	}
	s, tokens := shopTokenArrays(ts)
	queue(`WITH t AS (`+pgPaymentTargets+`) DELETE FROM session_payments WHERE session_id IN (SELECT id FROM t)`, s, tokens)
	queue(sessionPaymentsInsert(pgPaymentTargets, concatFor(DialectPostgres)), s, tokens)
}

// sqliteSessionPayments is pgSessionPayments on SQLite, in the transaction
// tx, where the writers are serialised and need no lock.
func sqliteSessionPayments(tx *gorm.DB, ts []shopToken, gone []shopSession) error {
	if len(gone) > 0 {
		ids := make([]int64, len(gone))
		for i, g := range gone {
			ids[i] = g.id
		}
		if err := tx.Exec(`DELETE FROM session_payments WHERE session_id IN ?`, ids).Error; err != nil {
			return fmt.Errorf("deleting the payments of merged sessions: %w", err)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	pairs := make([][2]any, len(ts))
	for i, t := range ts {
		pairs[i] = [2]any{t.shop, t.token}
	}
	b, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	doc := string(b) // as text: SQLite reads a blob as JSONB
	targets := `SELECT s.id FROM json_each(?) AS q
			JOIN sessions s ON s.shop_id = json_extract(q.value, '$[0]') AND s.cart_token = json_extract(q.value, '$[1]')
		UNION SELECT s.id FROM json_each(?) AS q
			JOIN sessions s ON s.shop_id = json_extract(q.value, '$[0]') AND s.checkout_token = json_extract(q.value, '$[1]')`
	if err := tx.Exec(`WITH t AS (`+targets+`) DELETE FROM session_payments WHERE session_id IN (SELECT id FROM t)`,
		doc, doc).Error; err != nil {
		return fmt.Errorf("deleting the sessions' payments: %w", err)
	}
	if err := tx.Exec(sessionPaymentsInsert(targets, concatFor(DialectSQLite)), doc, doc).Error; err != nil {
		return fmt.Errorf("writing the sessions' payments: %w", err)
	}
	return nil
}

// pgXactLocks is the statement that takes the advisory transaction locks
// of namespace for the keys $1 (text), in one global order, so that two
// transactions that share keys take them in the same order.
func pgXactLocks(namespace string) string {
	return `SELECT count(pg_advisory_xact_lock(hashtext('` + namespace + `'), h))
	FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS u (k) ORDER BY h) AS l`
}

// shopSession is a session's id and its shop's.
type shopSession struct{ shop, id int64 }

// paymentTokens are the cart and checkout tokens of the sessions at
// payment that the writes write, each once, sorted; gone the sessions
// they merge into others.
func (w sessionWrites) paymentTokens() (ts []shopToken, gone []shopSession) {
	for _, r := range slices.Concat(w.updates, w.inserts) {
		if !atPaymentStep(r.s) {
			continue
		}
		for _, t := range []string{r.s.CartToken, r.s.CheckoutToken} {
			if t != "" {
				ts = append(ts, shopToken{r.ShopID, t})
			}
		}
	}
	for shop, ids := range w.deleted {
		for _, id := range ids {
			gone = append(gone, shopSession{shop, id})
		}
	}
	return sortedTokens(ts), gone
}

// paymentTokensOfRefold are the tokens whose visit token rows a client's
// refold changes (those of the dropped visits against those of the
// written ones), each once, sorted: the rows sessionPaymentsInsert reads,
// which a visit that only grew by a page view leaves as they were.
func paymentTokensOfRefold(shopID int64, drop []visitRow, write []funnel.Visit) []shopToken {
	count := map[visitTokenRow]int{}
	for _, r := range drop {
		for _, t := range visitTokenRows(r.folded) {
			count[t]--
		}
	}
	for _, v := range write {
		for _, t := range visitTokenRows(v) {
			count[t]++
		}
	}
	var out []shopToken
	for t, n := range count {
		if n != 0 {
			out = append(out, shopToken{shopID, t.token})
		}
	}
	return sortedTokens(out)
}

// RebuildSessionPayments recomputes the shop's session_payments rows from
// its sessions and visit tokens, as Migrate does once for every shop when
// it creates them. The ingest keeps them exact; this is for data loaded
// around it (the benchmark's) and for repairs.
func (s *Store) RebuildSessionPayments(ctx context.Context, shopID int64) error {
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM session_payments WHERE shop_id = ?`, shopID).Error; err != nil {
			return err
		}
		targets := `SELECT id FROM sessions WHERE shop_id = ` + strconv.FormatInt(shopID, 10) + ` AND ` + atPayment
		return tx.Exec(sessionPaymentsInsert(targets, concatFor(s.dialect))).Error
	})
	if err != nil {
		return fmt.Errorf("store: rebuilding the session payments of shop %d: %w", shopID, err)
	}
	return nil
}

// fillPaymentSection fills payment_rollups for every shop and
// session_payments for every shop with visits, for migration 00048, which
// creates them.
func (s *Store) fillPaymentSection(ctx context.Context) error {
	var ids []int64
	if err := s.db(ctx).Raw("SELECT id FROM shops ORDER BY id").Scan(&ids).Error; err != nil {
		return fmt.Errorf("store: finding the shops: %w", err)
	}
	for _, id := range ids {
		err := s.db(ctx).Transaction(func(tx *gorm.DB) error { return rebuildPaymentRollups(tx, id, s.bucketSQL) })
		if err != nil {
			return fmt.Errorf("store: filling the payment rollups of shop %d: %w", id, err)
		}
	}
	return s.forEachShopWithVisits(ctx, func(id int64) error { return s.RebuildSessionPayments(ctx, id) })
}
