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

// maxTag is the longest tag, key and value together.
const maxTag = 128

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
		tag := fl.Field().String()
		return len(tag) <= maxTag && tagPattern.MatchString(tag)
	})
	return &Validator{v: v}
}

// Struct validates s and returns its problems as FieldErrors (empty when s is valid). Besides
// the tags, no text field of s may hold a control character other than tab and line breaks, nor
// a bidirectional override or isolate (they make a name read differently from what it is).
func (val *Validator) Struct(s any) FieldErrors {
	fe := FieldErrors{}
	controls(reflect.ValueOf(s), "", fe)
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

// controls adds an error for each text field under v that holds a forbidden character, by its
// form name (or under name, for a field of a nested struct or list).
func controls(v reflect.Value, name string, fe FieldErrors) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if r, bad := forbiddenRune(v.String()); bad && fe[name] == "" {
			fe.Add(name, fmt.Sprintf("contains the invisible control character U+%04X", r))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			controls(v.Index(i), name, fe)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			controls(it.Key(), name, fe)
			controls(it.Value(), name, fe)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			field := name
			if field == "" {
				field = f.Name
				if form, _, _ := strings.Cut(f.Tag.Get("form"), ","); form != "" && form != "-" {
					field = form
				}
			}
			controls(v.Field(i), field, fe)
		}
	}
}

// forbiddenRune returns the first character of s that no text field may hold.
func forbiddenRune(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f:
			return r, true
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}

func message(e validator.FieldError) string {
	switch e.Tag() {
	case "required":
		return "is required"
	case "dnslabel":
		return NameRule
	case "tag":
		tag, _ := e.Value().(string)
		if len(tag) > maxTag {
			return fmt.Sprintf("a tag is too long (at most %d characters)", maxTag)
		}
		return fmt.Sprintf("%q is not a tag: use key=value or a plain word", tag)
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(e.Param(), " ", ", ")
	case "max":
		if e.Kind() == reflect.Slice {
			return "has too many entries (at most " + e.Param() + ")"
		}
		return "is too long (at most " + e.Param() + " characters)"
	case "url", "http_url":
		return "must be a valid URL"
	default:
		return "is not valid (" + e.Tag() + ")"
	}
}
