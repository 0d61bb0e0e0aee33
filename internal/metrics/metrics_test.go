package metrics

import (
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestRequestsKeepOneSeriesPerRouteCodeAndHTTPMethod(t *testing.T) {
	m := New(Sources{}, slog.New(slog.DiscardHandler))
	for _, r := range []struct {
		method, route string
		code          int
	}{{"GET", "GET /releases", 200}, {"GET", "GET /releases", 200}, {"BREW", "", 405},
		{"PROPFIND", "", 405}, {"get", "", 405}, {"POST", "POST /releases", 303}} {
		m.ObserveRequest(r.method, r.route, r.code, time.Millisecond)
	}
	series := make(chan prometheus.Metric, 10)
	m.requests.Collect(series)
	if got := len(series); got != 3 {
		t.Errorf("got %d series, want 3: GET /releases, POST /releases and the other methods", got)
	}
	for _, want := range []struct {
		labels []string
		count  uint64
	}{{[]string{"GET", "GET /releases", "200"}, 2}, {[]string{"other", "unmatched", "405"}, 3}, {[]string{"POST", "POST /releases", "303"}, 1}} {
		var out dto.Metric
		if err := m.requests.WithLabelValues(want.labels...).(prometheus.Histogram).Write(&out); err != nil {
			t.Fatal(err)
		}
		if got := out.GetHistogram().GetSampleCount(); got != want.count {
			t.Errorf("series %v: got %d requests, want %d", want.labels, got, want.count)
		}
	}
}
