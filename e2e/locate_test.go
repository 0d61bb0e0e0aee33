package e2e

import "github.com/mxschmitt/playwright-go"

// named selects an accessible element by its exact name.
func named(name string) playwright.PageGetByRoleOptions {
	return playwright.PageGetByRoleOptions{Name: name, Exact: playwright.Bool(true)}
}

// selectValue chooses the option with value v.
func selectValue(v string) playwright.SelectOptionValues {
	return playwright.SelectOptionValues{Values: playwright.StringSlice(v)}
}

// The dashboard marks only its rows (row-<product>); a cell is found by its environment
// (data-env, which the phone layout shows), and what a cell or row holds by its role or place.

// dashCell is product's cell in environment env on the dashboard.
func dashCell(page playwright.Page, env, product string) playwright.Locator {
	return page.GetByTestId("row-" + product).Locator(`td[data-env="` + env + `"]`)
}

// dashVersion is the version the dashboard shows for product in env.
func dashVersion(page playwright.Page, env, product string) playwright.Locator {
	return dashCell(page, env, product).Locator("p > b")
}

// dashPromote is the dashboard's offer to promote product into env.
func dashPromote(page playwright.Page, env, product string) playwright.Locator {
	return dashCell(page, env, product).GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Promote " + product + " "})
}

// dashButton is a button of product's row on the dashboard: Trigger flow or Check Git now.
func dashButton(page playwright.Page, product, name string) playwright.Locator {
	return page.GetByTestId("row-"+product).GetByRole("button", playwright.LocatorGetByRoleOptions{Name: name, Exact: playwright.Bool(true)})
}
