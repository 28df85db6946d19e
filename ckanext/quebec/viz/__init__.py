"""quebec_viz: table, chart and map previews of resources, from extracts built by a background job."""
