package e2e

import "testing"

// TestProductEditorLivePreview edits a product's template and watches the preview beside it
// follow every change without pressing a button: values without Ladder's internal paths, the
// fix for a JSONPath missing its $, the warning that a template without entries copies whole
// files, and the confirmation once saved.
func TestProductEditorLivePreview(t *testing.T) {
	srv := startServer(t)
	repo := newGitRepo(t, "shop-dev", "2.4.0")
	page := newPageWith(t, srv, desktop)
	signInAsAdmin(t, page)
	addEnvironment(t, page, "dev", "non-production")
	addProduct(t, page, "shop")
	addApplication(t, page, "dev", "shop", repo.url())

	_, err := page.Goto("/products/shop")
	must(t, err, "open the product")
	form := page.GetByTestId("product-form")
	warning := form.GetByTestId("entries-empty")
	must(t, expect.Locator(warning).ToContainText("Whole files will be copied"), "a template without entries warns")
	must(t, expect.Locator(warning).ToContainText("dev's replicas and hosts would overwrite prod's"), "and says what that means")

	preview := page.GetByTestId("preview")
	formBox, err := form.BoundingBox()
	must(t, err, "measure the settings")
	previewBox, err := preview.BoundingBox()
	must(t, err, "measure the preview")
	if previewBox.X < formBox.X+formBox.Width || previewBox.Y > formBox.Y+formBox.Height/2 {
		t.Errorf("preview at %+v, settings at %+v: want the preview beside the settings on a wide screen", previewBox, formBox)
	}

	type_ := func(field, text string) {
		t.Helper()
		f := label(form, field)
		must(t, f.Fill(""), "clear "+field)
		must(t, f.PressSequentially(text), "type "+text+" into "+field)
	}
	type_("Version file", "Chart.yaml")
	type_("Version JSONPath", "$.appVersion")
	result := preview.GetByTestId("preview-result")
	must(t, expect.Locator(result.GetByTestId("preview-version")).ToHaveText("2.4.0"), "the preview follows typing, no button pressed")
	must(t, expect.Locator(result.GetByTestId("preview-whole-files")).ToBeVisible(), "the preview repeats the whole-files warning")
	shoot(t, page, "product-editor-whole-files")

	must(t, form.GetByTestId("op-entry-add").Click(), "add a file entry")
	must(t, expect.Locator(form.GetByTestId("entry-0")).ToBeVisible(), "the entry is shown")
	must(t, expect.Locator(form.GetByTestId("entries-empty")).ToHaveCount(0), "the warning goes with the first entry")
	type_("File 1", "values.yaml")
	type_("JSONPaths", "image.tag")
	must(t, expect.Locator(result.GetByTestId("preview-error-0-0")).ToContainText("did you mean $.image.tag?"), "a path without $ suggests the fix")
	type_("JSONPaths", "$.image.tag")
	value := result.GetByTestId("preview-value-0-0")
	must(t, expect.Locator(value).ToHaveText("2.4.0"), "the value alone, without the internal path")
	shoot(t, page, "product-editor-live-preview")

	type_("JSONPaths", "image.tag")
	must(t, expect.Locator(result.GetByTestId("preview-error-0-0")).ToBeVisible(), "the preview has caught up")
	must(t, form.GetByTestId("product-save").Click(), "save with the path missing its $")
	must(t, expect.Locator(form.GetByTestId("error-promotion.0.jsonPaths")).ToContainText("did you mean $.image.tag?"), "the field error suggests the fix")
	type_("JSONPaths", "$.image.tag")
	must(t, expect.Locator(result.GetByTestId("preview-error-0-0")).ToHaveCount(0), "the preview has caught up")
	must(t, expect.Locator(value).ToHaveText("2.4.0"), "with the value")
	must(t, page.GetByTestId("product-form").GetByTestId("product-save").Click(), "save")
	must(t, expect.Locator(page.GetByTestId("flash")).ToHaveText("Saved product shop"), "saved, confirmed")
	shoot(t, page, "product-editor-saved")

	small := newPageWith(t, srv, phone)
	signInAsAdmin(t, small)
	_, err = small.Goto("/products/shop")
	must(t, err, "open the product on a phone")
	must(t, small.GetByTestId("preview-run").Click(), "read from Git")
	must(t, expect.Locator(small.GetByTestId("preview-value-0-0")).ToHaveText("2.4.0"), "the preview on a phone")
	noSidewaysScroll(t, small, phone, "product editor on a phone")
	shoot(t, small, "product-editor-phone")

	night := newPageWith(t, srv, dark(desktop))
	signInAsAdmin(t, night)
	_, err = night.Goto("/products/shop")
	must(t, err, "open the product in dark mode")
	must(t, night.GetByTestId("preview-run").Click(), "read from Git")
	must(t, expect.Locator(night.GetByTestId("preview-value-0-0")).ToHaveText("2.4.0"), "the preview in dark mode")
	shoot(t, night, "product-editor-dark")

	checked := newPageWith(t, srv, withoutCSP(desktop))
	signInAsAdmin(t, checked)
	_, err = checked.Goto("/products/shop")
	must(t, err, "open the product for axe-core")
	must(t, checked.GetByTestId("preview-run").Click(), "read from Git")
	must(t, expect.Locator(checked.GetByTestId("preview-value-0-0")).ToHaveText("2.4.0"), "the preview is shown")
	checkAccessibility(t, checked, "product editor with its preview")
}
