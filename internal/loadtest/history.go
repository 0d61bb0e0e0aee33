package loadtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/environment"
	"ladder/internal/fault"
	"ladder/internal/product"
	"ladder/internal/release"
	"ladder/internal/token"
)

// HistoryProducts is how many products a seeded history spreads its releases over.
const HistoryProducts = 10

// SeedHistory creates environments dev, staging and prod (those missing), HistoryProducts products and n
// finished releases of them (one per minute back from now), written straight through the
// sqlc queries in transactions of 5,000 releases. It returns an admin API token and the ID
// of a release in the middle of the history.
func SeedHistory(ctx context.Context, dataDir string, n int) (string, string, error) {
	conn, err := db.Open(ctx, filepath.Join(dataDir, "ladder.db"))
	if err != nil {
		return "", "", err
	}
	defer conn.Close()
	check := fault.NewValidator()
	envs := environment.NewService(conn, check, time.Now)
	for _, e := range []environment.Input{{Name: "dev", Kind: "non-production"}, {Name: "staging", Kind: "non-production"}, {Name: "prod", Kind: "production"}} {
		if _, err := envs.Get(ctx, e.Name); err == nil {
			continue
		}
		if _, err := envs.Create(ctx, e); err != nil {
			return "", "", fmt.Errorf("environment %s: %w", e.Name, err)
		}
	}
	prods := product.NewService(conn, check, time.Now)
	for i := range HistoryProducts {
		if _, err := prods.Create(ctx, product.Input{Name: fmt.Sprintf("product-%d", i), Concurrency: "queue", QueueLimit: 50}); err != nil {
			return "", "", fmt.Errorf("product: %w", err)
		}
	}
	secret, err := AdminToken(ctx, conn)
	if err != nil {
		return "", "", err
	}
	start := time.Now().UTC().Add(-time.Duration(n) * time.Minute)
	var middle string
	for from := 0; from < n; from += 5000 {
		err := db.InTx(ctx, conn, func(q *db.Queries) error {
			for i := from; i < min(from+5000, n); i++ {
				id, err := seedRelease(ctx, q, i, start.Add(time.Duration(i)*time.Minute))
				if err != nil {
					return err
				}
				if i == n/2 {
					middle = id
				}
			}
			return nil
		})
		if err != nil {
			return "", "", err
		}
	}
	return secret, middle, nil
}

// AdminToken creates an admin API token and returns its secret.
func AdminToken(ctx context.Context, conn *sql.DB) (string, error) {
	_, secret, err := token.NewService(conn, fault.NewValidator(), time.Now).Create(audit.WithActor(ctx, "ladder-load"),
		token.Input{Name: "load", Role: "admin"})
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return secret, nil
}

// seedRelease stores release i, created at at, as a finished run of dev → staging → prod.
func seedRelease(ctx context.Context, q *db.Queries, i int, at time.Time) (string, error) {
	id := release.NewID(at)
	prod := fmt.Sprintf("product-%d", i%HistoryProducts)
	version := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
	plan, _ := json.Marshal(release.Plan{})
	status := release.Succeeded
	if i%20 == 0 {
		status = release.Failed
	}
	err := q.CreateRelease(ctx, db.CreateReleaseParams{ID: id, Product: prod, Number: int64(i/HistoryProducts + 1), Flow: "main",
		Version: version, TriggerEnv: "dev", SourceApp: prod + "-dev", TriggerSha: fmt.Sprintf("%040x", i),
		TriggerMessage: "release " + version, TriggerAuthor: "ci", TriggerBranch: "main", Initiator: "auto",
		Status: status, Plan: string(plan), TimeoutMinutes: 1440, CreatedAt: at})
	if err == nil {
		err = q.SetReleaseStatus(ctx, db.SetReleaseStatusParams{Status: status, ID: id,
			StartedAt: sql.NullTime{Time: at, Valid: true}, FinishedAt: sql.NullTime{Time: at.Add(40 * time.Second), Valid: true}})
	}
	settings, _ := json.Marshal(release.Settings{Action: release.Setting{Value: release.ActionCommit, Origin: "commit-everywhere"}})
	for pos, env := range []string{"dev", "staging", "prod"} {
		envStatus := release.Succeeded
		if status == release.Failed && env == "prod" {
			envStatus = release.Failed
		}
		deps, _ := json.Marshal([]string{})
		if pos > 0 {
			deps, _ = json.Marshal([]string{[]string{"dev", "staging"}[pos-1]})
		}
		if err == nil {
			err = q.CreateReleaseEnvironment(ctx, db.CreateReleaseEnvironmentParams{ReleaseID: id, Product: prod, Name: env, Position: int64(pos),
				IsTrigger: pos == 0, DependsOn: string(deps), Settings: string(settings), Status: envStatus, Kind: "non-production", Hooks: "{}"})
		}
		if err == nil && pos > 0 {
			err = q.CreateReleaseApplication(ctx, db.CreateReleaseApplicationParams{ReleaseID: id, Environment: env,
				Name: prod + "-" + env, RepoUrl: "file:///srv/git/" + prod + "-" + env + ".git", Branch: "main", Path: ".",
				Phase: release.PhaseDone, Status: envStatus})
		}
	}
	if err == nil {
		_, err = q.CreateReleaseEvent(ctx, db.CreateReleaseEventParams{ReleaseID: id, Kind: "release",
			Message: fmt.Sprintf("release #%d of %s created by auto", i/HistoryProducts+1, prod), At: at})
	}
	if err != nil {
		return "", fmt.Errorf("seed release %d: %w", i, err)
	}
	return id, nil
}
