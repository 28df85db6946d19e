"""One resource's download and validation in a child process, stopped at a deadline.

A file shaped to exhaust the validator (a million columns, a header of
thousands of equal labels) must not hold a web process or the only worker:
the child is killed when its time is up, and its temporary files (download,
DuckDB's spill) go with the folder it was given.
"""
from __future__ import annotations

import gc
import multiprocessing
import shutil
import tempfile
from typing import Any

from . import validation
from .validation import Options


def _(message: str) -> str:
    return message


class TimedOut(Exception):
    """The validation did not end within its time; the child is gone."""


def timed_out(resource: dict, seconds: float) -> dict:
    """The report of a file whose check outlasted ``seconds``: kept until the file changes."""
    reason = validation.TabularError(
        "timed-out", _("The check of this file took longer than %(seconds)s seconds: it is not checked "
                       "again until the file changes"), seconds=int(seconds))
    return validation.failed(reason, validation.kind_of(resource)).as_dict()


def validate(resource: dict, options: Options, seconds: float) -> dict:
    """``validation.validate_resource(resource, options).as_dict()``, computed by a forked child.

    A child that dies without answering (killed for its memory) gives an
    ``error`` report; a bug in the validator is raised here as it would have
    been in this process.

    :raises TimedOut: past ``seconds``
    """
    context = multiprocessing.get_context("fork")  # the child needs CKAN's config (upload paths), not a new start
    folder = tempfile.mkdtemp(prefix="quebec-quality-")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, resource, options, folder), daemon=True)
    try:
        _fork(child)
        sender.close()
        if not receiver.poll(max(0.0, seconds)):
            raise TimedOut()
        try:
            outcome, value = receiver.recv()
        except EOFError:
            child.join()
            return _stopped(resource, child.exitcode)
    finally:
        if child.is_alive():
            child.kill()
        if child.pid is not None:
            child.join()
        receiver.close()
        shutil.rmtree(folder, ignore_errors=True)
    if outcome == "failed":
        raise RuntimeError(f"the validation of resource {resource.get('id')} failed: {value}")
    return value


def _fork(child) -> None:
    """Start ``child`` with no collection of garbage between the fork and its freeze (see ``_child``)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        child.start()
    finally:
        if collecting:
            gc.enable()


def _child(sender, resource: dict, options: Options, folder: str) -> None:
    # The parent's other threads are gone here, and the sessions they held in
    # open transactions are garbage: freed by this process's collector, each
    # connection would be reset with a ROLLBACK on the socket the parent
    # shares, ending the parent's transaction on the server behind its back.
    # What the child inherited is never collected; what it makes is.
    gc.freeze()
    gc.enable()
    tempfile.tempdir = folder  # downloads and DuckDB's spill files, removed with the folder
    try:
        answer: tuple[str, Any] = ("report", validation.validate_resource(resource, options).as_dict())
    except BaseException as error:  # sent to the parent, which raises it
        answer = ("failed", f"{type(error).__name__}: {error}")
    sender.send(answer)
    sender.close()


def _stopped(resource: dict, exitcode) -> dict:
    reason = validation.TabularError(
        "stopped", _("The check of this file stopped before its end (exit status %(status)s)"), status=exitcode)
    return validation.failed(reason, validation.kind_of(resource)).as_dict()
