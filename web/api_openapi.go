package web

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// openAPIDoc is an OpenAPI 3.1 document.
type openAPIDoc map[string]any

// serveOpenAPI answers the OpenAPI description of the API, generated from the API's route
// table.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, openAPI(apiRoutes(Services{})))
}

var wildcard = regexp.MustCompile(`\{([a-z]+)\}`)

// openAPI describes table: one operation per route, with its parameters, body and answers;
// the JSON shapes come from the Go types the handlers encode and decode.
func openAPI(table []apiRoute) openAPIDoc {
	schemas := map[string]any{"Error": schemaOf(reflect.TypeOf(apiError{}), nil)}
	paths := map[string]map[string]any{}
	for _, a := range table {
		op := map[string]any{"summary": a.summary, "operationId": operationID(a), "responses": responses(a, schemas)}
		if a.access == public {
			op["security"] = []any{}
		}
		var params []any
		for _, m := range wildcard.FindAllStringSubmatch(a.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range a.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if a.request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": content(a.request, schemas)}
		}
		if paths[a.path] == nil {
			paths[a.path] = map[string]any{}
		}
		paths[a.path][strings.ToLower(a.method)] = op
	}
	return openAPIDoc{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Ladder API", "version": "v1",
			"description": "Promote changes through GitOps environments. Send `Authorization: Bearer <token>` (or a session cookie)."},
		"servers":    []any{map[string]any{"url": apiPrefix}},
		"security":   []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": securitySchemes},
	}
}

var securitySchemes = map[string]any{
	"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token from `ladder token create` or the tokens page"},
	"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "ladder_session"},
}

func operationID(a apiRoute) string {
	id := strings.ToLower(a.method)
	for _, part := range strings.Split(strings.Trim(a.path, "/"), "/") {
		part = strings.Trim(strings.TrimSuffix(part, ".json"), "{}")
		part = strings.ReplaceAll(part, "-", "")
		if part != "" {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
	}
	return id
}

// orDryRun is the success body of a route that also answers a dry run: Real with the route's
// status, and with ?dryRun=true, DryRun with 200.
type orDryRun struct{ Real, DryRun any }

func responses(a apiRoute, schemas map[string]any) map[string]any {
	ok := map[string]any{"description": http.StatusText(a.status)}
	out := map[string]any{}
	body := a.response
	if d, isDry := body.(orDryRun); isDry {
		body = d.Real
		out["200"] = map[string]any{"description": "with dryRun=true: what it would do; nothing is created",
			"content": content(d.DryRun, schemas)}
	}
	if body != nil {
		ok["content"] = content(body, schemas)
	}
	out[strconv.Itoa(a.status)] = ok
	errorBody := map[string]any{"application/json": map[string]any{"schema": ref("Error")}}
	add := func(status int, why string) {
		out[strconv.Itoa(status)] = map[string]any{"description": why, "content": errorBody}
	}
	if a.access != public {
		add(401, "not signed in and no valid bearer token")
		add(403, "the caller's role or rules do not allow this")
	}
	if a.request != nil {
		add(400, "the body is not valid JSON (or YAML) of the right shape")
		add(422, "invalid input: `fields` maps each field to its problem")
	}
	if strings.Contains(a.path, "{") {
		add(404, "nothing by that name")
	}
	if a.method != http.MethodGet {
		add(409, "the change clashes with the current state (e.g. the entity is in use)")
	}
	return out
}

// content is the media type and schema of a body like v.
func content(v any, schemas map[string]any) map[string]any {
	if _, ok := v.(yamlText); ok {
		return map[string]any{"application/yaml": map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	return map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(v), schemas)}}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// schemaOf is the JSON Schema of what encoding/json makes of t. Named structs become shared
// components (when schemas is given) so the document stays small.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct && schemas != nil && t.Name() != "":
		name := componentName(t)
		if _, done := schemas[name]; !done {
			schemas[name] = map[string]any{} // a placeholder ends recursion through itself
			schemas[name] = objectSchema(t, schemas)
		}
		return ref(name)
	case t.Kind() == reflect.Struct:
		return objectSchema(t, schemas)
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{}
}

func componentName(t reflect.Type) string {
	name := strings.TrimSuffix(t.Name(), "JSON")
	pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
	if pkg != "web" && !strings.HasPrefix(strings.ToLower(name), pkg) {
		name = pkg + name // workflow.Step → workflowStep, policy.Settings → policySettings
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// objectSchema lists t's JSON fields, flattening embedded structs as encoding/json does. A
// field tagged `openapi:"readOnly"` is marked so; one tagged `openapi:"enum=a|b"` lists its values.
func objectSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type, schemas)
			if values, ok := strings.CutPrefix(f.Tag.Get("openapi"), "enum="); ok {
				props[name].(map[string]any)["enum"] = strings.Split(values, "|")
			}
			if f.Tag.Get("openapi") == "readOnly" {
				props[name].(map[string]any)["readOnly"] = true // a $ref may not have siblings in 3.0, but may in 3.1
				continue
			}
			if !strings.Contains(opts, "omit") && f.Type.Kind() != reflect.Pointer {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}
