package loadgen_test

import (
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/bench/loadgen"
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
	rng := rand.New(rand.NewPCG(1, 2))
	ds := tmpl.Journey("t", "loadgen.myshopify.com", 1, funnel.StageCompleted, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), 1234, rng)
	if len(ds) < 3 || ds[len(ds)-1].Topic != "orders/create" {
		t.Fatalf("a completed journey is %d deliveries, last %+v", len(ds), ds[len(ds)-1].Topic)
	}
	for _, d := range ds {
		if !json.Valid(d.Body) {
			t.Errorf("%s: invalid JSON %s", d.Topic, d.Body)
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
