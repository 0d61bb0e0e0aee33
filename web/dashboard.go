package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"ladder/internal/application"
	"ladder/internal/environment"
	"ladder/internal/product"
	"ladder/internal/release"
	"ladder/internal/runner"
	"ladder/internal/user"
	"ladder/views"
)

// dashboardModel is what the environments dashboard reads.
type dashboardModel struct {
	envs     *environment.Service
	products *product.Service
	apps     *application.Service
	releases *release.Service
	versions *versionCache
	users    *user.Service
	now      func() time.Time
}

// showDashboard is the home page: one column per environment in position order, each product
// with an application there, its version, and its newest release there.
func showDashboard(m dashboardModel) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		l := layout(r, "Environments", "dashboard")
		d, err := m.build(r.Context())
		if err != nil {
			return err
		}
		d.CanPromote = l.CanPromote()
		if err := m.markPromotable(r, &d); err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.DashboardPage(l, d))
	}
}

// markPromotable says, per column, whether the caller may promote into its environment.
func (m dashboardModel) markPromotable(r *http.Request, d *views.Dashboard) error {
	if !d.CanPromote {
		return nil
	}
	envs := make([]environment.Environment, len(d.Columns))
	for i, c := range d.Columns {
		envs[i] = c.Env
	}
	allowed, err := promotable(r, m.users, envs)
	if err != nil {
		return err
	}
	for i := range d.Columns {
		d.Columns[i].CanPromote = allowed[d.Columns[i].Env.Name]
	}
	return nil
}

func (m dashboardModel) build(ctx context.Context) (views.Dashboard, error) {
	now := m.now()
	d := views.Dashboard{Now: now}
	envs, err := m.envs.List(ctx)
	if err != nil {
		return d, err
	}
	prods, err := m.products.List(ctx)
	if err != nil {
		return d, err
	}
	d.Products = len(prods)
	apps, err := m.apps.List(ctx)
	if err != nil {
		return d, err
	}
	for i, e := range envs {
		c := views.DashboardColumn{Env: e, Frozen: e.FrozenAt(now)}
		if i > 0 {
			c.Predecessor = envs[i-1].Name
		}
		for _, p := range prods {
			app, ok := firstApp(apps, p.Name, e.Name)
			if !ok {
				continue
			}
			cell, err := m.cell(ctx, p, app)
			if err != nil {
				return d, err
			}
			c.Cells = append(c.Cells, cell)
		}
		d.Columns = append(d.Columns, c)
	}
	return d, nil
}

// cell reads one product's state in one environment. The version is the one the newest
// release that succeeded there wrote; only when no release ever has is the repository read.
func (m dashboardModel) cell(ctx context.Context, p product.Product, app application.Application) (views.DashboardCell, error) {
	c := views.DashboardCell{Product: p.Name, HasFlows: len(p.Flows) > 0}
	latest, ok, err := m.releases.LatestIn(ctx, p.Name, app.Environment)
	if err != nil {
		return c, err
	}
	if ok {
		c.Latest = &latest
	}
	v, err := m.releases.DeployedVersion(ctx, p.Name, app.Environment)
	if err != nil {
		return c, err
	}
	if v != "" {
		c.Version, c.VersionSource = v, "newest release that succeeded here"
		return c, nil
	}
	c.VersionSource = "repository of " + app.Name
	if p.Template.VersionSource.File != "" {
		c.Version, err = m.versions.read(ctx, p, app)
		if err != nil {
			c.VersionError = "could not read the repository: " + err.Error()
		}
	}
	return c, nil
}

func firstApp(apps []application.Application, prod, env string) (application.Application, bool) {
	for _, a := range apps {
		if a.Product == prod && a.Environment == env {
			return a, true
		}
	}
	return application.Application{}, false
}

// versionCache remembers versions read from repositories for a short while, so the dashboard
// does not fetch every repository on every visit.
type versionCache struct {
	plan *runner.Planner
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	seen map[string]cachedVersion
}

type cachedVersion struct {
	version string
	err     error // a failed read is remembered too, so a dead server costs one wait per ttl
	at      time.Time
}

// versionReadTimeout bounds one read of a repository for the dashboard.
const versionReadTimeout = 10 * time.Second

func newVersionCache(plan *runner.Planner, now func() time.Time) *versionCache {
	return &versionCache{plan: plan, ttl: time.Minute, now: now, seen: map[string]cachedVersion{}}
}

func (c *versionCache) read(ctx context.Context, p product.Product, app application.Application) (string, error) {
	vs := p.Template.Gitops().VersionSource
	key := app.RepoURL + "\x00" + app.Branch + "\x00" + app.Path + "\x00" + vs.File + "\x00" + vs.JSONPath
	c.mu.Lock()
	hit, ok := c.seen[key]
	c.mu.Unlock()
	if ok && c.now().Sub(hit.at) < c.ttl {
		return hit.version, hit.err
	}
	remote, err := c.plan.Credentials.Remote(ctx, app.RepoURL)
	if err != nil {
		return "", err
	}
	readCtx, cancel := context.WithTimeout(ctx, versionReadTimeout)
	defer cancel()
	v, err := c.plan.Git.ReadVersion(readCtx, remote, app.Branch, app.Path, "", vs)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	c.mu.Lock()
	c.seen[key] = cachedVersion{v, err, c.now()}
	c.mu.Unlock()
	return v, err
}
