"""The suite's translation catalogues (fr, en), shipped as data."""
