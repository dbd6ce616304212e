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
	}
	reg.MustRegister(m.requests, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
