package product

// MatchSelectors reports whether a change with this commit message and branch matches every
// selector (selectors are AND-ed; the values of one selector are OR-ed). A value matches the
// whole string, * standing for any run of characters, newlines included. No selectors match
// every change.
func MatchSelectors(selectors []Selector, commitMessage, branch string) bool {
	for _, s := range selectors {
		subject := commitMessage
		if s.Key == KeyBranch {
			subject = branch
		}
		hit := false
		for _, v := range s.Values {
			if wildcard(v, subject) {
				hit = true
				break
			}
		}
		if hit == (s.Operator == OperatorNotIn) {
			return false
		}
	}
	return true
}

// wildcard matches s against pattern, where * matches any run of characters and every other
// character matches itself. It runs in linear time for any pattern (greedy with backtracking
// to the last star only).
func wildcard(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
