"""The suite's metadata schemas and presets (scheming YAML), shipped as data."""
