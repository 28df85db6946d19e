"""The e-mails of a status change: queued as a job, run by a real RQ worker, sent to a local SMTP server,
to the submitter and the voters in French then English, never to those who opted out."""
from __future__ import annotations

import email
import socketserver
import threading

import pytest

from ckan.tests import factories, helpers

from .conftest import PLUGINS, a_suggestion

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckan.plugins", PLUGINS)]


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message received is kept whole."""

    def handle(self):
        self.wfile.write(b"220 localhost ESMTP\r\n")
        recipients = []
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif command.startswith(b"RCPT"):
                recipients.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                self.wfile.write(b"250 OK\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append((recipients, email.message_from_bytes(data)))
                recipients = []
                self.wfile.write(b"250 OK\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{server.server_address[1]}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "portail@example.qc.ca")
    yield server
    server.shutdown()
    server.server_close()


def _run_jobs() -> None:
    from ckan.lib.jobs import Worker

    Worker(["default"]).work(burst=True)


def test_a_status_change_tells_the_submitter_and_voters_who_did_not_opt_out(people, smtp_server):
    from ckan.lib import jobs

    jobs.get_queue().empty()
    submitter = factories.User(email="soumis@example.org")
    voter = factories.User(email="votant@example.org")
    quiet = factories.User(email="silence@example.org")
    suggestion = a_suggestion(submitter, owner_org=people["org"]["id"],
                              title={"fr": "Arbres publics", "en": "Public trees"})
    for user in (voter, quiet):
        helpers.call_action("quebec_suggestion_vote", {"user": user["name"]}, id=suggestion["id"])
    helpers.call_action("quebec_participation_optout", {"user": quiet["name"]}, opted_out=True)
    helpers.call_action("quebec_suggestion_update_status", {"user": people["editor"]["name"]},
                        id=suggestion["id"], status="forwarded")
    _run_jobs()
    assert sorted(r for recipients, _message in smtp_server.messages for r in recipients) == [
        "soumis@example.org", "votant@example.org"]
    message = smtp_server.messages[0][1]
    body = message.get_payload(decode=True).decode("utf-8")
    assert "« Arbres publics » est maintenant : Transmise" in body
    assert "\u201cPublic trees\u201d is now: Forwarded" in body
    assert f"/suggestions/{suggestion['id']}" in body


@pytest.mark.ckan_config("ckanext.quebec.participation.notify", "false")
def test_no_job_when_notifications_are_off(people):
    from ckan.lib import jobs

    jobs.get_queue().empty()
    suggestion = a_suggestion(people["outsider"], owner_org=people["org"]["id"])
    helpers.call_action("quebec_suggestion_update_status", {"user": people["editor"]["name"]},
                        id=suggestion["id"], status="forwarded")
    assert jobs.get_queue().count == 0


def test_a_submitter_who_opted_out_gets_no_mail(people, smtp_server):
    from ckan.lib import jobs

    jobs.get_queue().empty()
    submitter = factories.User(email="soumis@example.org")
    voter = factories.User(email="votant@example.org")
    suggestion = a_suggestion(submitter, owner_org=people["org"]["id"])
    helpers.call_action("quebec_suggestion_vote", {"user": voter["name"]}, id=suggestion["id"])
    helpers.call_action("quebec_participation_optout", {"user": submitter["name"]}, opted_out=True)
    helpers.call_action("quebec_suggestion_update_status", {"user": people["editor"]["name"]},
                        id=suggestion["id"], status="forwarded")
    _run_jobs()
    assert [recipients for recipients, _message in smtp_server.messages] == [["votant@example.org"]]
