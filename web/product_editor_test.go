package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestProductEditorPreview proves the editor's server side: the preview asks to be read again
// as the template is edited, shows values without Ladder's internal paths, follows unsaved
// edits, suggests the fix for a path missing its $, and warns when no file entry limits a
// promotion to some values.
func TestProductEditorPreview(t *testing.T) {
	repo := bareRepo(t, map[string]string{
		"apps/shop/Chart.yaml":  "apiVersion: v2\nname: shop\nappVersion: \"2.0.1\"\n",
		"apps/shop/values.yaml": "image:\n  tag: \"2.0.1\"\nreplicas: 3\n"})
	s := startModelServer(t)
	seedModel(t, s, repo)

	status, page := s.do(t, http.MethodGet, "/products/shop", nil, false)
	if status != http.StatusOK {
		t.Fatalf("GET /products/shop: got %d, want 200", status)
	}
	if got, ok := blockByTestID(page, "entries-empty"); !ok || !strings.Contains(got, "dev's replicas and hosts would overwrite prod's") {
		t.Errorf("entries-empty: got %q (found %v), want the whole-files warning", got, ok)
	}
	live := regexp.MustCompile(`<div id="preview-result"[^>]*>`).FindString(page)
	for _, want := range []string{`hx-get="/products/shop/preview"`, `hx-trigger="keyup changed delay:600ms from:body`,
		`target:{[name^=versionSource], [name^=promotion]}`, `hx-include="#product-form, #preview-form"`} {
		if !strings.Contains(live, want) {
			t.Errorf("preview container %s: want %s", live, want)
		}
	}

	edit := url.Values{"app": {"dev/api"}, "name": {"shop"}, "concurrency": {"queue"}, "queueLimit": {"50"},
		"versionSource.file": {"Chart.yaml"}, "versionSource.jsonPath": {"$.appVersion"},
		"promotion.0.file": {"values.yaml"}, "promotion.0.jsonPaths": {"$.image.tag\nreplicas"}}
	status, body := s.do(t, http.MethodGet, "/products/shop/preview?"+edit.Encode(), nil, true)
	if status != http.StatusOK {
		t.Fatalf("preview of unsaved edits: got %d, want 200\n%s", status, body)
	}
	if got, _ := byTestID(body, "preview-value-0-0"); got != "2.0.1" {
		t.Errorf("preview-value-0-0: got %q, want the value alone", got)
	}
	if strings.Contains(body, "$[&#39;image&#39;]") || strings.Contains(body, "$['image']") {
		t.Errorf("preview shows the internal normalized path; want only the path as written")
	}
	if got, _ := byTestID(body, "preview-error-0-1"); !strings.Contains(got, "did you mean $.replicas?") {
		t.Errorf("preview-error-0-1: got %q, want the fix suggested", got)
	}
	if _, ok := blockByTestID(body, "preview-whole-files"); ok {
		t.Errorf("preview with entries warns about whole files; want no warning")
	}

	edit.Del("promotion.0.file")
	edit.Del("promotion.0.jsonPaths")
	_, body = s.do(t, http.MethodGet, "/products/shop/preview?"+edit.Encode(), nil, true)
	if got, ok := blockByTestID(body, "preview-whole-files"); !ok || !strings.Contains(got, "Whole files will be copied") {
		t.Errorf("preview without entries: got %q (found %v), want the whole-files warning", got, ok)
	}

	edit.Set("promotion.0.file", "values.yaml")
	edit.Set("promotion.0.jsonPaths", "image.tag")
	status, body = s.do(t, http.MethodPost, "/products/shop", edit, true)
	if got, _ := byTestID(body, "error-promotion.0.jsonPaths"); status != http.StatusUnprocessableEntity || !strings.Contains(got, "did you mean $.image.tag?") {
		t.Errorf("save with a path missing $: got %d %q, want 422 suggesting $.image.tag", status, got)
	}
}

// blockByTestID returns the text of the element marked data-testid=id up to the first
// closing div, tags removed and spaces collapsed, for messages with markup inside.
func blockByTestID(body, id string) (string, bool) {
	i := strings.Index(body, `data-testid="`+id+`"`)
	if i < 0 {
		return "", false
	}
	rest := body[i:]
	rest = rest[strings.Index(rest, ">")+1:]
	if end := strings.Index(rest, "</div>"); end >= 0 {
		rest = rest[:end]
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(rest, " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " "), true
}
