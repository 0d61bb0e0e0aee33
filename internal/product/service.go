package product

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Service reads and changes products.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
	names *db.Memo[string, []string] // Names, while no product is written
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now, names: db.NewMemo[string, []string](db.VersionOf(conn, "products"), now)}
}

// List returns every product by name.
func (s *Service) List(ctx context.Context) ([]Product, error) { return listIn(ctx, s.q) }

// Names returns every product's name, in order. The list is shared: callers must not change it.
func (s *Service) Names(ctx context.Context) ([]string, error) {
	return s.names.Get("", func() ([]string, error) {
		names, err := s.q.ListProductNames(ctx)
		if err != nil {
			return nil, fmt.Errorf("list product names: %w", err)
		}
		return names, nil
	})
}

func listIn(ctx context.Context, q *db.Queries) ([]Product, error) {
	rows, err := q.ListProducts(ctx)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	list := make([]Product, 0, len(rows))
	for _, r := range rows {
		p, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, nil
}

// Get returns the product called name.
func (s *Service) Get(ctx context.Context, name string) (Product, error) {
	return get(ctx, s.q, name)
}

func get(ctx context.Context, q *db.Queries, name string) (Product, error) {
	r, err := q.GetProduct(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, fmt.Errorf("product %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Product{}, fmt.Errorf("get product %q: %w", name, err)
	}
	return fromRow(r)
}

// Concurrency returns the product's concurrency mode and queue limit, which the runner reads
// at every step of a release.
func (s *Service) Concurrency(ctx context.Context, name string) (string, int, error) {
	r, err := s.q.GetProductConcurrency(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("product %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("get product %q: %w", name, err)
	}
	return r.Concurrency, int(r.QueueLimit), nil
}

// FlowNames lists the flows a product may name, for the editor's choices.
func (s *Service) FlowNames(ctx context.Context) ([]string, error) {
	names, err := s.q.ListFlowNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("list flows: %w", err)
	}
	return names, nil
}

// UsersOfFlow names the products that list flow, so that deleting the flow can be refused with
// a message naming them.
func (s *Service) UsersOfFlow(ctx context.Context, flow string) ([]string, error) {
	return UsersOfFlowIn(ctx, s.q, flow)
}

// UsersOfFlowIn is UsersOfFlow read through q, which may belong to a caller's transaction.
func UsersOfFlowIn(ctx context.Context, q *db.Queries, flow string) ([]string, error) {
	list, err := listIn(ctx, q)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, p := range list {
		if slices.ContainsFunc(p.Flows, func(f FlowRef) bool { return f.Flow == flow }) {
			users = append(users, p.Name)
		}
	}
	return users, nil
}

// Create adds a product.
func (s *Service) Create(ctx context.Context, in Input) (Product, error) {
	return s.save(ctx, "", in)
}

// Update replaces the settings of the product called name; a new name must be free.
func (s *Service) Update(ctx context.Context, name string, in Input) (Product, error) {
	return s.save(ctx, name, in)
}

// CreateTx is Create inside the caller's transaction q, so that several changes (a whole
// model being applied) commit together or not at all.
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Product, error) {
	return s.saveTx(ctx, q, "", in)
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Product, error) {
	return s.saveTx(ctx, q, name, in)
}

// save creates (old == "") or updates the product called old.
func (s *Service) save(ctx context.Context, old string, in Input) (Product, error) {
	var saved Product
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		saved, err = s.saveTx(ctx, q, old, in)
		return err
	})
	return saved, err
}

func (s *Service) saveTx(ctx context.Context, q *db.Queries, old string, in Input) (Product, error) {
	in = normalize(in)
	var prev Product
	if old != "" {
		var err error
		if prev, err = get(ctx, q, old); err != nil {
			return Product{}, err
		}
	}
	flows, err := q.ListFlowNames(ctx)
	if err != nil {
		return Product{}, fmt.Errorf("list flows: %w", err)
	}
	known := make(map[string]bool, len(flows))
	for _, f := range flows {
		known[f] = true
	}
	if fe := validate(s.check, in, known); len(fe) > 0 {
		return Product{}, fe
	}
	if in.Name != prev.Name {
		if err := unique(ctx, q, in.Name); err != nil {
			return Product{}, err
		}
	}
	return s.write(ctx, q, prev, in)
}

func (s *Service) write(ctx context.Context, q *db.Queries, prev Product, in Input) (Product, error) {
	now := s.now().UTC()
	var r db.Product
	var err error
	action, detail := "create", describe(in)
	if prev.ID == 0 {
		r, err = q.CreateProduct(ctx, db.CreateProductParams{Name: in.Name, Tags: encode(in.Tags),
			Description: in.Description, Template: encode(in.Template), Flows: encode(in.Flows),
			Concurrency: in.Concurrency, QueueLimit: int64(in.QueueLimit), CreatedAt: now, UpdatedAt: now})
	} else {
		action = "update"
		if prev.Name != in.Name {
			detail = "renamed from " + prev.Name + "; " + detail
		}
		r, err = q.UpdateProduct(ctx, db.UpdateProductParams{ID: prev.ID, Name: in.Name, Tags: encode(in.Tags),
			Description: in.Description, Template: encode(in.Template), Flows: encode(in.Flows),
			Concurrency: in.Concurrency, QueueLimit: int64(in.QueueLimit), UpdatedAt: now})
	}
	if err != nil {
		return Product{}, fmt.Errorf("%s product %q: %w", action, in.Name, err)
	}
	p, err := fromRow(r)
	if err != nil {
		return Product{}, err
	}
	return p, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: action,
		Kind: "product", Name: in.Name, Detail: detail})
}

// Delete removes the product called name. A product that applications still use is not
// deleted: the error (ErrConflict) names them.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q, with the checks Delete makes inside
// its transaction.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	p, err := get(ctx, q, name)
	if err != nil {
		return err
	}
	apps, err := q.ListApplicationsByProduct(ctx, name)
	if err != nil {
		return fmt.Errorf("list applications of %q: %w", name, err)
	}
	if len(apps) > 0 {
		users := make([]string, 0, len(apps))
		for _, a := range apps {
			users = append(users, a.Environment+"/"+a.Name)
		}
		return fmt.Errorf("product %q is used by applications %s; delete or move them first: %w",
			name, strings.Join(users, ", "), fault.ErrConflict)
	}
	if err := q.DeleteProduct(ctx, p.ID); err != nil {
		return fmt.Errorf("delete product %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "product", Name: name})
}

func unique(ctx context.Context, q *db.Queries, name string) error {
	n, err := q.CountProductsByName(ctx, name)
	if err != nil {
		return fmt.Errorf("check name %q: %w", name, err)
	}
	if n > 0 {
		return fault.FieldErrors{"name": fmt.Sprintf("a product called %q already exists", name)}
	}
	return nil
}

func describe(in Input) string {
	flows := make([]string, 0, len(in.Flows))
	for _, f := range in.Flows {
		flows = append(flows, f.Flow)
	}
	return fmt.Sprintf("%d promotion entries, flows [%s], concurrency %s (limit %d)",
		len(in.Template.Promotion), strings.Join(flows, ", "), in.Concurrency, in.QueueLimit)
}
