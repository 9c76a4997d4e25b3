"""Exit codes and one-line error messages, the same for every `zhnews` command.

A person reads one line saying what failed and what to do; the traceback is for `--debug`.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from enum import IntEnum
from pathlib import Path
from typing import NoReturn

import typer

logger = logging.getLogger(__name__)


class ExitCode(IntEnum):
    """What a command's exit status means (README, CONTRACT.md)."""

    DONE = 0
    FAILED = 1  # an unexpected error
    USAGE = 2  # a bad flag or value, a missing input, an output that is not a writable directory
    LOCKED = 3  # another run holds the output's lock
    REJECTS = 4  # `run` finished, some inputs were rejected
    STORAGE = 5  # writing the output failed mid-run; committed batches are kept
    VIOLATIONS = 6  # `check` found violations


# Errors of the disk or file system rather than of zhnews: full, over quota, read-only, failing.
_STORAGE_ERRNOS = frozenset([errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO])
_PERMISSION_ERRNOS = frozenset([errno.EACCES, errno.EPERM])


class _Debug:
    """Whether `--debug` was given: then tracebacks are shown."""

    enabled = False


def set_debug(enabled: bool) -> None:
    """Show tracebacks (`--debug`) or one line per error."""
    _Debug.enabled = enabled


def fail(code: ExitCode, message: object) -> NoReturn:
    """Print `error: message` on one line to stderr and exit with `code`."""
    text = " ".join(str(message).split())
    typer.echo(f"error: {text}", err=True)
    raise typer.Exit(code)


def output_problem(output: Path) -> str | None:
    """Why `output` cannot be the output directory, or None when it can."""
    if output.exists() and not output.is_dir():
        return f"--output {output} is not a directory"
    existing = next(path for path in (output, *output.absolute().parents) if path.exists())
    if not existing.is_dir():
        return f"--output {output}: {existing} is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"--output {output}: {existing} is not writable"
    return None


def require_output(output: Path) -> None:
    """Exit 2 with one line unless `output` is a directory that zhnews wrote to (so that
    `check`, `compact`, `catalog` and `report` neither pass nor write on a mistyped path)."""
    from flows.store.commits import is_output

    if not output.is_dir():
        fail(ExitCode.USAGE, f"{output} is not a directory")
    if not is_output(output):
        fail(
            ExitCode.USAGE,
            f"{output} is not a zhnews output (no tables, no .zhnews/manifest.json): "
            "give the --output directory of a zhnews run",
        )


def is_storage_error(error: OSError, output: Path) -> bool:
    """True for a file-system failure (disk full, read-only, denied) while writing `output`."""
    if error.errno in _STORAGE_ERRNOS:
        return True
    if error.errno not in _PERMISSION_ERRNOS or error.filename is None:
        return False
    return Path(error.filename).absolute().is_relative_to(output.absolute())


def storage_message(error: OSError, output: Path) -> str:
    """One line naming what failed where, and that committed batches are kept."""
    where = error.filename or output
    return (
        f"writing {output} failed: {error.strerror or error} ({where}); batches committed "
        "before it are kept, and a rerun continues from them once the cause is fixed"
        + _notes(error)
    )


def one_line(error: BaseException) -> str:
    """`Type: message` on one line, as an unexpected error is reported (and a failed run's
    `runs.error` holds)."""
    message = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {message}"


def _notes(error: BaseException) -> str:
    """What was added to the error on its way (e.g. that a failed run's row was not written)."""
    return "".join(f"; {' '.join(note.split())}" for note in getattr(error, "__notes__", ()))


class _NoTracebacks(logging.Filter):
    """Drops log records that carry a traceback (Prefect logs a failed run's exception);
    the command reports the error in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _Debug.enabled or record.exc_info is None


def hide_logged_tracebacks() -> None:
    """Keep tracebacks out of the console handlers unless `--debug` (call after Prefect set
    up logging)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _NoTracebacks) for f in handler.filters):
            handler.addFilter(_NoTracebacks())


def run_app(app: typer.Typer) -> None:
    """Run a Typer app; a usage error (bad flag or value) is one line and exit 2, an
    unexpected exception one line and exit 1 (with `--debug`, the traceback)."""
    try:
        code = typer.main.get_command(app).main(standalone_mode=False)
    except typer.TyperException as error:  # Click's usage errors (Typer vendors Click)
        # A group named alone (`zhnews train`) raises it after Typer printed the group's help.
        if type(error).__name__ != "NoArgsIsHelpError":
            context = getattr(error, "ctx", None)
            hint = f" (see {context.command_path} --help)" if context is not None else ""
            typer.echo(f"error: {' '.join(error.format_message().split())}{hint}", err=True)
        sys.exit(getattr(error, "exit_code", ExitCode.USAGE))
    except Exception as error:  # the one place every unexpected error ends
        if _Debug.enabled:
            raise
        logger.debug("unexpected error", exc_info=True)
        typer.echo(
            f"error: {one_line(error)}{_notes(error)} (zhnews --debug shows the traceback)",
            err=True,
        )
        sys.exit(ExitCode.FAILED)
    # Without standalone mode Click returns the code of a `typer.Exit` (None when done).
    sys.exit(code if isinstance(code, int) else ExitCode.DONE)
