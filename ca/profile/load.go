package profile

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultsYAML returns the embedded default profiles (for `ca profiles`).
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

// Load returns the embedded defaults with the override file merged over them.
// An empty overridePath means the defaults alone.
//
// Merge rules: a profile named in the override that exists in the defaults is
// merged field by field (scalars replace, lists such as subject, tariffs or
// policies replace the whole list); a new name adds a profile. Unknown YAML
// fields are errors in both files.
func Load(overridePath string) (*Set, error) {
	var override []byte
	if overridePath != "" {
		b, err := os.ReadFile(overridePath)
		if err != nil {
			return nil, fmt.Errorf("profile: read override: %w", err)
		}
		override = b
	}
	return LoadBytes(override)
}

// LoadBytes is Load with the override given as bytes (nil: none).
func LoadBytes(override []byte) (*Set, error) {
	cfg, err := MergedConfig(override)
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// MergedConfig returns the exported configuration after the merge, before
// validation.
func MergedConfig(override []byte) (FileConfig, error) {
	var cfg FileConfig
	if err := decodeStrict(defaultsYAML, &cfg); err != nil {
		return FileConfig{}, fmt.Errorf("profile: embedded defaults: %w", err)
	}
	if len(bytes.TrimSpace(override)) == 0 {
		return cfg, nil
	}
	// First pass: the override's shape, strictly, with profiles kept as nodes.
	var doc struct {
		Profiles map[string]yaml.Node `yaml:"profiles"`
	}
	if err := decodeStrict(override, &doc); err != nil {
		return FileConfig{}, fmt.Errorf("profile: override: %w", err)
	}
	if cfg.Profiles == nil {
		cfg.Profiles = map[string]ProfileConfig{}
	}
	for name, node := range doc.Profiles {
		// Second pass: decode the node over a copy of the default profile.
		// yaml.v3 replaces only the fields present in the node.
		b, err := yaml.Marshal(&node)
		if err != nil {
			return FileConfig{}, fmt.Errorf("profile: override %q: %w", name, err)
		}
		pc := cfg.Profiles[name]
		if err := decodeStrict(b, &pc); err != nil {
			return FileConfig{}, fmt.Errorf("profile: override %q: %w", name, err)
		}
		cfg.Profiles[name] = pc
	}
	return cfg, nil
}

func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	// A second document in the same file is a mistake, not an addition.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("more than one YAML document")
	}
	return nil
}
