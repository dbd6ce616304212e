package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestRaiseAnomaly checks the one-per-step-and-day rule: a second raise of
// the same shop, step, device and day is a no-op that queues nothing; the
// job is enqueued inside the anomaly's transaction (its error leaves no
// anomaly); a skipped anomaly queues no job; the list is the shop's own.
func TestRaiseAnomaly(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, _ *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "anomaly-a.myshopify.com")
		b := storetest.Install(t, s, "anomaly-b.myshopify.com")
		var queued []int64
		enqueue := func(_ context.Context, tx *sql.Tx, an store.Anomaly) error {
			if tx == nil {
				return errors.New("no transaction")
			}
			queued = append(queued, an.ID)
			return nil
		}
		raise := func(shop int64, day string, step funnel.Stage, device funnel.Device, status string, f store.InTx[store.Anomaly]) (store.Anomaly, bool) {
			t.Helper()
			got, created, err := s.RaiseAnomaly(ctx, store.Anomaly{ShopID: shop, Day: day, Step: step, Device: device,
				DetectedAt: at(8 * time.Hour), Since: at(2 * time.Hour), ExpectedRate: 0.68, ObservedRate: 0.41,
				Shoppers: 200, Reached: 82, Lost: 54, ValueAtRisk: 188686, Currency: "USD", Status: status}, f)
			if err != nil {
				t.Fatal(err)
			}
			return got, created
		}
		first, created := raise(a.ID, "2026-11-20", funnel.StageCompleted, funnel.DeviceMobile, "", enqueue)
		if !created || first.ID == 0 || len(queued) != 1 || queued[0] != first.ID {
			t.Fatalf("first raise: %+v created %v, queued %v", first, created, queued)
		}
		if _, created := raise(a.ID, "2026-11-20", funnel.StageCompleted, funnel.DeviceMobile, "", enqueue); created || len(queued) != 1 {
			t.Fatalf("second raise created %v, queued %v", created, queued)
		}
		// Another device, day or shop is another anomaly.
		raise(a.ID, "2026-11-20", funnel.StageCompleted, "", "", enqueue)
		raise(a.ID, "2026-11-21", funnel.StageCompleted, funnel.DeviceMobile, "", enqueue)
		raise(b.ID, "2026-11-20", funnel.StageCompleted, funnel.DeviceMobile, "", enqueue)
		if len(queued) != 4 {
			t.Fatalf("queued %v, want 4 jobs", queued)
		}
		// A failed enqueue rolls the anomaly back.
		_, _, err := s.RaiseAnomaly(ctx, store.Anomaly{ShopID: a.ID, Day: "2026-11-20", Step: funnel.StagePaymentReached,
			DetectedAt: at(0), Since: at(0)}, func(context.Context, *sql.Tx, store.Anomaly) error { return errors.New("queue down") })
		if err == nil {
			t.Fatal("a failed enqueue raised no error")
		}
		// Skipped: recorded, no job.
		if _, created := raise(a.ID, "2026-11-20", funnel.StagePaymentReached, "", store.AlertSkipped, enqueue); !created || len(queued) != 4 {
			t.Fatalf("skipped raise created %v, queued %v", created, queued)
		}

		list, err := s.Anomalies(ctx, a.ID, "2026-11-20", "2026-11-20", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("shop a's anomalies of the day: %+v", list)
		}
		for _, an := range list {
			if an.ShopID != a.ID || an.Day != "2026-11-20" {
				t.Fatalf("listed %+v", an)
			}
		}
		got, err := s.AnomalyByID(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Step != funnel.StageCompleted || got.Device != funnel.DeviceMobile || got.ExpectedRate != 0.68 || got.ObservedRate != 0.41 ||
			got.ValueAtRisk != 188686 || got.Lost != 54 || !got.Since.Equal(at(2*time.Hour)) || got.Status != store.AlertQueued {
			t.Fatalf("read back %+v", got)
		}
		if ok, err := s.FinishAnomaly(ctx, first.ID, store.AlertSent, ""); err != nil || !ok {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, err := s.FinishAnomaly(ctx, first.ID, store.AlertFailed, "late"); err != nil || ok {
			t.Fatalf("finishing a sent anomaly again: %v %v", ok, err)
		}
		if _, err := s.AnomalyByID(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown anomaly: %v", err)
		}
	})
}

// TestWindowCounts checks that the scan's counts are the shop's sessions
// started inside the window, by furthest stage.
func TestWindowCounts(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, _ *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "window-a.myshopify.com")
		b := storetest.Install(t, s, "window-b.myshopify.com")
		ingest(t, s, a.ID, "w1", checkoutEvent("c1", "k1", at(time.Hour), at(time.Hour), 1000))
		ingest(t, s, a.ID, "w2", checkoutEvent("c2", "k2", at(2*time.Hour), at(2*time.Hour), 1000))
		ingest(t, s, a.ID, "w3", orderEvent("c2", "k2", at(2*time.Hour+time.Minute), 1000))
		ingest(t, s, a.ID, "w4", cartEvent("c3", at(5*time.Hour), at(5*time.Hour), 1000))
		ingest(t, s, b.ID, "w5", cartEvent("c4", at(time.Hour), at(time.Hour), 1000))
		c, err := s.WindowCounts(ctx, a.ID, at(0), at(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		all := c.All()
		var total int64
		for _, n := range all {
			total += n
		}
		if total != 2 || all[funnel.StageCompleted] != 1 || c.OrderValue != 1000 {
			t.Fatalf("counts %v, order value %d", all, c.OrderValue)
		}
	})
}
