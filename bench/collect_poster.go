package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// collectPoster posts batches to /collect from several loopback source
// addresses in turn, as shoppers' browsers come from many: the app limits
// each address (app/collect_limits.go), and the bench measures the
// collector, not the limiter.
//
// It writes each request itself on kept-alive connections, headers and
// body in one write, and reads the answer with http.ReadResponse: the
// load generator shares the two cores with the app and PostgreSQL, and
// net/http's client (its transport's goroutines and pool) cost about half
// again of the app's own CPU per event (BENCHMARKS.md), so that the
// figure measured the generator as much as the collector.
type collectPoster struct {
	host    string
	head    string // the request line and headers, up to Content-Length's value
	locals  []*net.TCPAddr
	idle    []chan *posterConn // per source address
	next    atomic.Int64
	refused atomic.Int64
}

type posterConn struct {
	c net.Conn
	r *bufio.Reader
}

func newCollectPoster(appURL string, addrs int) *collectPoster {
	u, _ := url.Parse(appURL) // the bench's own URL
	p := &collectPoster{host: u.Host,
		head: "POST /collect HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: "}
	for i := range max(1, addrs) {
		p.locals = append(p.locals, &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+i/250), byte(2+i%250))})
		p.idle = append(p.idle, make(chan *posterConn, 256))
	}
	return p
}

// post sends one batch and reports whether it was acknowledged (204).
func (p *collectPoster) post(ctx context.Context, b collectBatch) bool {
	i := int(p.next.Add(1)) % len(p.locals)
	var c *posterConn
	select {
	case c = <-p.idle[i]:
	default:
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: p.locals[i]}
		conn, err := d.DialContext(ctx, "tcp", p.host)
		if err != nil {
			return false
		}
		c = &posterConn{c: conn, r: bufio.NewReaderSize(conn, 4096)}
	}
	status, keep := c.roundTrip(p.head, b.body)
	if keep {
		select {
		case p.idle[i] <- c:
		default:
			_ = c.c.Close()
		}
	} else {
		_ = c.c.Close()
	}
	if status == http.StatusTooManyRequests {
		p.refused.Add(1)
	}
	return status == http.StatusNoContent
}

// roundTrip writes one request and reads its answer: its status (0 when
// the exchange failed) and whether the connection can be used again.
func (c *posterConn) roundTrip(head string, body []byte) (status int, keep bool) {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	req := net.Buffers{append(strconv.AppendInt([]byte(head), int64(len(body)), 10), "\r\n\r\n"...), body}
	if _, err := req.WriteTo(c.c); err != nil {
		return 0, false
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, false
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, err == nil && !resp.Close
}
