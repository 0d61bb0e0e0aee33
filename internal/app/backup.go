package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"ladder/db"
)

// backupUsage is how `ladder backup` is called.
const backupUsage = "usage: ladder backup FILE [--data DIR]"

// runBackup is `ladder backup FILE`: an online backup of the data directory's database into a
// new SQLite file, taken with VACUUM INTO while Ladder may be running (it reads one consistent
// snapshot; writers go on). It refuses to overwrite an existing file.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ladder backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := getenv("LADDER_DATA_DIR")
	if dataDir == "" {
		dataDir = "./ladder-data"
	}
	fs.StringVar(&dataDir, "data", dataDir, "data directory (LADDER_DATA_DIR)")
	target, flags := splitTarget(args)
	if err := fs.Parse(flags); err != nil || fs.NArg() > 0 || target == "" {
		return errors.New(backupUsage)
	}
	if err := Backup(ctx, dataDir, target); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "backed up %s to %s\n", filepath.Join(dataDir, "ladder.db"), target)
	return err
}

// splitTarget takes the one positional argument out of args, wherever it stands among the
// flags, so both `backup FILE --data DIR` and `backup --data DIR FILE` work.
func splitTarget(args []string) (target string, flags []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data" || a == "-data":
			flags = append(flags, a)
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		case len(a) > 0 && a[0] == '-':
			flags = append(flags, a)
		case target == "":
			target = a
		default:
			flags = append(flags, a) // a second positional argument: the parser refuses it
		}
	}
	return target, flags
}

// Backup writes a consistent copy of the database in dataDir to the new file target.
func Backup(ctx context.Context, dataDir, target string) error {
	source := filepath.Join(dataDir, "ladder.db")
	if _, err := os.Stat(source); err != nil {
		return fmt.Errorf("no Ladder database to back up: %w", err)
	}
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("backup file %s already exists; choose a new name", target)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup file %s: %w", target, err)
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return err
	}
	conn, err := db.Open(ctx, source)
	if err != nil {
		return err
	}
	defer conn.Close()
	// VACUUM INTO reads one snapshot of the live database and writes a compact copy; in WAL
	// mode the running server keeps writing meanwhile.
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("back up to %s: %w", target, err)
	}
	return nil
}
