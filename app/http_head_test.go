package app_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// rawHEAD sends a HEAD request over a bare connection and returns the
// response with everything the server sent after its headers: a HEAD
// answer must carry no body, which a client library would hide.
func rawHEAD(t *testing.T, h *harness, path string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "HEAD "+path+" HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	req, _ := http.NewRequest(http.MethodHead, path, nil)
	resp, err := http.ReadResponse(r, req)
	if err != nil {
		t.Fatalf("HEAD %s: %v", path, err)
	}
	rest, _ := io.ReadAll(r)
	return resp, rest
}

// TestHEADAnswersWhereGETDoes: HEAD gets the status and headers of GET, and
// no body, on every GET route.
func TestHEADAnswersWhereGETDoes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.Open(t, store.DialectSQLite))
	for _, path := range []string{"/healthz", "/readyz", "/", assetURL(t, "app.css"), "/auth?shop=head.myshopify.com"} {
		get, _ := h.get(path)
		head, rest := rawHEAD(t, h, path)
		if head.StatusCode != get.StatusCode || head.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s: %d, GET: %d", path, head.StatusCode, get.StatusCode)
		}
		if ct := head.Header.Get("Content-Type"); ct != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET's %q", path, ct, get.Header.Get("Content-Type"))
		}
		if len(rest) != 0 {
			t.Errorf("HEAD %s sent a body: %q", path, rest)
		}
	}
	// Where GET does not answer, neither does HEAD.
	if head, _ := rawHEAD(t, h, "/webhooks"); head.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /webhooks: %d, want 405 as for GET", head.StatusCode)
	}
	if head, _ := rawHEAD(t, h, "/nowhere"); head.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD /nowhere: %d, want 404", head.StatusCode)
	}
}
