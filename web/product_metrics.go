package web

import (
	"net/http"

	"ladder/internal/delivery"
	"ladder/internal/environment"
	"ladder/internal/product"
	"ladder/views"
)

// showProductMetrics draws a product's delivery metrics.
func showProductMetrics(products *product.Service, envs *environment.Service, metrics *delivery.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := products.Get(r.Context(), r.PathValue("name"))
		if err != nil {
			return err
		}
		prod, err := productionEnvironments(r, envs)
		if err != nil {
			return err
		}
		m, err := metrics.Metrics(r.Context(), p.Name, prod)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.MetricsPage(layout(r, p.Name+" metrics", "products"), p.Name, m))
	}
}
