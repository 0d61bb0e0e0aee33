package product

import (
	"fmt"
	"path"
	"strings"

	"github.com/theory/jsonpath"

	"ladder/internal/fault"
	"ladder/internal/gitops"
)

func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Concurrency = strings.TrimSpace(in.Concurrency)
	if in.Tags == nil {
		in.Tags = []string{}
	}
	vs := &in.Template.VersionSource
	vs.File, vs.JSONPath = strings.TrimSpace(vs.File), strings.TrimSpace(vs.JSONPath)
	if in.Template.Promotion == nil {
		in.Template.Promotion = []Entry{}
	}
	for i := range in.Template.Promotion {
		in.Template.Promotion[i].File = strings.TrimSpace(in.Template.Promotion[i].File)
	}
	if in.Flows == nil {
		in.Flows = []FlowRef{}
	}
	for i := range in.Flows {
		in.Flows[i].Flow = strings.TrimSpace(in.Flows[i].Flow)
		if in.Flows[i].TriggerSelectors == nil {
			in.Flows[i].TriggerSelectors = []Selector{}
		}
	}
	return in
}

// validate checks in against the validator tags and the rules they cannot say. Nested fields
// are keyed like the form names them: promotion.1.jsonPaths, flows.0.triggerSelectors.2.values.
// flows is the set of flow names that exist.
func validate(check *fault.Validator, in Input, flows map[string]bool) fault.FieldErrors {
	fe := check.Struct(in)
	nested := func(prefix string, v any) {
		for k, msg := range check.Struct(v) {
			fe.Add(prefix+k, msg)
		}
	}
	vs := in.Template.VersionSource
	nested("versionSource.", vs)
	switch {
	case vs.File == "" && vs.JSONPath != "":
		fe.Add("versionSource.file", "is required with a JSONPath")
	case vs.File != "" && vs.JSONPath == "":
		fe.Add("versionSource.jsonPath", "is required with a file (e.g. $.appVersion)")
	case vs.File != "":
		checkFile("versionSource.file", vs.File, false, fe)
		checkJSONPath("versionSource.jsonPath", vs.JSONPath, fe)
	}
	for i, e := range in.Template.Promotion {
		prefix := fmt.Sprintf("promotion.%d.", i)
		nested(prefix, e)
		checkFile(prefix+"file", e.File, true, fe)
		for _, p := range e.JSONPaths {
			checkJSONPath(prefix+"jsonPaths", p, fe)
		}
	}
	seen := map[string]bool{}
	for i, f := range in.Flows {
		prefix := fmt.Sprintf("flows.%d.", i)
		nested(prefix, f)
		switch {
		case f.Flow == "":
		case !flows[f.Flow]:
			fe.Add(prefix+"flow", fmt.Sprintf("there is no flow called %q", f.Flow))
		case seen[f.Flow]:
			fe.Add(prefix+"flow", "is already in the list; each flow appears once")
		}
		seen[f.Flow] = true
		for j, s := range f.TriggerSelectors {
			nested(fmt.Sprintf("%striggerSelectors.%d.", prefix, j), s)
		}
	}
	return fe
}

// checkFile accepts a path relative to the application directory; glob allows path.Match
// patterns.
func checkFile(field, name string, glob bool, fe fault.FieldErrors) {
	if name == "" {
		return
	}
	if path.IsAbs(name) || name != path.Clean(name) || name == "." || strings.HasPrefix(name, "../") || name == ".." {
		fe.Add(field, "must be a file path relative to the application path, without .. (e.g. values.yaml)")
		return
	}
	if !glob && strings.ContainsAny(name, "*?[") {
		fe.Add(field, "must name one file, not a pattern")
		return
	}
	if _, err := path.Match(name, ""); err != nil {
		fe.Add(field, fmt.Sprintf("%q is not a valid glob (use *, ? and [a-z])", name))
	}
}

// checkJSONPath reports a path that does not parse, with the fix when the leading $ is missing.
func checkJSONPath(field, p string, fe fault.FieldErrors) {
	if _, err := jsonpath.Parse(p); err != nil {
		why := strings.TrimPrefix(err.Error(), "jsonpath: ")
		if hint := gitops.JSONPathHint(p); hint != "" {
			why = "it must start with $; " + hint
		}
		fe.Add(field, fmt.Sprintf("%q is not an RFC 9535 JSONPath: %s", p, why))
	}
}
