// Package metrics exposes the server's figures in the Prometheus format:
// requests by route and status, latency, and the database pool.
package metrics

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics owns a registry of its own, so tests can build many servers in
// one process.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New registers the HTTP figures and the Go runtime's.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	m.Registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Observe counts one answered request. The route is the pattern that
// matched (e.g. /api/v1/services/:code), never the raw path, so the
// number of series stays bounded.
func (m *Metrics) Observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// Handler serves /metrics.
func (m *Metrics) Handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}

// Pool is one database pool to watch: its figures carry the label
// pool=Name; Busy (may be nil) counts the acquisitions refused for want
// of a free connection.
type Pool struct {
	Name string
	Pool *pgxpool.Pool
	Busy func() int64
}

// WatchPools publishes the database pools' figures.
func (m *Metrics) WatchPools(pools ...Pool) {
	m.Registry.MustRegister(poolCollector(pools))
}

type poolCollector []Pool

var (
	poolLabels   = []string{"pool"}
	poolTotal    = prometheus.NewDesc("db_pool_connections", "Connections in the pool by state.", []string{"pool", "state"}, nil)
	poolMax      = prometheus.NewDesc("db_pool_max_connections", "Maximum size of the pool.", poolLabels, nil)
	poolAcquires = prometheus.NewDesc("db_pool_acquires_total", "Successful acquisitions from the pool.", poolLabels, nil)
	poolWaits    = prometheus.NewDesc("db_pool_empty_acquires_total", "Acquisitions that had to wait for a connection.", poolLabels, nil)
	poolWaitTime = prometheus.NewDesc("db_pool_empty_acquire_wait_seconds_total", "Time spent waiting for a connection when none was free.", poolLabels, nil)
	poolAcqTime  = prometheus.NewDesc("db_pool_acquire_seconds_total", "Time spent acquiring connections.", poolLabels, nil)
	poolBusy     = prometheus.NewDesc("db_pool_busy_refusals_total", "Acquisitions refused (503) because no connection came free in time.", poolLabels, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolTotal, poolMax, poolAcquires, poolWaits, poolWaitTime, poolAcqTime, poolBusy} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c {
		p.collect(ch)
	}
}

func (p Pool) collect(ch chan<- prometheus.Metric) {
	s := p.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.IdleConns()), p.Name, "idle")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.AcquiredConns()), p.Name, "acquired")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.ConstructingConns()), p.Name, "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()), p.Name)
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()), p.Name)
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()), p.Name)
	ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds(), p.Name)
	ch <- prometheus.MustNewConstMetric(poolAcqTime, prometheus.CounterValue, s.AcquireDuration().Seconds(), p.Name)
	var busy int64
	if p.Busy != nil {
		busy = p.Busy()
	}
	ch <- prometheus.MustNewConstMetric(poolBusy, prometheus.CounterValue, float64(busy), p.Name)
}
