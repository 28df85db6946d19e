"""The quebec_harvest plugin: ckanext-dcat's dcat_rdf_harvester, with the suite's guards and mapping;
ckanext-harvest's sources kept whole in the index, its reports in their reader's language."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckanext.dcat.interfaces import IDCATRDFHarvester

from ckanext.quebec.translation import SuiteTranslation

from . import actions, auth, guards, mapping, report, sources


class QuebecHarvestPlugin(SuiteTranslation):
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IPackageController, inherit=True)
    p.implements(IDCATRDFHarvester, inherit=True)

    # IActions

    def get_actions(self) -> dict:
        return {**sources.get_actions(), **report.get_actions(),
                "quebec_dcat_import": actions.quebec_dcat_import}

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return auth.get_auth_functions()

    # IPackageController

    def after_dataset_show(self, context: dict, data_dict: dict) -> None:
        sources.add_pending_status(context, data_dict)

    # IDCATRDFHarvester

    def before_download(self, url: str, harvest_job: Any) -> tuple[str | None, list[str]]:
        return guards.before_download(url, harvest_job)

    def update_session(self, session: Any) -> Any:
        return guards.guarded_session(session)

    def after_download(self, content: str | None, harvest_job: Any) -> tuple[str | None, list[str]]:
        return guards.after_download(content)

    def after_parsing(self, rdf_parser: Any, harvest_job: Any) -> tuple[Any, list[str]]:
        return mapping.after_parsing(rdf_parser, harvest_job), []

    def before_create(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        mapping.before_create(harvest_object, dataset_dict)

    def before_update(self, harvest_object: Any, dataset_dict: dict, temp_dict: dict) -> None:
        mapping.before_update(harvest_object, dataset_dict)
