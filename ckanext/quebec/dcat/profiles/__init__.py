"""The portal's RDF profiles, by subject, as ckanext-dcat splits its own (``ckanext.dcat.profiles``).

- ``dcat_ap_3``: ``quebec_dcat_ap_3``, composed of the subjects below;
- ``dataset``: the dataset's own fields; ``distribution``: its distributions;
- ``publisher`` and ``partners``: the partner as publisher, read once per page;
- ``dqv``: quality measurements and certificates; ``spatial``: territories and extent;
- ``related``: the guides and reuses of the datasets, read once per page;
- ``schemaorg``: ``quebec_schemaorg``, the pages' structured data;
- ``base``: languages, vocabularies and translated literals they share.

The entry points (setup.py) and the names other modules use are exported here.
"""
from .base import LANGUAGES, eu_theme_labels
from .dataset import PUBLIC_ACCESS_RIGHTS
from .dcat_ap_3 import CATALOG_LANGUAGES, QuebecDCATAP3Profile
from .distribution import DATA_DICTIONARY_TITLE, file_type
from .dqv import CERTIFIED_BODY
from .partners import partner, partners_of
from .publisher import OPEN_DATA_POLICY_TITLE, SPONSOR_CONTACT_TYPE
from .related import related_of
from .schemaorg import QuebecSchemaOrgProfile

__all__ = [
    "CATALOG_LANGUAGES", "CERTIFIED_BODY", "DATA_DICTIONARY_TITLE", "LANGUAGES",
    "OPEN_DATA_POLICY_TITLE", "PUBLIC_ACCESS_RIGHTS", "SPONSOR_CONTACT_TYPE",
    "QuebecDCATAP3Profile", "QuebecSchemaOrgProfile", "eu_theme_labels", "file_type",
    "partner", "partners_of", "related_of",
]
