"""DCAT-AP 3 feeds of the portal (quebec_dcat): the RDF profile and its plugin."""
