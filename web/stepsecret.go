package web

import (
	"net/http"
	"time"

	"ladder/internal/stepsecret"
	"ladder/views"
)

func stepSecretPages(svc *stepsecret.Service) sealedPages[stepsecret.Secret, stepsecret.Input] {
	return sealedPages[stepsecret.Secret, stepsecret.Input]{svc: svc, kind: views.StepSecretKind, nav: "secrets", item: views.StepSecretItem,
		blank: func() views.SealedForm {
			return views.StepSecretForm(views.StepSecretKind.URL, views.StepSecretValues{}, false)
		},
		edit: func(s stepsecret.Secret) views.SealedForm {
			return views.StepSecretForm(views.StepSecretKind.URL+"/"+s.Name, views.StepSecretStored(s), true)
		},
		read: func(r *http.Request, action string, old *stepsecret.Secret) (views.SealedForm, stepsecret.Input) {
			v := views.StepSecretValues{Name: r.FormValue("name"), Description: r.FormValue("description")}
			return views.StepSecretForm(action, v, old != nil), stepsecret.Input{Name: v.Name, Description: v.Description,
				Value: r.FormValue("value")}
		}}
}

// stepSecretJSON is a workflow secret as the API shows it: never its value.
type stepSecretJSON struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt" openapi:"readOnly"`
	UpdatedAt   time.Time `json:"updatedAt" openapi:"readOnly"`
}

// stepSecretInputJSON is what an admin sends to create or change a workflow secret. An empty
// value on update keeps the stored one.
type stepSecretInputJSON struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Value       string `json:"value,omitempty"`
}

func stepSecretOut(s stepsecret.Secret) stepSecretJSON {
	return stepSecretJSON{s.Name, s.Description, s.CreatedAt, s.UpdatedAt}
}

func (b stepSecretInputJSON) input() stepsecret.Input {
	return stepsecret.Input{Name: b.Name, Description: b.Description, Value: b.Value}
}
