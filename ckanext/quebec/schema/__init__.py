"""The quebec_schema plugin: the portal's metadata schema and its vocabularies."""
