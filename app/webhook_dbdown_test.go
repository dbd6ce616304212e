package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// faultProxy forwards TCP to PostgreSQL on loopback and can cut it, which to
// the app looks like the database going down.
type faultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.setDown(true) })
	go p.serve()
	return p
}

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

// setDown cuts every open connection and refuses new ones, or lets them through again.
func (p *faultProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.conns = nil
	}
}

// storeBehindProxy opens a store on a fresh PostgreSQL database reached
// through a fault proxy, which a test cuts to take the database down.
func storeBehindProxy(t *testing.T) (*store.Store, *faultProxy) {
	t.Helper()
	base, err := url.Parse(storetest.URL(t, store.DialectPostgres))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, base.Host)
	base.Host = proxy.ln.Addr().String()
	st, err := store.Open(context.Background(), base.String(), store.Options{EncryptionKey: storetest.Key()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, proxy
}

// TestWebhookDatabaseDown: while PostgreSQL is unreachable the endpoint
// answers 5xx, so Shopify retries; once it is back the app recovers by itself
// and the retried delivery is applied.
func TestWebhookDatabaseDown(t *testing.T) {
	t.Parallel()
	st, proxy := storeBehindProxy(t)
	h := newHarness(t, st)
	const shop = "flaky.myshopify.com"
	h.install(shop)

	cart := testkit.Fixture(t, "carts_create.json")
	if resp, body := h.webhook("carts/create", shop, "before", cart); resp.StatusCode != http.StatusOK {
		t.Fatalf("before the outage: %d %s", resp.StatusCode, body)
	}

	proxy.setDown(true)
	update := loadPayload(t, "carts_update.json").with(t, map[string]any{"updated_at": "2022-01-01T01:00:00Z"}).bytes(t)
	resp, body := h.webhook("carts/update", shop, "during", update)
	if resp.StatusCode < 500 || strings.Contains(string(body), "password") || strings.Contains(string(body), "127.0.0.1") {
		t.Fatalf("during the outage: %d %s, want a 5xx that reveals nothing", resp.StatusCode, body)
	}
	if resp, _ := h.get("/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz during the outage: %d", resp.StatusCode)
	}

	proxy.setDown(false)
	testkit.Eventually(t, "the app to recover", func() bool {
		resp, _ := h.webhook("carts/update", shop, "during", update)
		return resp.StatusCode == http.StatusOK
	})
	if resp, _ := h.get("/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz after the outage: %d", resp.StatusCode)
	}
	s, _ := st.ShopByDomain(t.Context(), shop)
	sess, err := st.SessionByKey(t.Context(), s.ID, "exampleCartId")
	if err != nil || !sess.LastActivity.Equal(*ts("2022-01-01T01:00:00Z")) {
		t.Fatalf("the retried delivery was not applied: %v %v", sess.LastActivity, err)
	}
}

// TestWebhookAfterDroppedConnections: when every pooled connection to
// PostgreSQL has been cut while idle, the next delivery is still applied
// and answered 200 at once: its transaction discards the dead
// connections before it sends anything and dials anew.
func TestWebhookAfterDroppedConnections(t *testing.T) {
	t.Parallel()
	st, proxy := storeBehindProxy(t)
	h := newHarness(t, st)
	const shop = "blip.myshopify.com"
	h.install(shop)
	if resp, body := h.webhook("carts/create", shop, "before", testkit.Fixture(t, "carts_create.json")); resp.StatusCode != http.StatusOK {
		t.Fatalf("before the cut: %d %s", resp.StatusCode, body)
	}
	proxy.setDown(true)
	proxy.setDown(false)
	update := loadPayload(t, "carts_update.json").with(t, map[string]any{"updated_at": "2022-01-01T01:00:00Z"}).bytes(t)
	if resp, body := h.webhook("carts/update", shop, "after", update); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the connections were cut: %d %s", resp.StatusCode, body)
	}
	s, _ := st.ShopByDomain(t.Context(), shop)
	sess, err := st.SessionByKey(t.Context(), s.ID, "exampleCartId")
	if err != nil || !sess.LastActivity.Equal(*ts("2022-01-01T01:00:00Z")) {
		t.Fatalf("the delivery was not applied: %v %v", sess.LastActivity, err)
	}
}
