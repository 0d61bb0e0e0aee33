package product

import "testing"

func TestMatchSelectors(t *testing.T) {
	in := func(key string, values ...string) Selector {
		return Selector{Key: key, Operator: OperatorIn, Values: values}
	}
	notIn := func(key string, values ...string) Selector {
		return Selector{Key: key, Operator: OperatorNotIn, Values: values}
	}
	tests := []struct {
		name      string
		selectors []Selector
		message   string
		branch    string
		want      bool
	}{
		{"no selectors match everything", nil, "anything", "main", true},
		{"exact branch", []Selector{in(KeyBranch, "main")}, "x", "main", true},
		{"other branch", []Selector{in(KeyBranch, "main")}, "x", "develop", false},
		{"whole string, not substring", []Selector{in(KeyBranch, "main")}, "x", "main-2", false},
		{"values are OR-ed", []Selector{in(KeyBranch, "main", "release/*")}, "x", "release/1.2", true},
		{"prefix wildcard", []Selector{in(KeyCommitMessage, "release: *")}, "release: 1.2", "main", true},
		{"wildcard needs the prefix", []Selector{in(KeyCommitMessage, "release: *")}, "fix: release: 1", "main", false},
		{"inner wildcard", []Selector{in(KeyCommitMessage, "*[deploy]*")}, "feat: x [deploy] now", "main", true},
		{"wildcard spans lines", []Selector{in(KeyCommitMessage, "feat*")}, "feat: x\n\nbody", "main", true},
		{"star alone matches empty", []Selector{in(KeyCommitMessage, "*")}, "", "main", true},
		{"backtracking", []Selector{in(KeyCommitMessage, "*ab*ab")}, "aabxab", "main", true},
		{"backtracking fails", []Selector{in(KeyCommitMessage, "*ab*abc")}, "aabxab", "main", false},
		{"question mark is literal", []Selector{in(KeyBranch, "v?")}, "x", "v1", false},
		{"NotIn excludes", []Selector{notIn(KeyCommitMessage, "*[skip ci]*")}, "docs [skip ci]", "main", false},
		{"NotIn passes others", []Selector{notIn(KeyCommitMessage, "*[skip ci]*")}, "feat: x", "main", true},
		{"selectors are AND-ed: both hold", []Selector{in(KeyBranch, "main"), notIn(KeyCommitMessage, "wip*")}, "feat", "main", true},
		{"selectors are AND-ed: one fails", []Selector{in(KeyBranch, "main"), notIn(KeyCommitMessage, "wip*")}, "wip: x", "main", false},
		{"case sensitive", []Selector{in(KeyBranch, "Main")}, "x", "main", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchSelectors(tt.selectors, tt.message, tt.branch); got != tt.want {
				t.Errorf("MatchSelectors(%v, %q, %q) = %v, want %v", tt.selectors, tt.message, tt.branch, got, tt.want)
			}
		})
	}
}
