package views

import (
	"fmt"
	"strings"

	"ladder/internal/environment"
	"ladder/internal/flow"
)

// Sizes of the flow graph, in SVG user units.
const (
	graphNodeW = 240
	graphNodeH = 52
	graphColW  = graphNodeW + 64
	graphRowH  = graphNodeH + 24
	graphPad   = 12
)

// Graph is a flow drawn left to right: one column per layer (longest path from the trigger
// environment), one node per environment, one edge per dependency.
type Graph struct {
	ID            string // unique on the page, for the title and arrow marker ids
	Title         string // the whole graph in words, for screen readers
	Width, Height int
	Nodes         []GraphNode
	Edges         []GraphEdge
}

// GraphNode is one environment in the graph. Status, when set, is a release status in lower
// case (running, failed …) shown in words and with its colour.
type GraphNode struct {
	Name       string
	Production bool
	Trigger    bool
	Status     string
	X, Y       int
}

// Kind is the node's second line: what the environment is, in words, so it is never shown
// by colour alone.
func (n GraphNode) Kind() string {
	parts := []string{"non-production"}
	if n.Production {
		parts[0] = "production"
	}
	if n.Trigger {
		parts = append([]string{"trigger"}, parts...)
	}
	if n.Status != "" {
		parts = append(parts, n.Status)
	}
	return strings.Join(parts, " · ")
}

// GraphEdge is a dependency: To waits for From. D is the SVG path.
type GraphEdge struct {
	From, To string
	D        string
}

// FlowGraph lays out f; envs gives each environment's kind (an environment missing from it
// is drawn as non-production).
func FlowGraph(f flow.Flow, envs []environment.Environment) Graph {
	prod := map[string]bool{}
	for _, e := range envs {
		prod[e.Name] = e.Production()
	}
	layers := f.Layers()
	rows := map[int]int{} // next free row per layer
	pos := map[string]GraphNode{}
	g := Graph{ID: "graph-" + f.Name}
	for _, name := range f.Environments() {
		if _, seen := pos[name]; seen {
			continue
		}
		l := layers[name]
		n := GraphNode{Name: name, Production: prod[name], Trigger: name == f.TriggerEnvironment,
			X: graphPad + l*graphColW, Y: graphPad + rows[l]*graphRowH}
		rows[l]++
		pos[name] = n
		g.Nodes = append(g.Nodes, n)
		g.Width = max(g.Width, n.X+graphNodeW+graphPad)
		g.Height = max(g.Height, n.Y+graphNodeH+graphPad)
	}
	var words []string
	for _, s := range f.Steps {
		to := pos[s.Environment]
		for _, d := range s.DependsOn {
			from, ok := pos[d]
			if !ok {
				continue
			}
			x1, y1 := from.X+graphNodeW, from.Y+graphNodeH/2
			x2, y2 := to.X-2, to.Y+graphNodeH/2
			mid := (x1 + x2) / 2
			g.Edges = append(g.Edges, GraphEdge{From: d, To: s.Environment,
				D: fmt.Sprintf("M%d %d C%d %d, %d %d, %d %d", x1, y1, mid, y1, mid, y2, x2, y2)})
		}
		w := fmt.Sprintf("%s (%s) after %s", s.Environment, to.Kind(), strings.Join(s.DependsOn, " and "))
		if soak := s.SoakOf(); soak.After != "" {
			w += " has run the version for " + soak.After
		}
		words = append(words, w)
	}
	g.Title = fmt.Sprintf("Flow %s from trigger environment %s: %s.", f.Name, f.TriggerEnvironment, strings.Join(words, "; "))
	return g
}
