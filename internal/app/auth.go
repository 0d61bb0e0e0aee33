package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/auth"
	"ladder/internal/fault"
	"ladder/internal/token"
	"ladder/internal/user"
	"ladder/web"
)

// withAuth adds sign-in, users, tokens and the audit log to svc. On the very first start it
// creates the local admin and, when it generated the password, prints it to out — the only
// time it is ever shown. addr is where the server listens, the public URL's default.
func withAuth(ctx context.Context, cfg Config, b base, svc *web.Services, addr string, out io.Writer) error {
	conn, check, now := b.conn, b.check, b.now
	svc.Users = user.NewService(conn, check, now, user.GroupRoles{
		Admin: user.SplitList(cfg.OIDCAdminGroups), Promoter: user.SplitList(cfg.OIDCPromoterGroups)})
	svc.Tokens = token.NewService(conn, check, now)
	svc.Audit = audit.NewLog(conn)
	generated, err := svc.Users.Bootstrap(ctx, cfg.AdminPassword)
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(out, "\nLadder created the local admin account.\n  user name: %s\n  password:  %s\n"+
			"The password is shown only this once; you will choose your own at the first sign-in.\n\n", user.LocalAdmin, generated)
	}
	keys, err := auth.SessionKeys(cfg.SessionKeys, cfg.DataDir)
	if err != nil {
		return err
	}
	publicURL := cfg.PublicURL
	svc.Auth = web.Auth{
		Sessions: auth.NewSessions(conn, keys, strings.HasPrefix(publicURL, "https://"), now),
		OIDC: auth.NewOIDC(auth.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: publicURL + "/auth/callback",
			Scopes: strings.Fields(strings.ReplaceAll(cfg.OIDCScopes, ",", " ")), GroupsClaim: cfg.OIDCGroupsClaim}),
		Limiter: auth.NewLimiter(5, time.Minute, now),
	}
	return nil
}

// tokenUsage is how `ladder token` is called.
const tokenUsage = "usage: ladder token create --name NAME --role viewer|promoter|admin [--data DIR]"

// runToken is `ladder token create`: it creates an API token in the data directory's database
// and prints only the token, so scripts can capture it.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(tokenUsage)
	}
	fs := flag.NewFlagSet("ladder token create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := getenv("LADDER_DATA_DIR")
	if dataDir == "" {
		dataDir = "./ladder-data"
	}
	name := fs.String("name", "", "token name")
	role := fs.String("role", "", "role: viewer, promoter or admin")
	fs.StringVar(&dataDir, "data", dataDir, "data directory (LADDER_DATA_DIR)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errors.New(tokenUsage)
	}
	if _, err := os.Stat(dataDir); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return err
	}
	defer conn.Close()
	tokens := token.NewService(conn, fault.NewValidator(), time.Now)
	_, secret, err := tokens.Create(audit.WithActor(ctx, "cli"), token.Input{Name: *name, Role: *role})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	_, err = fmt.Fprintln(stdout, secret)
	return err
}
