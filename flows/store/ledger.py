"""Which input files a run can skip: a fingerprint (path, size, mtime) per file already read.

The ledger lives beside the tables as `OUTPUT/.zhnews-inputs.json` and is replaced atomically
after a run's tables are committed. A file whose fingerprint is new or changed is read again,
and its documents are then skipped one by one by (doc_id, source, record_id): so a crash
between the tables and the ledger costs a re-read, never a duplicate row. A file that gave
rejects is also read again when the input settings differ from those that rejected it (a
larger `--max-chars` retries a too_large input).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_NAME = ".zhnews-inputs.json"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A file as given on the command line (the documents' `source`), its size and mtime."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint | None:
        """The file's fingerprint, or None when it cannot be stat'ed (reading will reject it)."""
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(str(path), stat.st_size, stat.st_mtime_ns)


@dataclass(slots=True)
class InputLedger:
    """Fingerprints of the files earlier runs read completely, with their document counts."""

    path: Path
    documents: dict[Fingerprint, int] = field(default_factory=dict)
    # The input settings (`InputOptions.key()`) under which a file gave rejects.
    rejected_with: dict[Fingerprint, str] = field(default_factory=dict)

    @classmethod
    def load(cls, output: Path) -> InputLedger:
        """The ledger of `output`; empty when no run has written one yet."""
        path = output / LEDGER_NAME
        if not path.exists():
            return cls(path)
        entries = json.loads(path.read_text(encoding="utf-8"))
        ledger = cls(path)
        for entry in entries:
            fingerprint = Fingerprint(entry["path"], entry["size"], entry["mtime_ns"])
            ledger.documents[fingerprint] = entry["documents"]
            if entry.get("rejected_with") is not None:
                ledger.rejected_with[fingerprint] = entry["rejected_with"]
        return ledger

    def seen(self, fingerprint: Fingerprint | None, settings: str = "") -> int | None:
        """How many documents the file held when it was read, or None if it must be read:
        it is new or changed, or it gave rejects under other `settings`."""
        if fingerprint is None or self.rejected_with.get(fingerprint, settings) != settings:
            return None
        return self.documents.get(fingerprint)

    def record(
        self,
        read: Iterable[tuple[Fingerprint, int]],
        *,
        rejected: Collection[str] = (),
        settings: str = "",
    ) -> None:
        """Remember files this run read in full, replacing older fingerprints of their paths;
        those whose path is in `rejected` gave rejects under `settings`."""
        read = list(read)
        paths = {fingerprint.path for fingerprint, _ in read}
        self.documents = {f: n for f, n in self.documents.items() if f.path not in paths}
        self.rejected_with = {f: s for f, s in self.rejected_with.items() if f.path not in paths}
        self.documents.update(read)
        self.rejected_with.update((f, settings) for f, _ in read if f.path in rejected)

    def save(self) -> None:
        """Replace the ledger file atomically (temporary file, fsync, rename)."""
        entries = [
            {"path": f.path, "size": f.size, "mtime_ns": f.mtime_ns, "documents": n}
            | ({"rejected_with": self.rejected_with[f]} if f in self.rejected_with else {})
            for f, n in sorted(self.documents.items(), key=lambda item: item[0].path)
        ]
        temp = self.path.with_name(f".{self.path.name}.tmp")
        with temp.open("w", encoding="utf-8") as sink:
            json.dump(entries, sink, ensure_ascii=False)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, self.path)
