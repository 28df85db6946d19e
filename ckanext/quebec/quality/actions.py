"""API actions of the quebec_quality plugin: run and read the checks, grant and withdraw the reference badge."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from . import jobs, reference, runner, store, validators

__all__ = ["quebec_quality_run", "quebec_quality_show", "quebec_quality_reference_grant",
           "quebec_quality_reference_withdraw"]


def quebec_quality_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check a dataset now: validate its data files, check its links, score its metadata.

    :param id: the dataset's id or name
    :type id: string
    :param resource_id: check only this resource (optional)
    :type resource_id: string
    :param force: check again even what did not change (optional, default
        false); a file recorded as timed out is checked again only once it
        changes or the time limit is raised
    :type force: bool
    :param background: enqueue a background job instead of checking during
        the request (optional, default true); a check during the request
        whose files take longer than ``ckanext.quebec.quality.sync_time_limit``
        seconds is stopped, records nothing and is refused (ValidationError)
    :type background: bool

    :returns: ``{"job_id": ...}`` when enqueued, else the dataset's
        ``quebec_quality`` summary
    :rtype: dictionary
    """
    data = _checked("quebec_quality_run", _run_schema(), context, data_dict)
    dataset = _dataset(context, data["id"])
    resource_ids = None
    if data.get("resource_id"):
        if data["resource_id"] not in {r["id"] for r in dataset.get("resources") or []}:
            raise tk.ValidationError({"resource_id": [tk._("This resource is not in the dataset")]})
        resource_ids = [data["resource_id"]]
    if data.get("background", True):
        job = jobs.enqueue(dataset["id"], resource_ids, force=data.get("force", False))
        return {"job_id": job.id}
    try:
        return runner.run(dataset["id"], resource_ids, force=data.get("force", False), waiting=True)
    except runner.TooLong as error:
        raise tk.ValidationError({"background": [tk._(
            "The check takes longer than %(seconds)s seconds: run it in the background (background: true)")
            % {"seconds": int(error.seconds)}]})


@tk.side_effect_free
def quebec_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The quality of a dataset: score, level, dimensions, every check with its hint, validation reports.

    Messages and hints are given in French and in English (``{"fr": ..., "en": ...}``).

    :param id: the dataset's id or name
    :type id: string
    :param history: add the earlier results and the badge's grants and
        withdrawals (optional, default false)
    :type history: bool

    :returns: ``score``, ``max_score``, ``level``, ``dimensions``,
        ``validation``, ``reference``, ``computed`` (as in package_show's
        ``quebec_quality``), plus ``checks``, ``criteria`` (the seven
        reference criteria) and ``resources`` (each with its ``validation``
        report and ``link`` check); null values when never computed
    :rtype: dictionary
    """
    data = _checked("quebec_quality_show", _show_schema(), context, data_dict)
    dataset = _dataset(context, data["id"])
    return runner.detailed(dataset["id"], dataset, history=data.get("history", False))


def quebec_quality_reference_grant(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Designate a dataset as reference open data ("Donnée de référence"). Sysadmins only.

    Refused while the dataset fails one of the seven reference criteria (on
    its latest recorded checks): the error names each failing criterion.

    :param id: the dataset's id or name
    :type id: string
    :param mandate: the reference of the dissemination mandate
    :type mandate: string
    :param date: the mandate's date, YYYY-MM-DD
    :type date: string

    :returns: the designation: ``{"granted": true, "mandate": ..., "date": ...}``
    :rtype: dictionary
    """
    data = _checked("quebec_quality_reference_grant", _grant_schema(), context, data_dict)
    dataset = _dataset(context, data["id"])
    current = store.current_dataset(dataset["id"])
    if current is None:
        raise tk.ValidationError({"criteria": [tk._("The dataset's quality has not been checked yet")]})
    criteria = reference.evaluate(current["result"], store.current_checks(dataset["id"]),
                                  dataset.get("resources") or [])
    failing = reference.failing(criteria)
    if failing:
        raise tk.ValidationError({"criteria": [_criterion_message(criterion) for criterion in failing]})
    store.record_reference(dataset["id"], True, data["mandate"], data["date"], _user_id(context))
    store.commit()
    runner._reindex(dataset["id"])
    return store.current_reference(dataset["id"])


def quebec_quality_reference_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a dataset's reference designation. Sysadmins only.

    :param id: the dataset's id or name
    :type id: string
    :param mandate: the reference of the decision (optional)
    :type mandate: string
    :param date: the withdrawal's date, YYYY-MM-DD (optional, default today)
    :type date: string

    :returns: ``{"granted": false}``
    :rtype: dictionary
    """
    data = _checked("quebec_quality_reference_withdraw", _withdraw_schema(), context, data_dict)
    dataset = _dataset(context, data["id"])
    if store.current_reference(dataset["id"]) is None:
        raise tk.ValidationError({"id": [tk._("This dataset is not designated as reference data")]})
    store.record_reference(dataset["id"], False, data.get("mandate"),
                           data.get("date") or datetime.date.today(), _user_id(context))
    store.commit()
    runner._reindex(dataset["id"])
    return {"granted": False}


def _criterion_message(criterion: dict) -> str:
    label, requirement = criterion["label"], criterion["requirement"]  # msgids of reference.CRITERIA
    return tk._("Criterion not met: %(criterion)s. %(requirement)s") % {
        "criterion": tk._(label), "requirement": tk._(requirement)}


def get_actions() -> dict:
    return {name: globals()[name] for name in __all__}



def _checked(action: str, schema: Schema, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The request of ``action`` once allowed (its auth function) and valid (``schema``)."""
    tk.check_access(action, context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data

def _dataset(context: Context, id_or_name: str) -> dict:
    return tk.get_action("package_show")(
        {"ignore_auth": True, "user": context.get("user"), "use_cache": False}, {"id": id_or_name})


def _user_id(context: Context):
    user = context.get("auth_user_obj")
    return getattr(user, "id", None) or context.get("user")


def _run_schema() -> Schema:
    ignore = tk.get_validator("ignore_missing")
    return {"id": [tk.get_validator("not_missing"), validators.dataset_reference],
            "resource_id": [tk.get_validator("ignore_empty"), validators.text(100)],
            "force": [ignore, validators.boolean], "background": [ignore, validators.boolean]}


def _show_schema() -> Schema:
    return {"id": [tk.get_validator("not_missing"), validators.dataset_reference],
            "history": [tk.get_validator("ignore_missing"), validators.boolean]}


def _grant_schema() -> Schema:
    missing = tk.get_validator("not_missing")
    return {"id": [missing, validators.dataset_reference], "mandate": [missing, validators.text(200)],
            "date": [missing, validators.iso_date]}


def _withdraw_schema() -> Schema:
    ignore = tk.get_validator("ignore_missing")
    return {"id": [tk.get_validator("not_missing"), validators.dataset_reference],
            "mandate": [ignore, validators.text(200)], "date": [ignore, validators.iso_date]}
