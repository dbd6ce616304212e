package loadgen_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/bench/loadgen"
	"github.com/funnelscope/funnelscope/demo/journeys"
)

// TestFixturesFromAPackageFolder finds the repository's own fixtures from a
// package's folder (the working directory of go test, and of the fault
// tests), and builds valid payloads from them.
func TestFixturesFromAPackageFolder(t *testing.T) {
	dir, err := loadgen.FixturesDir()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "testdata", "shopify"); dir != want {
		t.Fatalf("FixturesDir = %s, want %s", dir, want)
	}
	tmpl, err := loadgen.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	crowd := loadgen.Mix("t-", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), time.Hour, 1).Crowd()
	var s journeys.Shopper
	for s.Stop != funnel.StageCompleted {
		s = crowd.Next()
	}
	ds := tmpl.Journey("loadgen.myshopify.com", s)
	if len(ds) < 7 || ds[len(ds)-1].Topic != "orders/create" {
		t.Fatalf("a completed journey is %d deliveries, last %+v", len(ds), ds[len(ds)-1].Topic)
	}
	for i, d := range ds {
		if !json.Valid(d.Body) || d.Shop != "loadgen.myshopify.com" || d.Key != s.Cart {
			t.Errorf("%s: shop %s, session %s, JSON %s", d.Topic, d.Shop, d.Key, d.Body)
		}
		if i > 0 && d.At.Before(ds[i-1].At) {
			t.Errorf("%s at %s comes before %s at %s", d.Topic, d.At, ds[i-1].Topic, ds[i-1].At)
		}
		if i > 0 && d.Topic == "carts/update" && d.Cents <= ds[i-1].Cents {
			t.Errorf("a cart update leaves the cart at %d cents, it held %d", d.Cents, ds[i-1].Cents)
		}
	}
}

// TestStopShares: the bench's shoppers stop where its mix says, about 45,
// 20, 9, 6, 5 and 15 in 100.
func TestStopShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var got [funnel.StageCompleted + 1]int
	const n = 100_000
	for range n {
		got[loadgen.Stop(rng)]++
	}
	for st, want := range map[funnel.Stage]float64{
		funnel.StageAddedToCart: 45, funnel.StageCheckoutStarted: 20, funnel.StageContactSubmitted: 9,
		funnel.StageAddressSubmitted: 6, funnel.StagePaymentReached: 5, funnel.StageCompleted: 15,
	} {
		if share := 100 * float64(got[st]) / n; math.Abs(share-want) > 0.6 {
			t.Errorf("%s: %.1f in 100, want %.0f", st, share, want)
		}
	}
}

// TestFixturesDirOutsideARepository names what is missing instead of
// reading some other folder.
func TestFixturesDirOutsideARepository(t *testing.T) {
	t.Chdir(t.TempDir())
	if dir, err := loadgen.FixturesDir(); err == nil {
		t.Fatalf("FixturesDir outside any module = %s, want an error", dir)
	}
}

// BenchmarkStream measures generation alone, per webhook, as bench
// ingest's stream makes them: shoppers drawn, rendered and interleaved
// 200 at a time over two shops.
func BenchmarkStream(b *testing.B) {
	dir, err := loadgen.FixturesDir()
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := loadgen.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	domains := []string{"a.myshopify.com", "b.myshopify.com"}
	crowd := loadgen.Mix("s-", time.Now().UTC().Truncate(time.Second), 30*time.Minute, 1).Crowd()
	n, made := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	loadgen.InterleaveFunc(200, rand.New(rand.NewPCG(1, 42)), func() ([]loadgen.Delivery, bool) {
		n++
		return tmpl.Journey(domains[n%len(domains)], crowd.Next()), true
	}, func(loadgen.Delivery) bool {
		made++
		return made < b.N
	})
}
