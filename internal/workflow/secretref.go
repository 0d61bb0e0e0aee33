package workflow

import (
	"slices"
	"text/template"
	"text/template/parse"
)

// SecretNames returns the workflow secrets the workflow's steps name ({{secret "name"}} with a
// quoted name), sorted and each once. A secret named by a computed value cannot be known
// before the step runs and is not listed.
func (w Workflow) SecretNames() []string {
	var names []string
	for _, s := range w.Steps {
		var texts []string
		if s.HTTP != nil {
			texts = append(texts, s.HTTP.Body)
			for _, h := range s.HTTP.Headers {
				texts = append(texts, h.Value)
			}
		}
		if s.Exec != nil {
			for _, e := range s.Exec.Env {
				texts = append(texts, e.Value)
			}
		}
		for _, text := range texts {
			names = append(names, secretsIn(text)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// secretsIn lists the quoted names text passes to SecretFunc.
func secretsIn(text string) []string {
	t, err := template.New("").Funcs(withSecrets).Parse(text)
	if err != nil || t.Tree == nil {
		return nil
	}
	var names []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			if len(n.Args) == 2 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == SecretFunc {
					if s, ok := n.Args[1].(*parse.StringNode); ok {
						names = append(names, s.Text)
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(t.Tree.Root)
	return names
}
