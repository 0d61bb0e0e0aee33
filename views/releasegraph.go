package views

import (
	"fmt"
	"strings"

	"ladder/internal/release"
)

// ReleaseGraph lays out the flow graph a release was started with, each node coloured and
// labelled with its environment's live status. production names the production environments.
func ReleaseGraph(r release.Release, production map[string]bool) Graph {
	layer := releaseLayers(r)
	rows := map[int]int{}
	pos := map[string]GraphNode{}
	g := Graph{ID: "graph-" + r.ID}
	for _, e := range r.Environments {
		l := layer[e.Name]
		n := GraphNode{Name: e.Name, Production: production[e.Name], Trigger: e.IsTrigger,
			Status: strings.ToLower(e.Status), X: graphPad + l*graphColW, Y: graphPad + rows[l]*graphRowH}
		rows[l]++
		pos[e.Name] = n
		g.Nodes = append(g.Nodes, n)
		g.Width = max(g.Width, n.X+graphNodeW+graphPad)
		g.Height = max(g.Height, n.Y+graphNodeH+graphPad)
	}
	var words []string
	for _, e := range r.Environments {
		to := pos[e.Name]
		for _, d := range e.DependsOn {
			from, ok := pos[d]
			if !ok {
				continue
			}
			g.Edges = append(g.Edges, GraphEdge{From: d, To: e.Name, D: edgePath(from, to)})
		}
		words = append(words, e.Name+" "+strings.ToLower(e.Status))
	}
	g.Title = fmt.Sprintf("Release %s #%d by environment: %s.", r.Product, r.Number, strings.Join(words, ", "))
	return g
}

// releaseLayers places each environment one column after the furthest environment it
// depends on.
func releaseLayers(r release.Release) map[string]int {
	deps := map[string][]string{}
	for _, e := range r.Environments {
		deps[e.Name] = e.DependsOn
	}
	layer := map[string]int{}
	var depth func(name string, seen int) int
	depth = func(name string, seen int) int {
		if l, ok := layer[name]; ok {
			return l
		}
		l := 0
		if seen <= len(deps) { // a stored graph is acyclic; the bound only guards against bad data
			for _, d := range deps[name] {
				if _, known := deps[d]; known {
					l = max(l, depth(d, seen+1)+1)
				}
			}
		}
		layer[name] = l
		return l
	}
	for _, e := range r.Environments {
		depth(e.Name, 0)
	}
	return layer
}

func edgePath(from, to GraphNode) string {
	x1, y1 := from.X+graphNodeW, from.Y+graphNodeH/2
	x2, y2 := to.X-2, to.Y+graphNodeH/2
	mid := (x1 + x2) / 2
	return fmt.Sprintf("M%d %d C%d %d, %d %d, %d %d", x1, y1, mid, y1, mid, y2, x2, y2)
}
