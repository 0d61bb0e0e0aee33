package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/gitops"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/user"
)

const planUsage = "usage: ladder plan --product P --flow F [--commit C] [--data DIR]"

// runPlan is `ladder plan`: a dry run of a flow for a product. It reads the model from the
// data directory, plans the release as the server would start it, and prints every
// environment's settings (with where each came from), what runs there, freezes, and the patch
// each target application would receive. It writes nothing: the repositories are read through
// a temporary clone directory, removed at the end, so a running server's clones are not touched.
func runPlan(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dataDir := modelFlags("plan", getenv)
	product := fs.String("product", "", "the product to release")
	flowName := fs.String("flow", "", "the product's flow to run")
	commit := fs.String("commit", "", "the trigger commit (default: the head of the source application's branch)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *product == "" || *flowName == "" {
		return errors.New(planUsage)
	}
	if _, err := os.Stat(filepath.Join(*dataDir, "ladder.db")); err != nil {
		return fmt.Errorf("no Ladder database in %s: %w", *dataDir, err)
	}
	conn, err := db.Open(ctx, filepath.Join(*dataDir, "ladder.db"))
	if err != nil {
		return err
	}
	defer conn.Close()
	b := base{conn: conn, check: fault.NewValidator(), now: time.Now}
	ms, err := newModelServices(Config{DataDir: *dataDir, SecretKey: getenv("LADDER_SECRET_KEY")}, b)
	if err != nil {
		return err
	}
	clones, err := os.MkdirTemp("", "ladder-plan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(clones)
	svc := withModel(services(b, func() bool { return true }), ms)
	plan := &promotion.Planner{Products: ms.products, Applications: ms.apps, Flows: svc.Flows, Policies: svc.Policies,
		Environments: svc.Environments, Credentials: ms.creds, Git: gitops.NewStore(clones), Workflows: svc.Workflows,
		Windows: svc.Windows}
	users := user.NewService(conn, b.check, b.now, user.GroupRoles{})
	// Whoever can read the data directory holds the whole model, as with `ladder apply`.
	who := promotion.Person(user.User{Name: "cli", RoleOverride: user.Admin})
	dry, err := promotion.NewService(plan, nil, nil, users, svc.Pins).DryRun(ctx, who, promotion.Request{Product: *product, Flow: *flowName, Commit: *commit})
	if err != nil {
		return err
	}
	return printPlan(stdout, dry)
}

// printPlan writes a dry run for people: a header, then one block per environment with its
// unified patches.
func printPlan(w io.Writer, p promotion.DryRun) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run of %s %s through flow %s: nothing was written.\n", p.Product, p.Version, p.Flow)
	fmt.Fprintf(&b, "Trigger commit %s on %s of %s.\n", p.Trigger.SHA, p.Trigger.Branch, p.SourceApp)
	for _, h := range []struct{ name, wf string }{{"on start", p.Hooks.OnStart}, {"on success", p.Hooks.OnSuccess}, {"on fail", p.Hooks.OnFail}} {
		if h.wf != "" {
			fmt.Fprintf(&b, "Release hook %s: %s\n", h.name, h.wf)
		}
	}
	for _, e := range p.Environments {
		b.WriteString("\n")
		printEnvironment(&b, e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func printEnvironment(b *strings.Builder, e promotion.DryRunEnvironment) {
	if e.IsTrigger {
		fmt.Fprintf(b, "== %s (trigger environment): %s\n", e.Name, strings.Join(e.Steps(), "; "))
		return
	}
	fmt.Fprintf(b, "== %s (%s), after %s\n", e.Name, e.Kind, strings.Join(e.DependsOn, ", "))
	if e.Pin != nil {
		fmt.Fprintf(b, "   PINNED: %s (an automatic release would wait here)\n", e.Pin.Blocker())
	}
	if e.Soak.After > 0 {
		health := ""
		if e.Soak.Health {
			health = ", then checks their health"
		}
		fmt.Fprintf(b, "   SOAK: starts once %s ran the version for %s%s\n", strings.Join(e.DependsOn, ", "), freeze.FormatDuration(e.Soak.After), health)
	}
	if e.Frozen {
		fmt.Fprintf(b, "   FROZEN: the release would wait here: %s\n", e.Blocker)
	}
	for _, s := range []struct {
		name string
		set  release.Setting
	}{{"pre-action", e.Settings.PreAction}, {"action", e.Settings.Action}, {"post-action", e.Settings.PostAction}} {
		fmt.Fprintf(b, "   %-12s %s\n", s.name+":", settingText(s.set))
	}
	fmt.Fprintf(b, "   runs:        %s\n", strings.Join(e.Steps(), "; "))
	for _, a := range e.Applications {
		fmt.Fprintf(b, "-- %s: %s %s (path %s)", a.Name, a.RepoURL, a.Branch, a.Path)
		if a.Base != "" {
			fmt.Fprintf(b, " at %s", a.Base)
		}
		b.WriteString("\n")
		switch {
		case a.Error != "":
			fmt.Fprintf(b, "   would fail: %s\n", a.Error)
		case a.NoChanges:
			b.WriteString("   no changes: the application already holds these values\n")
		case a.Patch == "":
			fmt.Fprintf(b, "   Ladder writes nothing (action %s)\n", e.Settings.Action.Value)
		default:
			b.WriteString(a.Patch)
		}
	}
}

// settingText is a resolved setting and where it came from.
func settingText(s release.Setting) string {
	if s.Value == "" {
		return "none"
	}
	if s.Origin == "" {
		return s.Value
	}
	return s.Value + " (from " + s.Origin + ")"
}
