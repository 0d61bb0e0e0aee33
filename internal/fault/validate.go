package fault

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"
)

// NamePattern is the DNS-label rule every entity name follows.
var NamePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// NameRule describes NamePattern in words, for error messages.
const NameRule = "use lowercase letters, digits and dashes (1–63 characters), starting and ending with a letter or digit"

var tagPattern = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._/-]*)(=[A-Za-z0-9._/:-]*)?$`)

// Validator checks structs against their `validate` tags and reports problems by the field's
// `form` name. It knows Ladder's own rules: `dnslabel` for entity names and `tag` for tags.
type Validator struct{ v *validator.Validate }

// NewValidator returns a Validator with Ladder's rules registered.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name != "" && name != "-" {
			return name
		}
		return f.Name
	})
	_ = v.RegisterValidation("dnslabel", func(fl validator.FieldLevel) bool {
		return NamePattern.MatchString(fl.Field().String())
	})
	_ = v.RegisterValidation("tag", func(fl validator.FieldLevel) bool {
		return tagPattern.MatchString(fl.Field().String())
	})
	return &Validator{v: v}
}

// Struct validates s and returns its problems as FieldErrors (empty when s is valid).
func (val *Validator) Struct(s any) FieldErrors {
	fe := FieldErrors{}
	err := val.v.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			fe.Add("_", err.Error())
		}
		return fe
	}
	for _, e := range verrs {
		field := e.Field()
		if i := strings.IndexByte(field, '['); i > 0 {
			field = field[:i] // a list element's error belongs to the list's field
		}
		fe.Add(field, message(e))
	}
	return fe
}

func message(e validator.FieldError) string {
	switch e.Tag() {
	case "required":
		return "is required"
	case "dnslabel":
		return NameRule
	case "tag":
		return fmt.Sprintf("%q is not a tag: use key=value or a plain word", e.Value())
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(e.Param(), " ", ", ")
	case "max":
		return "is too long (at most " + e.Param() + " characters)"
	case "url", "http_url":
		return "must be a valid URL"
	default:
		return "is not valid (" + e.Tag() + ")"
	}
}
