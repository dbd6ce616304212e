package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestInstalledRule is the oracle test of "installed": for every
// combination of an access token (sealed, empty, NULL), an uninstall and
// needs_reauth, Shop.Installed and each query built on installedSQL
// (InstalledShopID, InstalledShopsByDomain, InstalledShopIDs) agree, on
// both databases.
func TestInstalledRule(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, _ *testkit.Clock) {
		ctx := context.Background()
		type shopCase struct {
			domain        string
			token         string // "sealed", "empty" or "null"
			uninstalled   bool
			needsReauth   bool
			wantInstalled bool
		}
		var cases []shopCase
		for _, token := range []string{"sealed", "empty", "null"} {
			for _, uninstalled := range []bool{false, true} {
				for _, reauth := range []bool{false, true} {
					cases = append(cases, shopCase{
						domain: fmt.Sprintf("%s-%v-%v.myshopify.com", token, uninstalled, reauth),
						token:  token, uninstalled: uninstalled, needsReauth: reauth,
						wantInstalled: token == "sealed" && !uninstalled,
					})
				}
			}
		}
		var domains []string
		for _, c := range cases {
			sh := storetest.Install(t, s, c.domain)
			domains = append(domains, c.domain)
			var q string
			switch c.token {
			case "empty":
				q = "UPDATE shops SET access_token = '' WHERE id = $1"
			case "null":
				q = "UPDATE shops SET access_token = NULL WHERE id = $1"
			}
			if q != "" {
				if _, err := s.DB().ExecContext(ctx, q, sh.ID); err != nil {
					t.Fatal(err)
				}
			}
			if c.uninstalled {
				if _, err := s.DB().ExecContext(ctx, "UPDATE shops SET uninstalled_at = installed_at WHERE id = $1", sh.ID); err != nil {
					t.Fatal(err)
				}
			}
			if c.needsReauth {
				if err := s.MarkNeedsReauth(ctx, sh.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		byDomain, err := s.InstalledShopsByDomain(ctx, domains)
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.InstalledShopIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			sh, err := s.ShopByDomain(ctx, c.domain)
			if err != nil {
				t.Fatal(err)
			}
			if sh.NeedsReauth != c.needsReauth || (sh.UninstalledAt != nil) != c.uninstalled || (sh.Tokens.AccessToken != "") != (c.token == "sealed") {
				t.Fatalf("%s: the case was not set up: %+v", c.domain, sh)
			}
			id, installed, err := s.InstalledShopID(ctx, c.domain)
			if err != nil || id != sh.ID {
				t.Fatalf("InstalledShopID(%s) = %d, %v; want %d", c.domain, id, err, sh.ID)
			}
			_, inBatch := byDomain[c.domain]
			got := map[string]bool{
				"Shop.Installed":         sh.Installed(),
				"InstalledShopID":        installed,
				"InstalledShopsByDomain": inBatch,
				"InstalledShopIDs":       slices.Contains(all, sh.ID),
			}
			for rule, v := range got {
				if v != c.wantInstalled {
					t.Errorf("%s (token %s, uninstalled %v, needs_reauth %v): %s says installed %v, want %v",
						c.domain, c.token, c.uninstalled, c.needsReauth, rule, v, c.wantInstalled)
				}
			}
		}
	})
}
