package model

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Secrets are the secret values supplied with an apply, looked up by a SecretRef: first in
// the secrets read from a file, then in the environment variable EnvName(name, key).
type Secrets struct {
	values map[string]map[string]string // secret name → key → value
	getenv func(string) string
}

// NewSecrets returns the secrets of values (may be nil), falling back on getenv (may be nil).
func NewSecrets(values map[string]map[string]string, getenv func(string) string) Secrets {
	return Secrets{values: values, getenv: getenv}
}

func (s Secrets) lookup(name, key string) (string, bool) {
	if v, ok := s.values[name][key]; ok && v != "" {
		return v, true
	}
	if s.getenv != nil {
		if v := s.getenv(EnvName(name, key)); v != "" {
			return v, true
		}
	}
	return "", false
}

// EnvName is the environment variable a secret reference may be supplied in:
// LADDER_SECRET_<NAME>_<KEY>, upper case, with every character but letters and digits as _.
func EnvName(name, key string) string {
	up := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
				return r
			}
			return '_'
		}, s)
	}
	return "LADDER_SECRET_" + up(name) + "_" + up(key)
}

// secretDoc is one document of a secrets file, shaped like a Kubernetes Secret.
type secretDoc struct {
	APIVersion string                `yaml:"apiVersion"`
	Kind       string                `yaml:"kind"`
	Metadata   struct{ Name string } `yaml:"metadata"`
	StringData map[string]string     `yaml:"stringData"`
	Data       map[string]string     `yaml:"data"` // base64
}

// ReadSecrets reads a secrets file: YAML documents shaped like Kubernetes Secrets
// (apiVersion v1, kind Secret, metadata.name, and stringData in plain text or data in base64).
// Errors name the document, never a value.
func ReadSecrets(r io.Reader) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	dec := yaml.NewDecoder(r)
	for i := 1; ; i++ {
		var d secretDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("secrets document %d: not a Secret (apiVersion v1, kind Secret, metadata.name, stringData)", i)
		}
		if d.Kind == "" && d.Metadata.Name == "" {
			i--
			continue // an empty document
		}
		if d.Kind != "Secret" || d.Metadata.Name == "" {
			return nil, fmt.Errorf("secrets document %d: needs kind Secret and metadata.name", i)
		}
		vals := out[d.Metadata.Name]
		if vals == nil {
			vals = map[string]string{}
			out[d.Metadata.Name] = vals
		}
		for k, v := range d.Data {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("secrets document %d (%s) data.%s: not base64", i, d.Metadata.Name, k)
			}
			vals[k] = string(b)
		}
		for k, v := range d.StringData {
			vals[k] = v
		}
	}
}
