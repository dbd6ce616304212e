package app

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/funnelscope/funnelscope/store"
)

// inboxScrapeTimeout bounds the inbox's reading on a scrape.
const inboxScrapeTimeout = 2 * time.Second

// inboxCollector reports the storefront inbox (store.StorefrontBacklog)
// on each scrape of /metrics: the rows accepted and not yet folded, how
// long the oldest has waited, and the rows given up. /collect answers
// before it folds, so these say whether the folders keep up. A scrape
// that cannot read the inbox reports none of them.
type inboxCollector struct {
	backlog func(context.Context) (store.StorefrontBacklog, error)
	now     func() time.Time

	rows, oldest, givenUp *prometheus.Desc
}

func newInboxCollector(st *store.Store, now func() time.Time) *inboxCollector {
	return &inboxCollector{backlog: st.StorefrontBacklog, now: now,
		rows:   prometheus.NewDesc("funnelscope_storefront_inbox_rows", "Storefront inbox rows (a shop's part of an accepted /collect group) not yet folded into visits.", nil, nil),
		oldest: prometheus.NewDesc("funnelscope_storefront_inbox_oldest_seconds", "How long the oldest storefront inbox row still to fold has waited (0 when none).", nil, nil),
		givenUp: prometheus.NewDesc("funnelscope_storefront_inbox_given_up_rows",
			fmt.Sprintf("Storefront inbox rows whose fold failed %d times, kept for an operator.", store.FoldAttempts), nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *inboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.rows
	ch <- c.oldest
	ch <- c.givenUp
}

// Collect implements prometheus.Collector.
func (c *inboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), inboxScrapeTimeout)
	defer cancel()
	b, err := c.backlog(ctx)
	if err != nil {
		return
	}
	age := 0.0
	if !b.Oldest.IsZero() {
		age = max(0, c.now().Sub(b.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.rows, prometheus.GaugeValue, float64(b.Rows))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(c.givenUp, prometheus.GaugeValue, float64(b.GivenUp))
}
