package app

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the application's Prometheus instruments, registered on the
// App's own registry rather than the global one.
type metrics struct {
	requests *prometheus.HistogramVec
	webhooks *prometheus.CounterVec
	// commitBatch is the number of deliveries per group commit.
	commitBatch prometheus.Histogram
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
	}
	reg.MustRegister(m.requests, m.webhooks, m.commitBatch,
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
