"""quebec_quality_run, _show and the reference badge actions: auth matrix, results, refusals."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .conftest import ROLES, user_with_role

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db"),
    pytest.mark.ckan_config("ckan.plugins", "quebec_search quebec_quality"),
    pytest.mark.ckan_config("ckanext.quebec.quality.background", "false"),
]

ALLOWED = {
    # (action, private): roles allowed
    ("quebec_quality_show", False): set(ROLES),
    ("quebec_quality_show", True): {"member", "editor", "admin", "sysadmin"},
    ("quebec_quality_run", False): {"editor", "admin", "sysadmin"},
    ("quebec_quality_run", True): {"editor", "admin", "sysadmin"},
    ("quebec_quality_reference_grant", False): {"sysadmin"},
    ("quebec_quality_reference_grant", True): {"sysadmin"},
    ("quebec_quality_reference_withdraw", False): {"sysadmin"},
    ("quebec_quality_reference_withdraw", True): {"sysadmin"},
}
PARAMS = {
    "quebec_quality_show": {},
    "quebec_quality_run": {"background": False},
    "quebec_quality_reference_grant": {"mandate": "MCN-2024-01", "date": "2024-03-01"},
    "quebec_quality_reference_withdraw": {},
}


@pytest.mark.parametrize("action", list(PARAMS))
def test_auth_matrix(action):
    """Every role on a public and a private dataset; the whole matrix is compared at once."""
    organization = factories.Organization()
    contexts = {role: user_with_role(role, organization) for role in ROLES}
    seen, expected = {}, {}
    for private in (False, True):
        dataset = factories.Dataset(owner_org=organization["id"], private=private)
        for role in ROLES:
            expected[(role, private)] = role in ALLOWED[(action, private)]
            try:
                helpers.call_action(action, dict(contexts[role]), id=dataset["id"], **PARAMS[action])
                seen[(role, private)] = True
            except helpers.logic.NotAuthorized:
                seen[(role, private)] = False
            except helpers.logic.ValidationError:
                # past the auth check, refused on its merits (criteria not met, nothing to withdraw)
                assert action.startswith("quebec_quality_reference")
                seen[(role, private)] = True
    assert seen == expected


class TestRunAndShow:
    def test_show_before_any_run(self):
        dataset = factories.Dataset()
        shown = helpers.call_action("quebec_quality_show", id=dataset["name"])
        assert (shown["score"], shown["level"], shown["validation"]) == (
            None, None, {"status": "not_checked", "errors": 0})
        assert helpers.call_action("package_show", id=dataset["id"])["quebec_quality"] is None

    def test_run_records_a_result_and_package_show_carries_it(self):
        dataset = factories.Dataset(notes="Description", license_id="cc-by", tags=[{"name": "velo"}])
        result = helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
        shown = helpers.call_action("package_show", id=dataset["id"])["quebec_quality"]
        assert set(shown) >= {"score", "max_score", "level", "dimensions", "validation", "reference", "computed"}
        assert shown["score"] == result["score"]
        assert shown["max_score"] == 405
        assert shown["level"] in ("excellent", "bon", "suffisant", "faible")
        assert set(shown["dimensions"]) == {"findability", "accessibility", "interoperability", "reusability",
                                            "contextuality", "quebec"}
        assert shown["dimensions"]["findability"] == {"score": 30, "max": 100}  # keywords only
        assert shown["validation"] == {"status": "not_checked", "errors": 0}
        assert shown["reference"] is None

    def test_show_gives_checks_with_french_and_english_hints_and_history(self):
        dataset = factories.Dataset()
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
        shown = helpers.call_action("quebec_quality_show", id=dataset["id"], history=True)
        keywords = next(c for c in shown["checks"] if c["name"] == "keywords")
        assert keywords["passed"] is False
        assert keywords["hint"]["en"] == "Add keywords that people would search for."
        assert set(keywords["hint"]) == {"fr", "en"}
        assert len(shown["history"]) == 2
        assert [c["name"] for c in shown["criteria"]] == [
            "identifiant_unique", "qualite", "integrite", "disponibilite", "interoperabilite", "metadonnees",
            "documentation"]

    @pytest.mark.parametrize("params, field", [
        ({}, "id"), ({"id": "x", "force": "maybe"}, "force"),
    ])
    def test_bad_parameters(self, params, field):
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_run", **params)
        assert field in error.value.error_dict

    def test_unknown_dataset(self):
        with pytest.raises(helpers.logic.NotFound):
            helpers.call_action("quebec_quality_show", id="no-such-dataset")

    def test_a_resource_of_another_dataset(self):
        dataset = factories.Dataset()
        other = factories.Resource()
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_run", id=dataset["id"], resource_id=other["id"], background=False)
        assert "resource_id" in error.value.error_dict


class TestReference:
    def test_refused_before_any_check(self):
        dataset = factories.Dataset()
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_reference_grant", id=dataset["id"], mandate="M-1", date="2024-01-01")
        assert error.value.error_dict["criteria"] == ["The dataset's quality has not been checked yet"]

    def test_refused_with_the_failing_criteria(self):
        dataset = factories.Dataset()
        helpers.call_action("quebec_quality_run", id=dataset["id"], background=False)
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_reference_grant", id=dataset["id"], mandate="M-1", date="2024-01-01")
        messages = error.value.error_dict["criteria"]
        assert len(messages) == 7
        assert messages[0].startswith("Criterion not met: Unique identifier.")
        assert helpers.call_action("package_show", id=dataset["id"])["quebec_quality"]["reference"] is None

    @pytest.mark.parametrize("params, field", [
        ({"mandate": "M-1"}, "date"), ({"date": "2024-01-01"}, "mandate"),
        ({"mandate": "M-1", "date": "01/02/2024"}, "date"), ({"mandate": "x" * 201, "date": "2024-01-01"}, "mandate"),
    ])
    def test_bad_parameters(self, params, field):
        dataset = factories.Dataset()
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_reference_grant", id=dataset["id"], **params)
        assert field in error.value.error_dict

    def test_withdrawing_what_was_never_granted(self):
        dataset = factories.Dataset()
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("quebec_quality_reference_withdraw", id=dataset["id"])
        assert error.value.error_dict == {"id": ["This dataset is not designated as reference data"]}
