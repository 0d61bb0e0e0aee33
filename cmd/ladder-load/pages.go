package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ladder/internal/loadtest"
)

// history is a data directory holding the stored releases, shared by pages and startup.
type history struct {
	dir, token, middle string
}

// loadHistory seeds o.releases releases into o.dir/history, or reuses what an earlier
// scenario of the same run (or -dir) seeded.
func loadHistory(ctx context.Context, o options, t *table) (history, error) {
	h := history{dir: filepath.Join(o.dir, fmt.Sprintf("history-%d", o.releases))}
	marker := filepath.Join(h.dir, "seeded")
	if b, err := os.ReadFile(marker); err == nil {
		h.token, h.middle, _ = strings.Cut(string(b), "\n")
		return h, nil
	}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return h, err
	}
	start := time.Now()
	var err error
	if h.token, h.middle, err = loadtest.SeedHistory(ctx, h.dir, o.releases); err != nil {
		return h, err
	}
	t.row("seed", fmt.Sprintf("store %d releases", o.releases), time.Since(start).Round(time.Millisecond).String(), "", "")
	return h, os.WriteFile(marker, []byte(h.token+"\n"+h.middle), 0o600)
}

// runPages drives the releases list and a release page, each next to a bare handler writing
// the same bytes.
func runPages(ctx context.Context, o options, t *table) error {
	h, err := loadHistory(ctx, o, t)
	if err != nil {
		return err
	}
	base, stop, err := startInProcess(ctx, h.dir)
	if err != nil {
		return err
	}
	defer stop()
	cred := credential{"Authorization", "Bearer " + h.token}
	if o.auth == "session" {
		cookie, err := signIn(ctx, base)
		if err != nil {
			return err
		}
		cred = credential{"Cookie", cookie}
	}
	for _, page := range []struct{ name, path string }{{"releases list", "/releases"}, {"release page", "/releases/" + h.middle}} {
		if err := comparePage(ctx, o, t, base, cred, page.name, page.path); err != nil {
			return err
		}
	}
	return nil
}

// comparePage drives path on Ladder and then the same bytes from a bare handler.
func comparePage(ctx context.Context, o options, t *table, base string, cred credential, name, path string) error {
	body, ctype, err := capture(ctx, base+path, cred)
	if err != nil {
		return err
	}
	bareURL, closeBare, err := serveBare(body, ctype)
	if err != nil {
		return err
	}
	defer closeBare()
	stopProfile, err := profile(o.cpuProfile, "pages-"+strings.ReplaceAll(name, " ", "-"))
	if err != nil {
		return err
	}
	ladder, err := drive(ctx, base+path, cred, o.connections, o.duration, false)
	stopProfile()
	if err != nil {
		return err
	}
	bare, err := drive(ctx, bareURL, credential{}, o.connections, o.duration, false)
	if err != nil {
		return err
	}
	fresh, err := drive(ctx, base+path, cred, o.connections, o.duration, true)
	if err != nil {
		return err
	}
	ratio := ladder.rps / bare.rps
	label := fmt.Sprintf("%s (%d B, %d conns, %s)", name, len(body), o.connections, o.auth)
	t.row("pages", label+" ladder rps", fmt.Sprintf("%.0f (%d failed)", ladder.rps, ladder.failures), "", "")
	t.row("pages", label+" bare rps", fmt.Sprintf("%.0f", bare.rps), "", "")
	t.row("pages", label+" ladder/bare", fmt.Sprintf("%.0f%%", ratio*100), "≥ 50%", yes(ratio >= 0.5))
	t.row("pages", label+" ladder p50", ms(ladder.p50), "", "")
	t.row("pages", label+" ladder p99", ms(ladder.p99), "< 25 ms", yes(ladder.p99 < 25*time.Millisecond))
	t.row("pages", label+" bare p50 / p99", ms(bare.p50)+" / "+ms(bare.p99), "", "")
	t.row("pages", label+" rendered anew every time: rps, p50 / p99", fmt.Sprintf("%.0f (%d failed), %s / %s",
		fresh.rps, fresh.failures, ms(fresh.p50), ms(fresh.p99)), "", "")
	return nil
}

// serveBare serves body with a plain net/http handler on a free 127.0.0.1 port.
func serveBare(body []byte, ctype string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}
