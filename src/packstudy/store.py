"""What keeps an output folder trustworthy: the lock that lets one run at a time write into it,
the content hashes of the files a study reads (so that a resumed sweep never mixes rows
computed from different inputs), and the checksums that show a stored batch is whole.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import socket
import time
from pathlib import Path

from . import catalog
from .cell import cell_file
from .results import atomic_write
from .spec import Study
from .version import __version__

LOCK = ".packstudy.lock"
# the longest path packstudy writes below --out: /sweep/.batch-000000000.parquet.sha256.XXXXXXXX.tmp
LONGEST_NAME = len("/sweep/.batch-000000000.parquet.sha256.XXXXXXXX.tmp")


class OutputError(ValueError):
    """The output folder cannot be used (a file, unwritable, too long a path, held by another run)."""


def prepare_output(out: Path) -> bool:
    """Create the output folder ``out`` if missing and check that packstudy can write its
    files there; raises OutputError saying what to do. True when the folder was created."""
    text = f"--out {out}"
    try:
        limit = os.pathconf(".", "PC_PATH_MAX")
    except (OSError, ValueError):
        limit = 4096
    if len(os.fsencode(out.absolute())) + LONGEST_NAME >= limit:
        raise OutputError(f"{text}: the path is too long for this file system (the files "
                          f"written in it would exceed {limit} bytes); give a shorter folder path")
    try:
        created = not out.exists()
        if not created and not out.is_dir():
            raise OutputError(f"{text}: is a file, not a folder; give the name of a folder (it "
                              "is created when missing) or move the file away")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{text}: cannot create the folder ({_reason(exc)}); give a folder "
                          "you can write to") from None
    return created


def _reason(exc: OSError) -> str:
    reasons = {errno.ENOTDIR: "a part of the path is a file", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.EROFS: "read-only file system",
               errno.ENAMETOOLONG: "the path or a name in it is too long",
               errno.ENOSPC: "no space left on the device", errno.EEXIST: "a file of that name exists"}
    return reasons.get(exc.errno, exc.strerror or str(exc))


class OutputLock:
    """``OUT/.packstudy.lock`` held for the whole run: a second run into the same folder is
    refused, naming the holder (pid, host, start time). A lock left by a run that was killed
    (its process is gone from this host) is taken over, with a message through ``log``."""

    def __init__(self, out: Path, log=None):
        self.out = Path(out)
        self.path = self.out / LOCK
        self.log = log or (lambda message: None)
        self.created = False
        self._mine: dict | None = None

    def __enter__(self) -> OutputLock:
        self.created = prepare_output(self.out)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now(),
              "process_start": _process_start(os.getpid())}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            except OSError as exc:
                self._tidy()
                raise OutputError(f"--out {self.out}: cannot write into the folder ({_reason(exc)}); "
                                  "give a folder you can write to") from None
            with os.fdopen(fd, "w") as f:
                f.write(json.dumps(me) + "\n")
            self._mine = me
            return self
        raise OutputError(f"--out {self.out}: could not take the lock {self.path}")

    def _take_over_if_stale(self) -> None:
        try:
            text = self.path.read_text()
            holder = json.loads(text)
            pid, host = int(holder["pid"]), str(holder["host"])
        except FileNotFoundError:
            return  # released meanwhile: try again
        except (OSError, ValueError, KeyError, TypeError):
            self._tidy()
            raise OutputError(f"--out {self.out}: the lock file {self.path} is unreadable; if no "
                              "other packstudy run is writing into this folder, delete it and run "
                              "again") from None
        who = f"pid {pid} on {host}, started {holder.get('started', '?')}"
        if host == socket.gethostname() and not _same_process_alive(pid, holder.get("process_start")):
            self.log(f"taking over the lock of a run that is gone ({who}); its lock file "
                     f"{self.path} was left behind")
            if self.path.read_text() == text:  # not taken by another run meanwhile
                self.path.unlink(missing_ok=True)
            return
        self._tidy()
        elsewhere = "" if host == socket.gethostname() else (
            "; it runs on another host, so packstudy cannot tell whether it is alive: if it is "
            f"not, delete {self.path}")
        raise OutputError(f"--out {self.out}: another packstudy run is writing into this folder "
                          f"({who}){elsewhere}; wait for it to finish or give another --out")

    def _tidy(self) -> None:
        """Remove the output folder again if this run created it and left it empty."""
        if self.created:
            try:
                self.out.rmdir()
            except OSError:
                pass

    def __exit__(self, *exc) -> bool:
        if self._mine is not None:
            try:
                if json.loads(self.path.read_text()) == self._mine:
                    self.path.unlink()
            except (OSError, ValueError):
                pass
            self._mine = None
        self._tidy()
        return False


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), to tell a live
    holder from a new process that was given a dead holder's pid; None where unknown."""
    fields = _proc_stat(pid)
    return fields[19] if fields else None


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def _same_process_alive(pid: int, process_start: str | None) -> bool:
    if pid == os.getpid():
        return False  # an earlier process with this pid (we hold no lock yet)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    fields = _proc_stat(pid)
    if fields is None:
        return True  # no /proc: the pid is alive, that is all we can tell
    return fields[0] not in ("Z", "X") and (process_start is None or fields[19] == process_start)


# --- the files a study reads --------------------------------------------------------------


def input_files(study: Study, base_dir: Path) -> dict[str, Path]:
    """The files a study reads beside itself and packstudy's own data, as written in the study
    -> the file: custom cycles, the cold cycle, the track file, the life climate CSV, cell TOML
    and BPX files (of the candidates and of a swept cell list)."""
    found: dict[str, Path] = {}

    def add(text, shipped_names: bool) -> None:
        if not isinstance(text, str | os.PathLike):
            return
        text = os.fspath(text)
        if shipped_names and "/" not in text and "\\" not in text and not text.lower().endswith(".csv"):
            return  # a shipped cycle
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base_dir / path
        if path.is_file():
            found[text] = path

    for file in study.study.cycles.values():
        add(file, shipped_names=False)
    add(study.study.cold.cycle, shipped_names=True)
    if study.study.track is not None:
        add(study.study.track.file, shipped_names=False)
    if study.study.life is not None:
        add(study.study.life.climate, shipped_names=True)  # a named climate is shipped data
    cells = [cand.cell for cand in study.candidate]
    if study.sweep is not None:
        cells += study.sweep.parameters.get("cell", [])
    for spec in cells:
        if isinstance(spec, dict) and set(spec) == {"bpx"}:
            add(spec["bpx"], shipped_names=False)
        elif cell_file(spec, base_dir) is not None:
            add(spec, shipped_names=False)
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shipped_data_sha256() -> str:
    """One hash over packstudy's shipped data (presets, factor tables, cycles)."""
    digest = hashlib.sha256()
    root = catalog.data_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inputs_record(study: Study, base_dir: Path) -> dict:
    """What a results store was computed from, beside the study itself: packstudy's version and
    shipped data, and the content hash of every file the study reads."""
    return {"packstudy_version": __version__, "shipped_data_sha256": shipped_data_sha256(),
            "files": {text: sha256_file(path) for text, path in input_files(study, base_dir).items()}}


def changed_inputs(recorded: dict, current: dict, study: Study, base_dir: Path) -> list[str]:
    """What differs between the inputs a store was computed from and today's, one line each."""
    if "packstudy_version" not in recorded:
        return ["the store was written by an earlier packstudy that did not record the files the "
                "study reads"]
    problems = []
    paths = input_files(study, base_dir)
    old, new = recorded.get("files", {}), current["files"]
    for text in sorted(set(old) | set(new)):
        if old.get(text) != new.get(text):
            where = f" ({paths[text]})" if text in paths else ""
            problems.append(f"file {text!r}{where} changed since the stored batches were computed")
    if recorded.get("packstudy_version") != current["packstudy_version"]:
        problems.append(f"the stored batches were computed by packstudy "
                        f"{recorded.get('packstudy_version')}, this is {current['packstudy_version']}")
    elif recorded.get("shipped_data_sha256") != current["shipped_data_sha256"]:
        problems.append("packstudy's shipped data (presets, factor tables) changed since the stored "
                        "batches were computed")
    return problems


# --- stored batches -----------------------------------------------------------------------


def write_checked(path: Path, data: bytes, rows: int) -> None:
    """Write a batch's bytes to ``path`` atomically, its checksum and row count first beside it
    (``path`` + ``.sha256``), so that a batch file present is a batch file checked."""
    record = f"{hashlib.sha256(data).hexdigest()} {rows}\n"
    atomic_write(_checksum_path(path), lambda p: p.write_text(record))
    atomic_write(path, lambda p: p.write_bytes(data))


def read_checked(path: Path) -> tuple[bytes | None, int | None, str]:
    """A stored batch's bytes and recorded row count, or (None, None, what is wrong)."""
    try:
        data = path.read_bytes()
        digest, rows = _checksum_path(path).read_text().split()
    except FileNotFoundError as exc:
        return None, None, "its checksum record is missing" if exc.filename != str(path) else "missing"
    except (OSError, ValueError) as exc:
        return None, None, f"unreadable ({exc})"
    if hashlib.sha256(data).hexdigest() != digest:
        return None, None, "its content does not match the checksum recorded when it was written"
    return data, int(rows), ""


def remove_checked(path: Path) -> None:
    path.unlink(missing_ok=True)
    _checksum_path(path).unlink(missing_ok=True)


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")
