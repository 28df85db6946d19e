"""Packaging of ckanext-quebec.

Every pinned dependency of the suite lives here and nowhere else. CKAN itself is
chosen through an extra (``ckan-2.12`` or ``ckan-2.11``) so that one variable,
``CKAN_VERSION`` in scripts/portal, selects the CKAN the suite runs on.
"""
import os

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

CKAN_PINS = {
    "2.12": "ckan[requirements]==2.12.0",
    "2.11": "ckan[requirements]==2.11.6",
}

# The top-level schemas/ and i18n/ folders are part of the product's layout;
# they ship inside the package as ckanext.quebec.schemas and ckanext.quebec.i18n.
DATA_PACKAGES = {
    "ckanext.quebec.schemas": "schemas",
    "ckanext.quebec.i18n": "i18n",
}



class BuildWithCatalogues(build_py):
    """Compile the .po catalogues into the build, so every wheel has its .mo files."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target = os.path.join(self.build_lib, *"ckanext.quebec.i18n".split("."))
        for language in sorted(os.listdir("i18n")):
            source = os.path.join("i18n", language, "LC_MESSAGES", "ckanext-quebec.po")
            if not os.path.isfile(source):
                continue
            with open(source, "rb") as po_file:
                catalogue = read_po(po_file, locale=language)
            mo_path = os.path.join(target, language, "LC_MESSAGES", "ckanext-quebec.mo")
            os.makedirs(os.path.dirname(mo_path), exist_ok=True)
            with open(mo_path, "wb") as mo_file:
                write_mo(mo_file, catalogue)


setup(
    name="ckanext-quebec",
    cmdclass={"build_py": BuildWithCatalogues},
    version="0.1.0",
    description="CKAN plugins for the Données Québec open data portal",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.quebec", "ckanext.quebec.*"])
    + list(DATA_PACKAGES),
    package_dir=DATA_PACKAGES,
    include_package_data=False,
    package_data={
        "ckanext.quebec": [
            "*/config_declaration.yaml",
            "*/templates/**/*.html",
            "*/assets/**/*",
            "*/public/**/*",
            "migration/*/*.ini",
            "migration/*/*.mako",
            "migration/*/README",
            "demo/data/*.yaml",
            "demo/data/files/*",
            "dcat/vocabularies/*.yaml",
            "partners/data/*.csv",
            "quality/data/*.yaml",
            "guides/content/*.md",
            "guides/content/*.yaml",
        ],
        "ckanext.quebec.schemas": ["*.yaml", "*.json", "*.csv", "vocabularies/*.yaml",
                                   "solr/*.xml", "solr/*.txt"],
        "ckanext.quebec.i18n": [
            "*.pot",
            "*/LC_MESSAGES/*.po",
            "*/LC_MESSAGES/*.mo",
        ],
    },
    zip_safe=False,
    install_requires=[
        "ckanext-scheming==3.1.0",
        "ckanext-dcat==2.4.4",
        # harvest sources, jobs and the gather/fetch queues (on CKAN's Redis)
        # for dcat_rdf_harvester and ckan_harvester (issue 25)
        "ckanext-harvest==1.6.3",
        "ckanext-spatial==2.3.2",
        "frictionless==5.21.0",
        "luqum==1.0.0",
        # quebec_search counts a search's facet values (search/numbered.py)
        "numpy==2.4.6",
        # quebec_quality and quebec_viz: DuckDB scans and types large CSV files
        # in bounded memory; openpyxl streams XLSX; shapely/pyproj check and
        # reproject geometries (EPSG:32198 -> EPSG:4326).
        "duckdb==1.5.6",
        "openpyxl==3.1.5",
        "shapely==2.1.2",
        "pyproj==3.7.2",
        # quebec_viz reads zipped Shapefiles (pure Python, no GDAL)
        "pyshp==2.3.1",
        # quebec_reuses checks uploaded images and resizes them
        "Pillow==12.3.0",
    ],
    extras_require={
        "ckan-2.12": [CKAN_PINS["2.12"]],
        "ckan-2.11": [CKAN_PINS["2.11"]],
        # scripts/portal serve: CKAN's WSGI app under a multi-process server
        "serve": ["gunicorn==27.0.1"],
        # CKAN's own dev extra brings pytest and the factories its pytest
        # plugin needs, at the versions that match the CKAN installed.
        "dev": [
            "ckan[dev]",
            "playwright==1.65.2",
            "pyshacl==0.40.1",
            "hypothesis==6.170.15",
        ],
    },
    entry_points={
        "ckan.plugins": [
            "quebec_search = ckanext.quebec.search.plugin:QuebecSearchPlugin",
            "quebec_schema = ckanext.quebec.schema.plugin:QuebecSchemaPlugin",
            "quebec_partners = ckanext.quebec.partners.plugin:QuebecPartnersPlugin",
            "quebec_dcat = ckanext.quebec.dcat.plugin:QuebecDcatPlugin",
            "quebec_quality = ckanext.quebec.quality.plugin:QuebecQualityPlugin",
            "quebec_viz = ckanext.quebec.viz.plugin:QuebecVizPlugin",
            "quebec_table_view = ckanext.quebec.viz.plugin:QuebecTableViewPlugin",
            "quebec_chart_view = ckanext.quebec.viz.plugin:QuebecChartViewPlugin",
            "quebec_map_view = ckanext.quebec.viz.plugin:QuebecMapViewPlugin",
            "quebec_theme = ckanext.quebec.theme.plugin:QuebecThemePlugin",
            "quebec_security = ckanext.quebec.security.plugin:QuebecSecurityPlugin",
            "quebec_guides = ckanext.quebec.guides.plugin:QuebecGuidesPlugin",
            "quebec_reuses = ckanext.quebec.reuses.plugin:QuebecReusesPlugin",
            "quebec_participation = ckanext.quebec.participation.plugin:QuebecParticipationPlugin",
            "quebec_harvest = ckanext.quebec.harvest.plugin:QuebecHarvestPlugin",
            "quebec_ckan_harvester = ckanext.quebec.harvest.ckan_harvester:QuebecCKANHarvester",
        ],
        "ckan.rdf.profiles": [
            "quebec_dcat_ap_3 = ckanext.quebec.dcat.profiles:QuebecDCATAP3Profile",
            "quebec_schemaorg = ckanext.quebec.dcat.profiles:QuebecSchemaOrgProfile",
        ],
    },
)
