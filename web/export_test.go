package web

import "log/slog"

// RouteAccess is one route's pattern and the name of its access level.
type RouteAccess struct{ Pattern, Access string }

// Routes lists every route of the routing table, for the authorization tests.
func Routes() []RouteAccess {
	var out []RouteAccess
	for _, rt := range routes(slog.New(slog.DiscardHandler), Services{}) {
		out = append(out, RouteAccess{rt.pattern, rt.access.String()})
	}
	return out
}

// Coalesce is how long a page's rendering may serve after someone else's write.
const Coalesce = coalesce
