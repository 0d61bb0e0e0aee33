package gitops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Template is a product's promotion template: where its version is read and
// which values a promotion copies. With no entries, promotions copy whole
// files.
type Template struct {
	VersionSource VersionSource `json:"versionSource"`
	Entries       []Entry       `json:"promotion"`
}

// VersionSource names the file and JSONPath holding a product's version.
type VersionSource struct {
	File     string `json:"file"`
	JSONPath string `json:"jsonPath"`
}

// Entry names the values promoted in one file (or every file matching a
// glob, relative to the application path).
type Entry struct {
	File      string   `json:"file"`
	JSONPaths []string `json:"jsonPaths"`
}

// Values are what a promotion writes: the values read per file (relative to
// the application path), or, in whole-file mode, the files' contents.
type Values struct {
	Paths map[string][]Located `json:"paths,omitempty"`
	Files map[string][]byte    `json:"files,omitempty"`
}

// UnmarshalJSON decodes Values stored as JSON, keeping numbers as
// json.Number so that 1.10 stays 1.10.
func (v *Values) UnmarshalJSON(data []byte) error {
	type plain Values
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode((*plain)(v))
}

// ReadVersion returns the version named by vs in fsys (the application
// directory), as text.
func ReadVersion(fsys fs.FS, vs VersionSource) (string, error) {
	data, err := readFile(fsys, vs.File)
	if err != nil {
		return "", err
	}
	found, err := Select(vs.File, data, vs.JSONPath)
	if err != nil {
		return "", err
	}
	switch v := found[0].Value.(type) {
	case string:
		return v, nil
	case json.Number:
		return string(v), nil
	case nil:
		return "", nil
	case bool:
		return fmt.Sprint(v), nil
	}
	return jsonText(found[0].Value), nil
}

// ReadValues reads the values a template promotes from fsys (the source
// application directory). Every path must match in every file an entry
// names, and a glob must match at least one file, else the error wraps
// ErrPathNotFound or ErrFileNotFound.
func ReadValues(fsys fs.FS, t Template) (Values, error) {
	if len(t.Entries) == 0 {
		files, err := readAll(fsys)
		return Values{Files: files}, err
	}
	vals := Values{Paths: map[string][]Located{}}
	for _, e := range t.Entries {
		names, err := matchFiles(fsys, e.File)
		if err != nil {
			return Values{}, err
		}
		for _, name := range names {
			data, err := readFile(fsys, name)
			if err != nil {
				return Values{}, err
			}
			docs, err := decodeDocs(name, data)
			if err != nil {
				return Values{}, err
			}
			for _, q := range e.JSONPaths {
				found, err := selectValues(name, docs, q)
				if err != nil {
					return Values{}, err
				}
				vals.Paths[name] = append(vals.Paths[name], found...)
			}
		}
	}
	return vals, nil
}

// ApplyValues writes values into the files of target (the target
// application directory) and returns the new content of the files that
// changed, by path relative to the application directory. A file the
// values name that the target lacks is an ErrFileNotFound error (in
// whole-file mode it is created instead); files only in the target are
// kept.
func ApplyValues(target fs.FS, v Values) (map[string][]byte, error) {
	changed := map[string][]byte{}
	for name, data := range v.Files {
		old, err := fs.ReadFile(target, name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err != nil || !bytes.Equal(old, data) {
			changed[name] = data
		}
	}
	for name, list := range v.Paths {
		old, err := readFile(target, name)
		if err != nil {
			return nil, err
		}
		data := old
		for _, l := range list {
			if data, err = SetValue(name, data, l.Doc, l.Path, l.Value); err != nil {
				return nil, err
			}
		}
		if !bytes.Equal(old, data) {
			changed[name] = data
		}
	}
	return changed, nil
}

// readFile reads a file, turning a missing file into ErrFileNotFound.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", name, ErrFileNotFound)
	}
	return data, err
}

// matchFiles expands an entry's file name, which may be a glob.
func matchFiles(fsys fs.FS, pattern string) ([]string, error) {
	pattern = strings.TrimPrefix(pattern, "./")
	if !strings.ContainsAny(pattern, "*?[\\") {
		return []string{pattern}, nil
	}
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pattern, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no file matches: %w", pattern, ErrFileNotFound)
	}
	slices.Sort(names)
	return names, nil
}

// readAll reads every file under the root of fsys.
func readAll(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		files[p] = data
		return err
	})
	return files, err
}
