package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"ladder/internal/app"
)

// startInProcess starts Ladder in this process on a free 127.0.0.1 port; stop ends it.
func startInProcess(ctx context.Context, dataDir string) (base string, stop func() error, err error) {
	ctx, cancel := context.WithCancel(ctx)
	srv, err := app.Start(ctx, app.Config{Listen: "127.0.0.1:0", DataDir: dataDir, AdminPassword: adminPassword,
		PollInterval: "1h", LogLevel: "error", LogFormat: "text"}, io.Discard)
	if err != nil {
		cancel()
		return "", nil, err
	}
	return "http://" + srv.Addr(), func() error { cancel(); return srv.Wait() }, nil
}

// result is what driving one URL measured.
type result struct {
	requests int
	failures int // transport errors and answers other than 200
	rps      float64
	p50, p99 time.Duration
	// cpu is the CPU time this process (Ladder, the bare handler and the load tool's
	// clients) used per request: steadier than rps on a machine that others share.
	cpu time.Duration
}

// credential is the header that signs a request in: a session cookie or an API token.
type credential struct{ header, value string }

// drive requests url from conns concurrent keep-alive connections for d and measures every
// request. With fresh set, every request carries a query parameter of its own, which Ladder
// ignores but which makes its page cache miss: the cost of rendering every view anew.
func drive(ctx context.Context, url string, cred credential, conns int, d time.Duration, fresh bool) (result, error) {
	var n atomic.Int64
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all latencies
	var res result
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine latencies
			failures := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				target := url
				if fresh {
					target += fmt.Sprintf("?fresh=%d", n.Add(1))
				}
				if err := get(ctx, client, target, cred); err != nil {
					if ctx.Err() == nil {
						failures++
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all, res.failures = append(all, mine...), res.failures+failures
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	res.requests, res.rps = len(all), float64(len(all))/elapsed.Seconds()
	res.p50, res.p99 = all.quantile(0.50), all.quantile(0.99)
	if res.requests == 0 {
		return res, fmt.Errorf("GET %s: no request succeeded", url)
	}
	res.cpu = cpu / time.Duration(res.requests)
	return res, nil
}

// get fetches url and reads the whole body; anything but 200 is an error.
func get(ctx context.Context, client *http.Client, url string, cred credential) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if cred.header != "" {
		req.Header.Set(cred.header, cred.value)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return nil
}

// capture fetches url once and returns its body and content type.
func capture(ctx context.Context, url string, cred credential) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set(cred.header, cred.value)
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return body, resp.Header.Get("Content-Type"), err
}

// profile starts a CPU profile into path+"."+name when path is set; the returned function
// stops it.
func profile(path, name string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path + "." + name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
