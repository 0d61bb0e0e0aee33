package web

import (
	"net/http"
	"time"

	"ladder/internal/fault"
	"ladder/internal/notify"
	"ladder/internal/product"
	"ladder/views"
)

// deliveriesShown is how many of the latest deliveries the notifications page lists.
const deliveriesShown = 50

func notificationsView(r *http.Request, n *notify.Service, products *product.Service, now func() time.Time, f views.NotificationForm) (views.NotificationsView, error) {
	channels, err := n.List(r.Context())
	if err != nil {
		return views.NotificationsView{}, err
	}
	deliveries, err := n.Deliveries(r.Context(), deliveriesShown)
	if err != nil {
		return views.NotificationsView{}, err
	}
	prods, err := products.List(r.Context())
	if err != nil {
		return views.NotificationsView{}, err
	}
	for _, p := range prods {
		f.Products = append(f.Products, p.Name)
	}
	return views.NotificationsView{Channels: channels, Deliveries: deliveries, Form: f, Now: now(), CanAdmin: canAdmin(r)}, nil
}

func listNotifications(n *notify.Service, products *product.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := notificationsView(r, n, products, now, views.NotificationForm{Kind: notify.KindWebhook})
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.NotificationsPage(layout(r, "Notifications", "notifications"), v))
	}
}

func createNotification(n *notify.Service, products *product.Service, now func() time.Time) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := views.NotificationForm{Name: r.FormValue("name"), Kind: r.FormValue("kind"), URL: r.FormValue("url"), Product: r.FormValue("product")}
		_, err := n.Create(r.Context(), notify.Input{Name: f.Name, Kind: f.Kind, URL: f.URL, Product: f.Product})
		if fe, ok := fault.Fields(err); ok {
			v, verr := notificationsView(r, n, products, now, f)
			if verr != nil {
				return verr
			}
			v.Form.Errors = fe
			return render(w, r, http.StatusUnprocessableEntity, views.NotificationFormCard(v.Form))
		}
		if err != nil {
			return err
		}
		return redirect(w, r, "/settings/notifications")
	}
}

func deleteNotification(n *notify.Service) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := n.Delete(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		return redirect(w, r, "/settings/notifications")
	}
}
