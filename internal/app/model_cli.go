package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/model"
	"ladder/internal/user"
	"ladder/web"
)

const (
	exportUsage = "usage: ladder export [--data DIR] > model.yaml"
	applyUsage  = "usage: ladder apply -f FILE [--secrets FILE] [--prune] [--dry-run] [--data DIR]"
)

// runExport is `ladder export`: it writes the whole model as YAML to stdout.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dataDir := modelFlags("export", getenv)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errors.New(exportUsage)
	}
	m, closeDB, err := openModel(ctx, *dataDir, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	return m.Export(ctx, stdout)
}

// runApply is `ladder apply`: it applies a YAML file (- for stdin) to the model and prints
// one line per document: create, update or unchanged, then one per deletion of --prune. With
// --dry-run nothing is written. --secrets names a file of Secret documents holding the values
// the file's secret references name; LADDER_SECRET_<NAME>_<KEY> supplies any it lacks.
func runApply(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dataDir := modelFlags("apply", getenv)
	file := fs.String("f", "", "YAML file to apply (- for standard input)")
	dryRun := fs.Bool("dry-run", false, "check the file and show what would change, without changing anything")
	prune := fs.Bool("prune", false, "also delete what the file no longer declares, of the kinds it has documents of")
	secretsFile := fs.String("secrets", "", "file of Secret documents with the values of the secret references")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *file == "" {
		return errors.New(applyUsage)
	}
	var secrets map[string]map[string]string
	if *secretsFile != "" {
		f, err := os.Open(*secretsFile)
		if err != nil {
			return err
		}
		secrets, err = model.ReadSecrets(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	in := io.Reader(os.Stdin)
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	m, closeDB, err := openModel(ctx, *dataDir, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	changes, err := m.ApplyWith(audit.WithActor(ctx, "cli"), in, model.Options{DryRun: *dryRun, Prune: *prune, Secrets: secrets})
	if err != nil {
		return err
	}
	for _, c := range changes {
		action := c.Action
		if *dryRun && action != model.Unchanged {
			action = "would " + action
		}
		if _, err := fmt.Fprintf(stdout, "%s %s %s\n", action, c.Kind, c.Name); err != nil {
			return err
		}
	}
	return nil
}

func modelFlags(command string, getenv func(string) string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("ladder "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := getenv("LADDER_DATA_DIR")
	if dataDir == "" {
		dataDir = "./ladder-data"
	}
	fs.StringVar(&dataDir, "data", dataDir, "data directory (LADDER_DATA_DIR)")
	return fs, &dataDir
}

// openModel opens (and migrates) the data directory's database and builds the model service
// the same way the server does.
func openModel(ctx context.Context, dataDir string, getenv func(string) string) (*model.Service, func(), error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return nil, nil, err
	}
	b := base{conn: conn, check: fault.NewValidator(), now: time.Now}
	ms, err := newModelServices(Config{DataDir: dataDir, SecretKey: getenv("LADDER_SECRET_KEY")}, b)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	svc := withModel(services(b, func() bool { return true }), ms)
	m := modelOf(b, svc)
	m.Secrets = getenv
	return m, func() { conn.Close() }, nil
}

// modelOf is the export/apply service over svc's model services. Its access rules go through
// a users service of their own (the command-line tools have none; group roles play no part in
// rules).
func modelOf(b base, svc web.Services) *model.Service {
	return &model.Service{DB: b.conn, Environments: svc.Environments, Applications: svc.Applications,
		Products: svc.Products, Workflows: svc.Workflows, Policies: svc.Policies, Flows: svc.Flows,
		Windows: svc.Windows, Rules: user.NewService(b.conn, b.check, b.now, user.GroupRoles{}),
		Settings: model.Settings{Credentials: svc.Credentials, Providers: svc.Providers,
			ArgoCD: svc.ArgoCD, ArgoWorkflows: svc.ArgoWorkflows, Channels: svc.Notify}}
}
