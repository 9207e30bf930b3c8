"""Files that hold conversations and personal data are their owner's only (issue 18.5).

The running assistant's databases and logs are checked as it left them; each database is also
created by a process whose umask would give everyone read access (umask 000), to show the mode
comes from how the file is created, not from the umask of whoever happens to create it.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot import paths
from bot.model import quiet_env
from tests.production.conftest import Rest, new_sender

OWNER_ONLY_FILE, OWNER_ONLY_DIR = 0o600, 0o700


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_with_open_umask(code: str) -> None:
    """`code` run by a fresh Python whose umask is 000 (every file world-writable by default)."""
    result = subprocess.run([sys.executable, "-c", f"import os\nos.umask(0)\n{code}"], cwd=paths.PROJECT,
                            env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.server
def test_the_running_assistants_databases_and_logs_are_owner_only(servers) -> None:
    rest = Rest(servers.rasa_url)
    sender = new_sender("files")
    for message in ("我要留言", "人才政策", "想问人才公寓如何申请", "13812345678", "跳过", "确认提交"):
        rest.reply(message, sender)
    tracker = servers.tracker_db
    staff = Path(servers.extra_env["STAFF_DATABASE_URL"].removeprefix("sqlite:///"))
    files = [tracker, *(tracker.with_name(tracker.name + s) for s in ("-wal", "-shm")), staff]
    for path in files:
        assert path.exists(), path
        assert mode(path) == OWNER_ONLY_FILE, f"{path} is {oct(mode(path))}"
    for log in ("rasa.log", "actions.log"):
        assert mode(servers.log_dir / log) == OWNER_ONLY_FILE


def test_the_build_folder_and_the_catalogue_are_owner_only() -> None:
    # `make test` runs the set-up (python -m tools.setup) first; it made them so.
    assert mode(paths.BUILD) == OWNER_ONLY_DIR
    assert mode(paths.CATALOGUE_DB) == OWNER_ONLY_FILE


def test_the_tracker_store_creates_its_database_and_journal_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "new" / "tracker.db"
    run_with_open_umask(f"""
import asyncio
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from bot import patches
patches.install()
from bot.privacy.tracker_store import MaskingSQLTrackerStore
domain = Domain.load("domain.yml")
store = MaskingSQLTrackerStore(domain, dialect="sqlite", db={str(db)!r})
tracker = DialogueStateTracker("s", domain.slots)
tracker.update(UserUttered("你好"))
asyncio.run(store.save(tracker))
for suffix in ("", "-wal", "-shm"):  # while the store's connections are open, the log is there
    assert os.stat({str(db)!r} + suffix).st_mode & 0o777 == 0o600, suffix
""")
    assert mode(db) == OWNER_ONLY_FILE and mode(db.parent) == OWNER_ONLY_DIR


def test_the_staff_and_catalogue_databases_are_created_owner_only(tmp_path: Path) -> None:
    staff, catalogue = tmp_path / "staff.db", tmp_path / "catalogue.db"
    run_with_open_umask(f"""
from bot.requests.store import StaffStore
from bot.catalogue import create_store
store = StaffStore("sqlite:///{staff}")
store.save_draft("c1", "13812345678")
create_store("sqlite:///{catalogue}").replace_all([])
""")
    assert mode(staff) == OWNER_ONLY_FILE and mode(catalogue) == OWNER_ONLY_FILE


def test_a_database_an_older_version_left_readable_is_narrowed(tmp_path: Path) -> None:
    from bot.requests.store import StaffStore

    staff = tmp_path / "staff.db"
    StaffStore(f"sqlite:///{staff}").save_draft("c1", "13812345678")
    staff.chmod(0o644)
    journal = tmp_path / "staff.db-journal"
    journal.write_bytes(b"")
    journal.chmod(0o644)
    store = StaffStore(f"sqlite:///{staff}")
    store.purge_expired_drafts()
    store.close()
    assert mode(staff) == OWNER_ONLY_FILE and mode(journal) == OWNER_ONLY_FILE


def test_the_report_folder_and_files_are_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "2026-11"
    out.mkdir(parents=True)
    (out / "index.html").write_text("old")
    (out / "index.html").chmod(0o644)  # left by an older version
    out.chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "bot.report", "--tracker", f"sqlite:///{tmp_path / 'tracker.db'}",
         "--staff", f"sqlite:///{tmp_path / 'staff.db'}", "--out", str(out)],
        cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert mode(out) == OWNER_ONLY_DIR
    files = list(out.iterdir())
    assert {f.name for f in files} >= {"index.html", "conversations-per-day.png", "top-topics.png", "ratings.png"}
    for path in files:
        assert mode(path) == OWNER_ONLY_FILE, f"{path.name} is {oct(mode(path))}"
