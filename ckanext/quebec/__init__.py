"""ckanext-quebec: CKAN plugins for the Données Québec open data portal."""
