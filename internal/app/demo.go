package app

import (
	"context"
	"fmt"
	"io"
	"net"

	"ladder/internal/demo"
	"ladder/web"
)

// seedDemo seeds the demo (ladder serve --demo) into the model behind svc and prints where to
// begin. addr is where Ladder listens: the demo's HTTP check calls Ladder itself there.
func seedDemo(ctx context.Context, cfg Config, svc *web.Services, m modelServices, addr string, out io.Writer) error {
	d, err := demo.Seed(ctx, cfg.DataDir, demo.Options{BaseURL: "http://" + loopback(addr), PollInterval: cfg.Poll()},
		demo.Services{Environments: svc.Environments, Products: m.products, Applications: m.apps,
			Workflows: svc.Workflows, Policies: svc.Policies, Flows: svc.Flows})
	if err != nil {
		return err
	}
	svc.Demo = d
	password := "the password printed above when this data directory was created"
	if cfg.AdminPassword != "" {
		password = "the password in LADDER_ADMIN_PASSWORD"
	}
	_, err = fmt.Fprintf(out, "\nThe demo is ready: open %s/demo and sign in as admin with %s.\n"+
		"Press \"New version in dev\" and watch the release reach prod-eu and prod-us.\n\n", publicURL(cfg, addr), password)
	return err
}

// loopback turns a listen address into one Ladder can call itself on: an unspecified host
// (":8080", "0.0.0.0:8080") becomes 127.0.0.1.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// publicURL is the configured public URL, or the listen address when none was given or it
// names port 0.
func publicURL(cfg Config, addr string) string {
	if cfg.PublicURL == "" || cfg.PublicURL == "http://"+cfg.Listen {
		return "http://" + loopback(addr)
	}
	return cfg.PublicURL
}
