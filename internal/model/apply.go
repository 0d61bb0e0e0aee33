package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"ladder/db"
	"ladder/internal/fault"
)

// errRollback ends a transaction that only checks (a dry run, or a file with problems).
var errRollback = errors.New("rolled back on purpose")

// Apply reads YAML documents from r and makes the model match them: missing entities are
// created, differing ones updated; entities the file does not name are left alone. Every
// document is first checked by the services inside a transaction that is rolled back, so
// that all problems are reported together (*Invalid) and nothing changes; only then are the
// changes written, in one transaction. dryRun stops after the check and reports what would
// change.
func (s *Service) Apply(ctx context.Context, r io.Reader, dryRun bool) ([]Change, error) {
	return s.ApplyWith(ctx, r, Options{DryRun: dryRun})
}

// Options change what ApplyWith does.
type Options struct {
	// DryRun checks the file and reports what would change, without changing anything.
	DryRun bool
	// Prune also deletes the entities of every kind the file has documents of that the file
	// does not name, in the same transaction (prune.go).
	Prune bool
	// Secrets are the values of the secret references, by secret name and key; references
	// they lack are looked up in the environment (Service.Secrets).
	Secrets map[string]map[string]string
}

// ApplyWith is Apply with options. Changes come in file order, then the deletions of a prune.
func (s *Service) ApplyWith(ctx context.Context, r io.Reader, opt Options) ([]Change, error) {
	docs, problems := parse(r)
	current, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	current.secrets = NewSecrets(opt.Secrets, s.Secrets)
	if opt.Prune {
		current.prune = prunedKinds(docs)
	}
	changes, more, err := s.pass(ctx, docs, current, nil, false) // the documents that parsed are still checked
	if problems = append(problems, more...); len(problems) > 0 {
		sortProblems(problems)
		return nil, &Invalid{problems}
	}
	if err != nil || opt.DryRun {
		return changes, err
	}
	skip := map[int]bool{}
	for i, c := range changes[:len(docs)] {
		skip[docs[i].index] = c.Action == Unchanged
	}
	if _, problems, err = s.pass(ctx, docs, current, skip, true); len(problems) > 0 {
		return nil, &Invalid{problems} // the model changed between the check and the write
	}
	return changes, err
}

// state is the model as stored before an apply: each entity's spec as exported (JSON, with
// environment positions left out) and each environment's place.
type state struct {
	specs   map[string][]byte
	rank    map[string]int
	docs    []document      // the stored entities, in export order
	secrets Secrets         // the values of secret references
	prune   map[string]bool // the kinds a prune deletes from
}

func (s *Service) current(ctx context.Context) (state, error) {
	docs, err := s.documents(ctx, false)
	if err != nil {
		return state{}, err
	}
	st := state{specs: map[string][]byte{}, rank: map[string]int{}, docs: docs}
	for _, d := range docs {
		if e, ok := d.spec.(EnvironmentSpec); ok {
			st.rank[d.name] = int(e.Position)
		}
		st.specs[stored(d).key()] = comparable(d.spec)
	}
	return st, nil
}

// comparable is a spec's JSON form without the environment position, which the reorder
// step compares on its own.
func comparable(spec any) []byte {
	if e, ok := spec.(EnvironmentSpec); ok {
		e.Position = 0
		spec = e
	}
	b, _ := json.Marshal(spec) // spec types always encode
	return b
}

// pass applies docs (but those in skip) inside one transaction, committed only when commit
// is set and nothing was wrong. It returns one change per document, in file order.
func (s *Service) pass(ctx context.Context, docs []incoming, st state, skip map[int]bool, commit bool) ([]Change, []Problem, error) {
	changes := make([]Change, len(docs))
	var problems []Problem
	err := db.InTx(ctx, s.DB, func(q *db.Queries) error {
		for _, kind := range Kinds {
			for i, d := range docs {
				if d.kind != kind || skip[d.index] {
					continue
				}
				action, err := s.applyOne(ctx, q, d, st)
				if fe, ok := fault.Fields(err); ok {
					problems = append(problems, fieldProblems(d, fe)...)
				} else if errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrConflict) {
					problems = append(problems, Problem{Document: d.index, Kind: d.kind, Name: d.label(), Message: err.Error()})
				} else if err != nil {
					return fmt.Errorf("document %d (%s %s): %w", d.index, d.kind, d.label(), err)
				}
				changes[i] = Change{Kind: d.kind, Name: d.label(), Action: action}
			}
			if kind == KindEnvironment {
				if err := s.order(ctx, q, docs, st, changes); err != nil {
					return err
				}
			}
		}
		if len(st.prune) > 0 {
			deleted, more, err := s.prune(ctx, q, docs, st)
			if err != nil {
				return err
			}
			changes, problems = append(changes, deleted...), append(problems, more...)
		}
		if !commit || len(problems) > 0 {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	sortProblems(problems)
	return changes, problems, err
}

// applyOne creates or updates the entity d names and says which it did, or that the update
// changed nothing.
func (s *Service) applyOne(ctx context.Context, q *db.Queries, d incoming, st state) (string, error) {
	if k := s.settingKind(d.kind); k != nil {
		return k.apply(ctx, q, d, st)
	}
	before, exists := st.specs[d.key()]
	var after any
	var err error
	switch spec := d.spec.(type) {
	case *EnvironmentSpec:
		if exists {
			e, uerr := s.Environments.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = EnvironmentSpecOf(e, 0), uerr
		} else {
			_, err = s.Environments.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *WorkflowSpec:
		if exists {
			w, uerr := s.Workflows.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = WorkflowSpecOf(w), uerr
		} else {
			_, err = s.Workflows.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *PolicySpec:
		if exists {
			p, uerr := s.Policies.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = PolicySpecOf(p), uerr
		} else {
			_, err = s.Policies.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *FlowSpec:
		if exists {
			f, uerr := s.Flows.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = FlowSpecOf(f), uerr
		} else {
			_, err = s.Flows.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *ProductSpec:
		if exists {
			p, uerr := s.Products.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = ProductSpecOf(p), uerr
		} else {
			_, err = s.Products.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *FreezeWindowSpec:
		if exists {
			w, uerr := s.Windows.UpdateTx(ctx, q, d.name, spec.Input(d.name))
			after, err = FreezeWindowSpecOf(w), uerr
		} else {
			_, err = s.Windows.CreateTx(ctx, q, spec.Input(d.name))
		}
	case *AccessRuleSpec:
		after, err = s.applyRule(ctx, q, d, spec, exists)
	case *ApplicationSpec:
		if exists {
			a, uerr := s.Applications.UpdateTx(ctx, q, spec.Environment, d.name, spec.Input(d.name))
			after, err = ApplicationSpecOf(a), uerr
		} else {
			_, err = s.Applications.CreateTx(ctx, q, spec.Input(d.name))
		}
	}
	switch {
	case err != nil:
		return "", err
	case !exists:
		return Create, nil
	case string(before) == string(comparable(after)):
		return Unchanged, nil
	}
	return Update, nil
}

// order puts the environments in the positions the documents give; environments the file
// does not name keep their place relative to each other. An environment that only moved is
// reported as updated.
func (s *Service) order(ctx context.Context, q *db.Queries, docs []incoming, st state, changes []Change) error {
	rows, err := q.ListEnvironments(ctx)
	if err != nil {
		return fmt.Errorf("list environments: %w", err)
	}
	want := map[string]int64{}
	for _, d := range docs {
		if e, ok := d.spec.(*EnvironmentSpec); ok && e.Position > 0 {
			want[d.name] = e.Position
		}
	}
	names := make([]string, 0, len(rows))
	place := map[string]int64{}
	for i, r := range rows {
		names = append(names, r.Name)
		place[r.Name] = int64(i + 1)
		if p, ok := want[r.Name]; ok {
			place[r.Name] = p
		}
	}
	order := slices.Clone(names)
	sort.SliceStable(order, func(i, j int) bool { return place[order[i]] < place[order[j]] })
	for i, d := range docs {
		if rank, ok := st.rank[d.name]; ok && d.kind == KindEnvironment && changes[i].Action == Unchanged &&
			slices.Index(order, d.name)+1 != rank {
			changes[i].Action = Update
		}
	}
	if slices.Equal(order, names) {
		return nil
	}
	return s.Environments.ReorderTx(ctx, q, order)
}

// fieldProblems turns a service's field errors into problems naming the document's fields.
func fieldProblems(d incoming, fe fault.FieldErrors) []Problem {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Problem, 0, len(keys))
	for _, k := range keys {
		field := "spec." + k
		switch k {
		case "name":
			field = "metadata.name"
		case "_":
			field = ""
		}
		out = append(out, Problem{Document: d.index, Kind: d.kind, Name: d.label(), Field: field, Message: fe[k]})
	}
	return out
}
