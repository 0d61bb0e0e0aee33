package model

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/sealed"
)

// sealedStore is what a settings service (argocd.Service, credential.Service …) offers the
// model: its records with their sealed secrets, and changes inside a transaction.
type sealedStore[V, In any] interface {
	Records(ctx context.Context) ([]sealed.Record[V], error)
	RecordTx(ctx context.Context, q *db.Queries, name string) (sealed.Record[V], error)
	CreateTx(ctx context.Context, q *db.Queries, in In) (V, error)
	UpdateTx(ctx context.Context, q *db.Queries, name string, in In) (V, error)
	DeleteTx(ctx context.Context, q *db.Queries, name string) error
	Purposes() []string
}

// settingKind is one kind of setting with secrets, for export, apply and prune.
type settingKind interface {
	kindName() string
	documents(ctx context.Context, refs map[string]SecretRef) ([]document, error)
	apply(ctx context.Context, q *db.Queries, d incoming, st state) (string, error)
	delete(ctx context.Context, q *db.Queries, name string) error
}

// setting binds a settings service to its document kind.
type setting[V, In any] struct {
	kind  string
	svc   sealedStore[V, In]
	name  func(V) string
	spec  func(V) secretSpec                                      // without references
	input func(name string, spec secretSpec, secrets []string) In // secrets by purpose; empty keeps
	// renames maps the service's field names for secrets to the document's reference fields.
	renames map[string]string
}

func (k *setting[V, In]) kindName() string { return k.kind }

// refKey identifies a stored reference.
func refKey(kind, name, field string) string { return kind + "/" + name + "/" + field }

// defaultRef is the reference export writes for a secret stored without one (set in a page):
// the setting's name, and the field's name without "Ref".
func defaultRef(name, field string) *SecretRef {
	return &SecretRef{Name: name, Key: strings.TrimSuffix(field, "Ref")}
}

// documents reads every record as a document; a reference is written for each secret stored.
func (k *setting[V, In]) documents(ctx context.Context, refs map[string]SecretRef) ([]document, error) {
	recs, err := k.svc.Records(ctx)
	if err != nil {
		return nil, err
	}
	purposes := k.svc.Purposes()
	docs := make([]document, 0, len(recs))
	for _, r := range recs {
		spec := k.spec(r.Value)
		for i, f := range spec.refs() {
			if len(r.Sealed[purposes[i]]) == 0 {
				continue
			}
			if ref, ok := refs[refKey(k.kind, r.Name, f.field)]; ok {
				*f.ref = &ref
			} else {
				*f.ref = defaultRef(r.Name, f.field)
			}
		}
		docs = append(docs, document{k.kind, k.name(r.Value), spec})
	}
	slices.SortFunc(docs, func(a, b document) int { return strings.Compare(a.name, b.name) })
	return docs, nil
}

// apply creates or updates the setting d names, taking each referenced secret from
// st.secrets. A reference not supplied keeps the stored secret, and is a problem when there
// is none. A secret equal to the stored one is not written again.
func (k *setting[V, In]) apply(ctx context.Context, q *db.Queries, d incoming, st state) (string, error) {
	before, exists := st.specs[d.key()]
	spec := d.spec.(secretSpec)
	purposes := k.svc.Purposes()
	var rec *sealed.Record[V]
	if exists {
		r, err := k.svc.RecordTx(ctx, q, d.name)
		if err != nil {
			return "", err
		}
		rec = &r
	}
	values := make([]string, len(purposes))
	stored := make([]bool, len(purposes))
	changed := false
	fe := fault.FieldErrors{}
	for i, f := range spec.refs() {
		stored[i] = rec != nil && len(rec.Sealed[purposes[i]]) > 0
		ref := *f.ref
		if ref == nil {
			continue // no reference keeps what is stored
		}
		v, ok := st.secrets.lookup(ref.Name, ref.Key)
		switch {
		case !ok && stored[i]:
		case !ok:
			fe.Add(f.field, fmt.Sprintf("secret %q key %q was not supplied (a secrets file, or the environment variable %s)",
				ref.Name, ref.Key, EnvName(ref.Name, ref.Key)))
		case stored[i]:
			if old, err := rec.Open(purposes[i]); err != nil || old != v {
				values[i], changed = v, true
			}
		default:
			values[i], changed = v, true
		}
	}
	if len(fe) > 0 {
		return "", fe
	}
	in := k.input(d.name, spec, values)
	var after V
	var err error
	if exists {
		after, err = k.svc.UpdateTx(ctx, q, d.name, in)
	} else {
		after, err = k.svc.CreateTx(ctx, q, in)
	}
	if fe, ok := fault.Fields(err); ok {
		return "", k.renamed(fe)
	}
	if err != nil {
		return "", err
	}
	out := k.spec(after)
	for i, f := range spec.refs() {
		var err error
		ref := *f.ref
		if ref != nil {
			err = q.UpsertModelSecretRef(ctx, db.UpsertModelSecretRefParams{Kind: k.kind, Name: d.name, Field: f.field,
				RefName: ref.Name, RefKey: ref.Key})
		} else {
			err = q.DeleteModelSecretRef(ctx, db.DeleteModelSecretRefParams{Kind: k.kind, Name: d.name, Field: f.field})
			if stored[i] {
				ref = defaultRef(d.name, f.field)
			}
		}
		if err != nil {
			return "", fmt.Errorf("store the secret reference of %s %s: %w", k.kind, d.name, err)
		}
		*out.refs()[i].ref = ref
	}
	switch {
	case !exists:
		return Create, nil
	case !changed && string(before) == string(comparable(out)):
		return Unchanged, nil
	}
	return Update, nil
}

// renamed names a secret's field errors after the document's reference field.
func (k *setting[V, In]) renamed(fe fault.FieldErrors) fault.FieldErrors {
	out := fault.FieldErrors{}
	for f, msg := range fe {
		if r, ok := k.renames[f]; ok {
			f = r
		}
		out[f] = msg
	}
	return out
}

// delete removes the setting called name and its stored references.
func (k *setting[V, In]) delete(ctx context.Context, q *db.Queries, name string) error {
	if err := k.svc.DeleteTx(ctx, q, name); err != nil {
		return err
	}
	if err := q.DeleteModelSecretRefs(ctx, db.DeleteModelSecretRefsParams{Kind: k.kind, Name: name}); err != nil {
		return fmt.Errorf("forget the secret references of %s %s: %w", k.kind, name, err)
	}
	return nil
}

// settingDocuments reads every setting with secrets as documents.
func (s *Service) settingDocuments(ctx context.Context) ([]document, error) {
	kinds := s.settingKinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	rows, err := db.New(s.DB).ListModelSecretRefs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list secret references: %w", err)
	}
	refs := make(map[string]SecretRef, len(rows))
	for _, r := range rows {
		refs[refKey(r.Kind, r.Name, r.Field)] = SecretRef{Name: r.RefName, Key: r.RefKey}
	}
	var docs []document
	for _, k := range kinds {
		more, err := k.documents(ctx, refs)
		if err != nil {
			return nil, err
		}
		docs = append(docs, more...)
	}
	return docs, nil
}

// settingKind returns the bound kind of setting called kind, or nil.
func (s *Service) settingKind(kind string) settingKind {
	for _, k := range s.settingKinds() {
		if k.kindName() == kind {
			return k
		}
	}
	return nil
}
