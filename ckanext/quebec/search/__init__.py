"""quebec_search: a PostgreSQL search backend for CKAN, in place of Solr."""
