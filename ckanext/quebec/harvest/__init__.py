"""quebec_harvest: the suite's rules for ckanext-harvest's DCAT harvester (inbound harvesting)."""
