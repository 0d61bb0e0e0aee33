package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Config is everything `ladder serve` can be told, by flag or LADDER_* environment variable.
// Flags win over the environment; the environment wins over the defaults.
type Config struct {
	Listen    string // address to listen on
	DataDir   string // where the SQLite file, keys and working copies live
	PublicURL string // the URL people reach Ladder at, used in links; defaults to http://<listen>
	LogLevel  string // debug, info, warn or error
	LogFormat string // text or json
	SecretKey string // base64 of 32 bytes sealing stored secrets; empty: a key file in DataDir

	OIDCIssuer         string // single sign-on provider; empty: local admin only
	OIDCClientID       string
	OIDCClientSecret   string
	OIDCScopes         string // space- or comma-separated
	OIDCGroupsClaim    string // the ID token claim listing the user's groups
	OIDCAdminGroups    string // comma-separated groups whose members are admins
	OIDCPromoterGroups string // comma-separated groups whose members are promoters
	SessionKeys        string // comma-separated secrets sealing session cookies, newest first
	AdminPassword      string // the local admin's first password instead of a generated one
	PollInterval       string // Go duration between Git polls; empty: 60s, or 5s in demo mode
	WebhookSecret      string // verifies push webhooks of every provider (providers may add their own)
	Demo               bool   // seed the runnable demo (ladder serve --demo, ladder demo)
	// Getenv supplies the secrets model files refer to (LADDER_SECRET_<NAME>_<KEY>); nil: none.
	Getenv func(string) string
}

// DefaultPollInterval and DemoPollInterval are how often Git is polled when
// LADDER_POLL_INTERVAL is not set, normally and in demo mode.
const (
	DefaultPollInterval = time.Minute
	DemoPollInterval    = 5 * time.Second
)

// Poll is the Git polling interval: PollInterval when set (parseConfig checked it), else
// DemoPollInterval in demo mode and DefaultPollInterval otherwise.
func (c Config) Poll() time.Duration {
	if d, err := time.ParseDuration(c.PollInterval); err == nil && d > 0 {
		return d
	}
	if c.Demo {
		return DemoPollInterval
	}
	return DefaultPollInterval
}

// settings lists each configurable value once: flag name, variable, default, help.
var settings = []struct {
	flag, env, def, help string
	field                func(*Config) *string
}{
	{"listen", "LADDER_LISTEN", "127.0.0.1:8080", "address to listen on", func(c *Config) *string { return &c.Listen }},
	{"data", "LADDER_DATA_DIR", "./ladder-data", "data directory (SQLite database, keys, working copies)", func(c *Config) *string { return &c.DataDir }},
	{"public-url", "LADDER_PUBLIC_URL", "", "URL people reach Ladder at (default http://<listen>)", func(c *Config) *string { return &c.PublicURL }},
	{"log-level", "LADDER_LOG_LEVEL", "info", "log level: debug, info, warn, error", func(c *Config) *string { return &c.LogLevel }},
	{"log-format", "LADDER_LOG_FORMAT", "text", "log format: text or json", func(c *Config) *string { return &c.LogFormat }},
	{"secret-key", "LADDER_SECRET_KEY", "", "base64 of 32 bytes encrypting stored secrets (default: generated into the data directory; prefer the variable)", func(c *Config) *string { return &c.SecretKey }},
	{"oidc-issuer", "LADDER_OIDC_ISSUER", "", "OpenID Connect issuer URL for single sign-on (empty: local admin only)", func(c *Config) *string { return &c.OIDCIssuer }},
	{"oidc-client-id", "LADDER_OIDC_CLIENT_ID", "", "OpenID Connect client ID", func(c *Config) *string { return &c.OIDCClientID }},
	{"oidc-client-secret", "LADDER_OIDC_CLIENT_SECRET", "", "OpenID Connect client secret (prefer the variable)", func(c *Config) *string { return &c.OIDCClientSecret }},
	{"oidc-scopes", "LADDER_OIDC_SCOPES", "openid profile email", "OpenID Connect scopes to request", func(c *Config) *string { return &c.OIDCScopes }},
	{"oidc-groups-claim", "LADDER_OIDC_GROUPS_CLAIM", "groups", "ID token claim that lists the user's groups", func(c *Config) *string { return &c.OIDCGroupsClaim }},
	{"oidc-admin-groups", "LADDER_OIDC_ADMIN_GROUPS", "", "comma-separated groups whose members are admins", func(c *Config) *string { return &c.OIDCAdminGroups }},
	{"oidc-promoter-groups", "LADDER_OIDC_PROMOTER_GROUPS", "", "comma-separated groups whose members are promoters", func(c *Config) *string { return &c.OIDCPromoterGroups }},
	{"session-keys", "LADDER_SESSION_KEYS", "", "comma-separated session cookie keys, newest first (default: generated into the data directory)", func(c *Config) *string { return &c.SessionKeys }},
	{"admin-password", "LADDER_ADMIN_PASSWORD", "", "the local admin's first password (default: generated and printed once; prefer the variable)", func(c *Config) *string { return &c.AdminPassword }},
	{"poll-interval", "LADDER_POLL_INTERVAL", "", "how often Git is polled for changes, a Go duration (default 60s; 5s with --demo)", func(c *Config) *string { return &c.PollInterval }},
	{"webhook-secret", "LADDER_WEBHOOK_SECRET", "", "secret push webhooks (/hooks/github, /hooks/gitlab, /hooks/gitea) are signed with (prefer the variable)", func(c *Config) *string { return &c.WebhookSecret }},
}

// parseConfig reads cfg from args (without the command name) and getenv.
func parseConfig(command string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := Config{Getenv: getenv}
	fs := flag.NewFlagSet("ladder "+command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.field(&cfg), s.flag, def, s.help+" ("+s.env+")")
	}
	fs.BoolVar(&cfg.Demo, "demo", command == "demo" || isTrue(getenv("LADDER_DEMO")),
		"seed a runnable demo: local Git repositories, a product, policies, workflows and a flow (LADDER_DEMO)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + cfg.Listen
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if d, err := time.ParseDuration(cfg.PollInterval); cfg.PollInterval != "" && (err != nil || d < time.Second) {
		return Config{}, fmt.Errorf("poll interval %q: use a Go duration of at least 1s, such as 30s or 2m", cfg.PollInterval)
	}
	if _, err := logLevel(cfg.LogLevel); err != nil {
		return Config{}, err
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return Config{}, errors.New("log format must be text or json")
	}
	return cfg, nil
}

// isTrue reports whether an environment variable's value means yes.
func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func logLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := logLevel(cfg.LogLevel) // checked by parseConfig
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
