"""E-mails telling a suggestion's submitter and voters that its status changed, sent by a background job.

The job reads the suggestion when it runs (queued again if its worker dies,
like every job of the suite), writes one message in French then English,
and sends it through CKAN's mailer to each account with an e-mail address
that did not opt out (``quebec_participation_optout``). The text is plain:
the titles are the citizens' own words and are never sent as HTML.
"""
from __future__ import annotations

import gettext
import logging

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

from ckanext.quebec import jobs as queue_policy, resources
from ckanext.quebec.schema import bilingual, vocabularies

from . import config, store
from .views import SUGGESTION_PATH

log = logging.getLogger(__name__)


def enqueue(suggestion_id: str) -> None:
    """Queue the e-mails of a status change just committed (nothing when notifications are off)."""
    if not config.notify():
        return
    try:
        tk.enqueue_job(send_status_mails, [suggestion_id, _link(suggestion_id)],
                       title=f"quebec_participation {suggestion_id}", rq_kwargs=queue_policy.rq_kwargs(300))
    except Exception:  # the change is committed: a Redis outage must not turn it into an error
        log.exception("quebec_participation: could not queue the e-mails of %s", suggestion_id)


def _link(suggestion_id: str) -> str:
    """The suggestion page's address, built where the web app's routes are known (the job's process may
    run another app); outside a request, from ``ckan.site_url``."""
    try:
        return tk.url_for("quebec_participation.read", id=suggestion_id, _external=True)
    except Exception:  # no request or app to build it in (an action called from the CLI)
        return tk.config.get("ckan.site_url", "").rstrip("/") + SUGGESTION_PATH.format(id=suggestion_id)


def recipients(suggestion: dict) -> list[model.User]:
    """The submitter and the voters with an e-mail address who did not opt out, once each."""
    user_ids = list(dict.fromkeys([suggestion["user_id"], *store.voters(suggestion["id"])]))
    opted_out = store.opted_out(user_ids)
    users = [model.User.get(user_id) for user_id in user_ids if user_id not in opted_out]
    return [user for user in users if user is not None and user.state == "active" and user.email]


def _catalogue(language: str) -> gettext.NullTranslations:
    # The suite's compiled catalogue, read directly: a job has no request to take a locale from.
    return gettext.translation(resources.TRANSLATION_DOMAIN, resources.i18n_directory(), [language],
                               fallback=True)


def message(suggestion: dict, link: str) -> tuple[str, str]:
    """The subject and body, in French then English."""
    parts, subjects = [], []
    for language in vocabularies.LANGUAGES:
        _ = _catalogue(language).gettext
        title = suggestion["title"].get(language) or bilingual.default_text(suggestion["title"])
        status = vocabularies.label("suggestion_statuses", suggestion["status"], language)
        subjects.append(_("Your data suggestion is now: {status}").format(status=status))
        parts.append(_(
            "The suggestion \u201c{title}\u201d is now: {status}.\n\nSee it and its answer: {link}\n\n"
            "To stop these e-mails, use the link \u201cStop the e-mails\u201d on that page.").format(
            title=title, status=status, link=link))
    return " / ".join(subjects), "\n\n-----\n\n".join(parts)


def send_status_mails(suggestion_id: str, link: str) -> int:
    """Send the e-mails of a suggestion's current status; returns how many were sent."""
    suggestion = store.get(suggestion_id)
    if suggestion is None or suggestion["hidden_reason"]:
        return 0
    subject, body = message(suggestion, link)
    sent = 0
    for user in recipients(suggestion):
        try:
            mailer.mail_user(user, subject, body)
            sent += 1
        except mailer.MailerException:
            log.exception("quebec_participation: could not e-mail %s", user.name)
    return sent
