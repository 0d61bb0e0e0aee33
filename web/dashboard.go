package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/application"
	"ladder/internal/broker"
	"ladder/internal/environment"
	"ladder/internal/freeze"
	"ladder/internal/pin"
	"ladder/internal/product"
	"ladder/internal/promotion"
	"ladder/internal/release"
	"ladder/internal/trigger"
	"ladder/views"
)

// dashboardModel is what the environments dashboard reads.
type dashboardModel struct {
	envs       *environment.Service
	windows    *freeze.Service
	products   *product.Service
	apps       *application.Service
	releases   *release.Service
	versions   *versionCache
	argo       *argoStatuses
	promotions *promotion.Service
	failures   *trigger.Failures
	pins       *pin.Service
	now        func() time.Time
	pollEvery  time.Duration
}

// showDashboard is the home page: one row per product, one column per environment in
// position order, each cell the version there and the newest release it takes part in.
// The rendering is reused while nothing was written and no version read from Git changed.
func showDashboard(m dashboardModel, cache *renderCache) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return cache.page(w, r, m.gen(), func() (templ.Component, error) {
			d, err := m.view(r)
			if err != nil {
				return nil, err
			}
			return views.DashboardPage(layout(r, "Dashboard", "dashboard"), d), nil
		})
	}
}

// dashboardEvents streams the dashboard's body whenever any release changes.
func dashboardEvents(log *slog.Logger, m dashboardModel, b *broker.Broker, closing <-chan struct{}, cache *renderCache) handlerFunc {
	topic := func(*http.Request) string { return broker.AllTopics }
	return stream(log, b, closing, topic, func(r *http.Request) (rendering, error) {
		gen := m.gen()
		return cache.get(cacheKey("dashboard", r, gen), func() (rendering, error) {
			// The newest event first: the dashboard read after it is at least that new.
			last, err := m.releases.NewestEventID(r.Context())
			if err != nil {
				return rendering{}, err
			}
			d, err := m.view(r)
			if err != nil {
				return rendering{}, err
			}
			out, err := event(r, "dashboard", last, views.DashboardBody(layout(r, "", ""), d))
			out.mark = gen
			return out, err
		})
	})
}

// gen names what the dashboard shows that is not in the database: the versions read from Git
// and the statuses read from Argo CD.
func (m dashboardModel) gen() string {
	return fmt.Sprintf("%d.%d", m.versions.gen.Load(), m.argo.gen.Load())
}

// checkGit asks the trigger to read Git now and forgets the versions read from the product's
// repositories; an htmx caller gets the dashboard's body read afresh.
func checkGit(m dashboardModel, trig *trigger.Trigger) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := m.products.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		if trig != nil {
			trig.Wake()
		}
		m.versions.forget(p.Name)
		if r.Header.Get("HX-Request") != "true" {
			return redirect(w, r, "/")
		}
		d, err := m.view(r)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.DashboardBody(layout(r, "", ""), d))
	}
}

// view builds the dashboard as the caller may see and use it.
func (m dashboardModel) view(r *http.Request) (views.Dashboard, error) {
	d, err := m.build(r.Context())
	if err != nil {
		return d, err
	}
	d.PollEvery, d.StreamURL = m.pollEvery, "/events"
	if d.Failures, err = m.failures.List(r.Context(), ""); err != nil {
		return d, err
	}
	d.CanPromote = layout(r, "", "").CanPromote()
	if err := m.markPromotable(r, &d); err != nil {
		return d, err
	}
	return d, nil
}

// markPromotable says, per column, whether the caller may promote into its environment, and
// offers a promotion in each cell whose predecessor holds another version and whose product the
// caller may promote there (rules may be scoped to products).
func (m dashboardModel) markPromotable(r *http.Request, d *views.Dashboard) error {
	if !d.CanPromote {
		return nil
	}
	envs := make([]environment.Environment, len(d.Envs))
	for i, c := range d.Envs {
		envs[i] = c.Env
	}
	products := []string{""}
	for _, row := range d.Rows {
		products = append(products, row.Product)
	}
	allowed, err := m.promotions.Promotable(r.Context(), actor(r), products, envs)
	if err != nil {
		return err
	}
	for i := range d.Envs {
		d.Envs[i].CanPromote = allowed[""][d.Envs[i].Env.Name]
	}
	for _, row := range d.Rows {
		mine := allowed[row.Product]
		for i := 1; i < len(row.Cells); i++ {
			c, up := &row.Cells[i], row.Cells[i-1]
			if mine[d.Envs[i].Env.Name] && c.Present && up.Present && newer(up.Version, c.Version) && !bringing(c, up.Version) {
				c.Upstream, c.UpstreamFrom = up.Version, up.Env
			}
		}
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
	windows, err := m.windows.List(ctx)
	if err != nil {
		return d, err
	}
	for i, e := range envs {
		c := views.DashboardEnv{Env: e, Frozen: e.FrozenAt(now), Windows: freeze.OutlookOf(windows, freeze.Target(e), now)}
		if i > 0 {
			c.Predecessor = envs[i-1].Name
		}
		d.Envs = append(d.Envs, c)
	}
	pins, err := m.pinned(ctx)
	if err != nil {
		return d, err
	}
	for _, p := range prods {
		row := views.DashboardRow{Product: p.Name, HasFlows: len(p.Flows) > 0}
		for _, e := range envs {
			cell := views.DashboardCell{Env: e.Name, Production: e.Production()}
			if app, ok := firstApp(apps, p.Name, e.Name); ok {
				if cell, err = m.cell(ctx, p, app, cell); err != nil {
					return d, err
				}
			}
			if pn, ok := pins[p.Name+"/"+e.Name]; ok {
				cell.Pin = &pn
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// pinned returns every pin by "product/environment".
func (m dashboardModel) pinned(ctx context.Context) (map[string]pin.Pin, error) {
	out := map[string]pin.Pin{}
	if m.pins == nil {
		return out, nil
	}
	list, err := m.pins.List(ctx)
	for _, p := range list {
		out[p.Product+"/"+p.Environment] = p
	}
	return out, err
}

// cell reads one product's state in one environment. The version is the one the newest
// release that succeeded there wrote; only when no release ever has is the repository read.
func (m dashboardModel) cell(ctx context.Context, p product.Product, app application.Application, c views.DashboardCell) (out views.DashboardCell, err error) {
	c.Present = true
	if app.ArgocdServer != "" {
		if st, ok := m.argo.status(app.ArgocdServer, app.ArgocdApp); ok {
			c.Argo = &st
		} else {
			c.ArgoReading = true
		}
	}
	cur, ok, err := m.releases.CurrentIn(ctx, p.Name, app.Environment)
	if err != nil {
		return c, err
	}
	if ok {
		c.Release = &cur
	}
	dep, ok, err := m.releases.DeployedIn(ctx, p.Name, app.Environment)
	if err != nil {
		return c, err
	}
	trig := ""
	if c.Release != nil && c.Release.IsTrigger && (!ok || c.Release.ID > dep.ReleaseID) {
		// The newest release started here: its version was in the environment then; the
		// repository (cached) may hold a newer one.
		trig = c.Release.Version
	}
	defer func() {
		if err == nil && newer(trig, out.Version) {
			out.Version, out.VersionSource = trig, "source commit of release #"+strconv.FormatInt(out.Release.Number, 10)
		}
	}()
	if ok && trig == "" {
		c.Version, c.VersionSource = dep.Version, views.VersionFromRelease
		c.DeployedAt, c.CommitSHA, c.RepoURL = dep.At, dep.CommitSHA, dep.RepoURL
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

// bringing reports whether a release in flight in c already promotes version there.
func bringing(c *views.DashboardCell, version string) bool {
	return c.Release != nil && !release.Final(c.Release.Status) && c.Release.Version == version
}

// newer reports whether version a is newer than b: compared number by number when both are
// dotted numbers (an optional leading "v", anything after "-" or "+" ignored), else whenever
// they differ. An empty a is never newer.
func newer(a, b string) bool {
	if a == "" || a == b {
		return false
	}
	na, okA := versionNumbers(a)
	nb, okB := versionNumbers(b)
	if !okA || !okB {
		return true
	}
	return slices.Compare(na, nb) > 0
}

func versionNumbers(v string) ([]int, bool) {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	var out []int
	for part := range strings.SplitSeq(v, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
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
	plan *promotion.Planner
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	seen map[string]cachedVersion
	// gen moves whenever a version is read anew or forgotten, so renderings of the dashboard
	// made before it (kept while the database is unchanged) are not served again.
	gen atomic.Uint64
}

type cachedVersion struct {
	version string
	err     error // a failed read is remembered too, so a dead server costs one wait per ttl
	at      time.Time
}

// versionReadTimeout bounds one read of a repository for the dashboard.
const versionReadTimeout = 10 * time.Second

func newVersionCache(promotions *promotion.Service, now func() time.Time) *versionCache {
	return &versionCache{plan: promotions.Planner(), ttl: time.Minute, now: now, seen: map[string]cachedVersion{}}
}

// forget drops the versions read for product, so the next visit reads its repositories.
func (c *versionCache) forget(product string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.seen {
		if strings.HasPrefix(k, product+"\x00") {
			delete(c.seen, k)
		}
	}
	c.gen.Add(1)
}

func (c *versionCache) read(ctx context.Context, p product.Product, app application.Application) (string, error) {
	vs := p.Template.Gitops().VersionSource
	key := p.Name + "\x00" + app.RepoURL + "\x00" + app.Branch + "\x00" + app.Path + "\x00" + vs.File + "\x00" + vs.JSONPath
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
	c.gen.Add(1)
	return v, err
}
