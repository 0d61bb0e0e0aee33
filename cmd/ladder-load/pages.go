package main

import (
	"context"
	"fmt"
	"io"
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

// runPages drives the releases list, a release page and the dashboard, each next to a bare
// handler writing the same bytes.
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
	// The releases list rendered anew has a target (≥ 15 % of the bare handler); the release
	// page's and the dashboard's are shown for comparison (the dashboard rendered anew is
	// what its first viewer of a morning waits for, over the whole history).
	for _, page := range []struct {
		name, path string
		anew       float64
	}{{"releases list", "/releases", 0.15}, {"release page", "/releases/" + h.middle, 0}, {"dashboard", "/", 0}} {
		if err := comparePage(ctx, o, t, base, cred, page.name, page.path, page.anew); err != nil {
			return err
		}
	}
	return nil
}

// measured is what one page measured: Ladder, the bare handler with the same bytes, and
// Ladder again with its page cache defeated.
type measured struct {
	size                int // bytes as sent
	encoding            string
	ladder, bare, fresh result
	// steal is the share of the machine's CPU time the hypervisor gave to other guests
	// meanwhile: on a shared machine, a run with much of it measured the neighbours too.
	steal string
}

// label names the page in the table: its size, the connections and how it signs in.
func (m measured) label(o options, name string) string {
	size := fmt.Sprintf("%d B", m.size)
	if m.encoding != "" {
		size += " " + m.encoding
	}
	return fmt.Sprintf("%s (%s, %d conns, %s)", name, size, o.connections, o.auth)
}

// measurePage drives path on Ladder and the same bytes from a bare handler, in turns; with
// fresh set, Ladder a third time in each turn, with a query parameter of its own on every
// request. With -cpuprofile, the profile covers all of them.
func measurePage(ctx context.Context, o options, base string, cred credential, name, path string, fresh bool) (m measured, err error) {
	ticks, known := readCPUTicks()
	defer func() { m.steal = stealSince(ticks, known) }()
	encoding := ""
	if o.encoding != "identity" {
		encoding = o.encoding
	}
	page, err := capture(ctx, base+path, cred, encoding)
	if err != nil {
		return m, err
	}
	m.size, m.encoding = len(page.body), page.encoding
	bareURL, closeBare, err := serveBare(page)
	if err != nil {
		return m, err
	}
	defer closeBare()
	targets := []target{{name: "ladder", url: base + path, cred: cred, encoding: encoding}, {name: "bare", url: bareURL, encoding: encoding}}
	if fresh {
		targets = append(targets, target{name: "anew", url: base + path, cred: cred, encoding: encoding, fresh: true})
	}
	stopProfile, err := profile(o.cpuProfile, "pages-"+strings.ReplaceAll(name, " ", "-"))
	if err != nil {
		return m, err
	}
	var turns io.Writer
	if o.turns {
		turns = os.Stderr
	}
	r, err := driveInTurns(ctx, targets, o.connections, o.duration, name, turns)
	stopProfile()
	if err != nil {
		return m, err
	}
	m.ladder, m.bare = r[0], r[1]
	if fresh {
		m.fresh = r[2]
	}
	return m, nil
}

// comparePage measures path and writes its rows: Ladder next to the bare handler, and the
// cost of rendering anew, against anew (a share of the bare handler's rate; 0: no target).
func comparePage(ctx context.Context, o options, t *table, base string, cred credential, name, path string, anew float64) error {
	m, err := measurePage(ctx, o, base, cred, name, path, true)
	if err != nil {
		return err
	}
	ratio := m.ladder.rps / m.bare.rps
	label := m.label(o, name)
	t.row("pages", label+" ladder rps", fmt.Sprintf("%.0f (%d failed)", m.ladder.rps, m.ladder.failures), "", "")
	t.row("pages", label+" bare rps", fmt.Sprintf("%.0f", m.bare.rps), "", "")
	t.row("pages", label+" ladder/bare", fmt.Sprintf("%.0f%%", ratio*100), "≥ 50%", yes(ratio >= 0.5))
	t.row("pages", label+" ladder p50", ms(m.ladder.p50), "", "")
	t.row("pages", label+" ladder p99", ms(m.ladder.p99), "< 25 ms", yes(m.ladder.p99 < 25*time.Millisecond))
	t.row("pages", label+" bare p50 / p99", ms(m.bare.p50)+" / "+ms(m.bare.p99), "", "")
	t.row("pages", label+" rendered anew every time: rps, p50 / p99", fmt.Sprintf("%.0f (%d failed), %s / %s",
		m.fresh.rps, m.fresh.failures, ms(m.fresh.p50), ms(m.fresh.p99)), "", "")
	fresh := m.fresh.rps / m.bare.rps
	target, met := "", ""
	if anew > 0 {
		target, met = fmt.Sprintf("≥ %.0f%%", anew*100), yes(fresh >= anew)
	}
	t.row("pages", label+" rendered anew / bare", fmt.Sprintf("%.1f%%", fresh*100), target, met)
	t.row("pages", label+" CPU per request: ladder, bare, rendered anew (the load tool's clients included)",
		fmt.Sprintf("%s, %s, %s", us(m.ladder.cpu), us(m.bare.cpu), us(m.fresh.cpu)), "", "")
	t.row("pages", label+" CPU time the hypervisor took meanwhile (steal)", m.steal, "", "")
	return nil
}

// serveBare serves page with a plain net/http handler on a free 127.0.0.1 port.
func serveBare(page sent) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", page.ctype)
		if page.encoding != "" {
			w.Header().Set("Content-Encoding", page.encoding)
		}
		_, _ = w.Write(page.body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}
