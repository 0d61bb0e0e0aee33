package flow

import (
	"fmt"
	"slices"
	"strings"

	"ladder/internal/fault"
)

// defaultDependsOn gives each step without dependencies the one before it (the trigger
// environment for the first step).
func defaultDependsOn(trigger string, steps []Step) {
	prev := trigger
	for i := range steps {
		if len(steps[i].DependsOn) == 0 && prev != "" {
			steps[i].DependsOn = []string{prev}
		}
		prev = steps[i].Environment
	}
}

// checkGraph reports, keyed by form field, environments that appear twice, dependencies on
// environments outside the flow, and cycles.
func checkGraph(trigger string, steps []Step) fault.FieldErrors {
	fe := fault.FieldErrors{}
	if len(steps) == 0 {
		fe.Add("steps", "add at least one step: the environment to promote into after "+trigger)
	}
	index := map[string]int{}
	for i, s := range steps {
		key := fmt.Sprintf("steps.%d.environment", i)
		switch j, dup := index[s.Environment]; {
		case s.Environment == "":
		case s.Environment == trigger:
			fe.Add(key, fmt.Sprintf("%s is the trigger environment; it cannot also be a step", trigger))
		case dup:
			fe.Add(key, fmt.Sprintf("%s is already step %d: each environment appears once", s.Environment, j+1))
		default:
			index[s.Environment] = i
		}
	}
	for i, s := range steps {
		key := fmt.Sprintf("steps.%d.dependsOn", i)
		for _, d := range s.DependsOn {
			_, isStep := index[d]
			switch {
			case d == s.Environment:
				fe.Add(key, fmt.Sprintf("%s cannot depend on itself", d))
			case d != trigger && !isStep:
				fe.Add(key, fmt.Sprintf("%s is neither the trigger environment (%s) nor a step of this flow", d, trigger))
			}
		}
	}
	if cycle := findCycle(steps, index); len(cycle) > 0 {
		key := fmt.Sprintf("steps.%d.dependsOn", index[cycle[0]])
		fe.Add(key, "these steps wait for each other in a cycle: "+strings.Join(cycle, " → ")+
			" (each depends on the next)")
	}
	return fe
}

// findCycle returns a dependency cycle among the steps as a path that starts and ends with
// the same environment, rotated to start at the earliest step; nil when there is none.
func findCycle(steps []Step, index map[string]int) []string {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(env string) []string
	visit = func(env string) []string {
		state[env] = open
		stack = append(stack, env)
		for _, d := range steps[index[env]].DependsOn {
			if _, isStep := index[d]; !isStep || d == env {
				continue
			}
			switch state[d] {
			case open:
				return rotate(stack[slices.Index(stack, d):], index)
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[env] = done
		return nil
	}
	for _, s := range steps {
		if _, ok := index[s.Environment]; ok && state[s.Environment] == unseen {
			if c := visit(s.Environment); c != nil {
				return c
			}
		}
	}
	return nil
}

// rotate turns the cycle found on the stack into a closed path starting at its earliest step.
func rotate(cycle []string, index map[string]int) []string {
	first := 0
	for i, env := range cycle {
		if index[env] < index[cycle[first]] {
			first = i
		}
	}
	path := append(slices.Clone(cycle[first:]), cycle[:first]...)
	return append(path, path[0])
}

// Layers places every environment of a valid flow in a column: the trigger environment in 0,
// each step one after the furthest of its dependencies (its longest path from the trigger).
func (f Flow) Layers() map[string]int {
	layer := map[string]int{f.TriggerEnvironment: 0}
	deps := map[string][]string{}
	for _, s := range f.Steps {
		deps[s.Environment] = s.DependsOn
	}
	var place func(env string, depth int) int
	place = func(env string, depth int) int {
		if l, ok := layer[env]; ok {
			return l
		}
		if depth > len(f.Steps) { // a cycle slipped through: stop rather than recurse forever
			return 0
		}
		l := 0
		for _, d := range deps[env] {
			l = max(l, place(d, depth+1)+1)
		}
		layer[env] = l
		return l
	}
	for _, s := range f.Steps {
		place(s.Environment, 0)
	}
	return layer
}
