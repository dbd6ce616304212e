package app

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/funnelscope/funnelscope/store"
)

// metrics are the application's Prometheus instruments, registered on the
// App's own registry rather than the global one.
type metrics struct {
	requests *prometheus.HistogramVec
	webhooks *prometheus.CounterVec
	// commitBatch is the number of deliveries per group commit.
	commitBatch prometheus.Histogram
	// folded and foldFailures count the storefront events the folder
	// folded into visits and the inbox rows it could not fold.
	folded       prometheus.Counter
	foldFailures prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "funnelscope_http_request_duration_seconds",
			Help:    "HTTP request latency by route and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "status"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "funnelscope_webhooks_total",
			Help: "Webhook deliveries by topic and outcome.",
		}, []string{"topic", "outcome"}),
		commitBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "funnelscope_webhook_commit_batch_size",
			Help:    "Funnel webhook deliveries committed together in one transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		folded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "funnelscope_storefront_folded_events_total",
			Help: "Storefront events folded into visits after /collect accepted them.",
		}),
		foldFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "funnelscope_storefront_fold_failures_total",
			Help: fmt.Sprintf("Failed folds of one storefront inbox row (a shop's part of an accepted /collect group); the row is kept and tried up to %d times.", store.FoldAttempts),
		}),
	}
	reg.MustRegister(m.requests, m.webhooks, m.commitBatch, m.folded, m.foldFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricTopic keeps the metrics label set bounded: the topics the app
// subscribes to, and "other" for any other.
func metricTopic(topic string) string {
	if routeOf(topic) == routeNone {
		return "other"
	}
	return topic
}

// observeFold records one storefront fold.
func (m *metrics) observeFold(f store.StorefrontFold) {
	m.folded.Add(float64(f.Events))
	m.foldFailures.Add(float64(f.Failed))
}
