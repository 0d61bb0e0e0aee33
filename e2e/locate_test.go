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
