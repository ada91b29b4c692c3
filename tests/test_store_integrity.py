"""Nothing lost, nothing mislabelled: the results store against deleted, damaged and foreign files, a full disk,
two sweeps at once and a killed sweep, with real files and real processes."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import Config
from sim.engine import Experiment, Outputs, load_results, run_experiment
from sim.errors import StoreError
from tests.test_engine import assert_same_results

REPO = Path(__file__).resolve().parent.parent
ENTRY = Path(sys.executable).parent / "efficacy-sim"


def experiment(seed: int = 2, steps: int = 30) -> Experiment:
    return Experiment(
        name="integrity",
        base=Config.default(agents=20, steps=steps),
        vary={"learn_rate": [0.05, 0.1]},
        replications=4,
        seed=seed,
        outputs=Outputs(every=5, final_agents=True, trajectories=2),
    )


def toml_of(exp: Experiment, path: Path) -> Path:
    path.write_text(
        f'name = "{exp.name}"\nreplications = {exp.replications}\nseed = {exp.seed}\n'
        f"[base]\nagents = {exp.base.agents}\nsteps = {exp.base.steps}\n"
        "[vary]\nlearn_rate = [0.05, 0.1]\n[outputs]\nevery = 5\nfinal_agents = true\ntrajectories = 2\n"
    )
    assert Experiment.from_toml(path).digest() == exp.digest()
    return path


def sweep(*args: str, cwd: Path, timeout: float = 120, **kw) -> subprocess.CompletedProcess[str]:
    """``efficacy-sim sweep`` in its own process (for process limits and kills)."""
    return subprocess.run(
        [str(ENTRY), "sweep", *args, "--no-progress"], cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw
    )


def cli(capsys, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line's ``main`` (what the entry point calls) in this process: cheaper than a new one."""
    from sim.cli import main

    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def one_line_error(res: subprocess.CompletedProcess[str], *words: str) -> str:
    """The command failed with exit 2 and one line on stderr naming ``words``; no traceback."""
    assert res.returncode == 2, (res.returncode, res.stderr[-3000:])
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    errors = [ln for ln in res.stderr.splitlines() if ": error: " in ln]
    assert len(errors) == 1, res.stderr
    for w in words:
        assert w in errors[0], (w, errors[0])
    return errors[0]


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The reference: the experiment run once, uninterrupted."""
    return run_experiment(experiment(), out=tmp_path_factory.mktemp("ref") / "whole", executor="serial", progress=False)


def fresh(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    run_experiment(experiment(), out=out, executor="serial", chunk_runs=2, progress=False)
    return out


def part(out: Path, table: str, chunk: int) -> Path:
    return out / "parts" / table / f"chunk-{chunk:05d}.parquet"


def test_manifest_records_size_and_hash_of_every_file(tmp_path):
    out = fresh(tmp_path)
    man = json.loads((out / "manifest.json").read_text())
    assert man["format"] == 2 and sorted(man["parts"]) == ["0", "1", "2", "3"]
    for c, rec in man["parts"].items():
        assert sorted(rec) == ["agents", "series", "trajectories"]
        for table, r in rec.items():
            assert part(out, table, int(c)).stat().st_size == r["bytes"] and len(r["sha256"]) == 64
    assert (out / "runs.parquet").stat().st_size == man["runs_file"]["bytes"]
    assert not (out / ".efficacy-sim.lock").exists()  # released at the end


@pytest.mark.parametrize(
    "damage",
    ["delete agents part", "delete every part of a chunk", "truncate", "flip a byte", "delete runs"],
)
def test_damaged_folder_is_refused_on_load_and_recomputed_on_resume(tmp_path, whole, damage):
    out = fresh(tmp_path)
    victim = part(out, "agents", 1)
    if damage == "delete agents part":
        victim.unlink()
    elif damage == "delete every part of a chunk":
        for t in ("series", "agents", "trajectories"):
            part(out, t, 1).unlink()
        victim = part(out, "series", 1)
    elif damage == "truncate":
        data = victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "flip a byte":  # same size: only the content hash can tell
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    else:
        victim = out / "runs.parquet"
        victim.unlink()
    with pytest.raises(StoreError, match=str(victim).replace(".", r"\.")) as err:
        res = load_results(out)
        _ = res.series, res.agents, res.trajectories  # hashes are checked when the tables are read
    assert "run the same experiment again" in str(err.value) and "\n" not in str(err.value)
    others = {p: p.stat().st_mtime_ns for p in (out / "parts").rglob("*.parquet") if "00001" not in p.name}
    if damage == "delete runs":
        resumed = run_experiment(experiment(), out=out, executor="serial", progress=False)
        assert resumed.manifest["sessions"][-1]["chunks_computed"] == 0  # only runs.parquet was rewritten
    else:
        with pytest.warns(UserWarning, match="computing chunk 1 again"):
            resumed = run_experiment(experiment(), out=out, executor="serial", progress=False)
        assert resumed.manifest["sessions"][-1]["chunks_computed"] == 1  # only the damaged chunk
    assert {p: p.stat().st_mtime_ns for p in others} == others  # the sound parts were kept
    assert resumed.complete
    assert_same_results(whole, load_results(out))


def test_truncated_manifest_is_one_line_on_load_and_sweep(tmp_path, capsys):
    out = fresh(tmp_path)
    text = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(text[: len(text) // 3])
    with pytest.raises(StoreError, match="manifest.json: is damaged"):
        load_results(out)
    toml = toml_of(experiment(), tmp_path / "integrity.toml")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    for extra in ((), ("--dry-run",)):
        one_line_error(cli(capsys, "sweep", str(toml), "--out", str(out), *extra), "manifest.json", "--force")
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before  # nothing written or deleted


def test_manifest_deleted_then_changed_experiment_is_refused_until_forced(tmp_path, capsys):
    """The old runs.parquet must never label the new numbers; without a manifest nothing is written."""
    out = fresh(tmp_path)
    (out / "manifest.json").unlink()
    (out / "notes.txt").write_text("mine")
    changed = experiment(seed=9)
    toml = toml_of(changed, tmp_path / "integrity.toml")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for extra in ((), ("--dry-run",)):
        one_line_error(cli(capsys, "sweep", str(toml), "--out", str(out), *extra), "no manifest.json", "runs.parquet")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    with pytest.raises(StoreError, match="no manifest"):
        run_experiment(changed, out=out, executor="serial", progress=False)
    forced = run_experiment(changed, out=out, executor="serial", progress=False, force=True)
    assert forced.complete and (out / "notes.txt").read_text() == "mine"
    ref = run_experiment(changed, out=tmp_path / "ref", executor="serial", progress=False)
    assert_same_results(ref, load_results(out))


def test_sweep_never_deletes_files_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "data"
    (out / "parts" / "mine").mkdir(parents=True)
    (out / "parts" / "mine" / "keep.txt").write_text("mine")
    toml = toml_of(experiment(), tmp_path / "integrity.toml")
    one_line_error(cli(capsys, "sweep", str(toml), "--out", str(out)), str(out), "parts")
    assert (out / "parts" / "mine" / "keep.txt").read_text() == "mine"


def test_leftover_temporary_files_of_others_are_kept(tmp_path):
    out = fresh(tmp_path)
    ours = out / "parts" / "series" / ".chunk-00001.parquet.0123abcd.tmp"
    theirs = out / ".notes.tmp"
    ours.write_bytes(b"half a chunk")
    theirs.write_text("mine")
    run_experiment(experiment(), out=out, executor="serial", progress=False)
    assert not ours.exists() and theirs.read_text() == "mine"


def test_experiment_scripts_and_compare_delete_only_listed_files(tmp_path):
    """A changed experiment replaces the engine data of a folder: only the files its manifest lists."""
    from sim.engine.store import remove_results

    out = fresh(tmp_path)
    (out / "mine.csv").write_text("a,b\n")
    (out / "parts" / "series" / "mine.parquet").write_bytes(b"not ours")
    removed = remove_results(out)
    assert len(removed) == 4 * 3 + 2
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["mine.csv", "mine.parquet"]


@pytest.mark.slow
def test_compare_keeps_a_users_files_in_its_data_folder(tmp_path, capsys):
    data = tmp_path / "cmp" / "data"
    data.mkdir(parents=True)
    (data / "my-notes.md").write_text("mine")
    args = ["compare", "peer_modelling", "--agents", "20", "--steps", "20", "--replications", "2"]
    args += ["--out", str(tmp_path / "cmp"), "--executor", "serial"]
    res = cli(capsys, *args)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (data / "my-notes.md").read_text() == "mine" and (data / "manifest.json").is_file()
    args[args.index("--agents") + 1] = "25"  # another comparison into the same folder: replaces only our files
    res = cli(capsys, *args)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (data / "my-notes.md").read_text() == "mine"
    assert json.loads((data / "manifest.json").read_text())["experiment"]["base"]["agents"] == 25


# -- processes: the lock, a killed sweep ---------------------------------------------------------------
SLOW_SWEEP = """
import sys
from sim.config import Config
from sim.engine import Experiment, Outputs, run_experiment
if __name__ == "__main__":
    exp = Experiment(name="slow", base=Config.default(agents=30, steps=300), vary={"learn_rate": [0.05, 0.1]},
                     replications=5, seed=3, outputs=Outputs(every=50))
    run_experiment(exp, out=sys.argv[1], executor="processes", workers=2, chunk_runs=1, progress=False)
"""


def _start_slow(out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SWEEP, str(out)], cwd=REPO, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (out / ".efficacy-sim.lock").is_file() or not _children(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, "the sweep did not start"
        time.sleep(0.05)
    return proc


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.slow
def test_second_sweep_is_refused_then_killed_sweep_leaves_no_worker_and_resumes(tmp_path):
    out = tmp_path / "slow"
    proc = _start_slow(out)
    try:
        workers = _children(proc.pid)
        exp = Experiment(
            name="slow",
            base=Config.default(agents=30, steps=300),
            vary={"learn_rate": [0.05, 0.1]},
            replications=5,
            seed=3,
            outputs=Outputs(every=50),
        )
        with pytest.raises(StoreError, match=rf"another sweep is writing this folder \(pid {proc.pid} "):
            run_experiment(exp, out=out, executor="serial", progress=False)
        os.kill(proc.pid, signal.SIGKILL)  # the sweep only: its workers must notice and exit
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "worker processes outlived the killed sweep"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    # the dead sweep's lock is stale: the next sweep takes it over and resumes to the same data
    resumed = run_experiment(exp, out=out, executor="serial", progress=False)
    assert resumed.complete
    whole = run_experiment(exp, out=tmp_path / "whole", executor="serial", chunk_runs=7, progress=False)
    assert_same_results(whole, resumed)


# -- a full disk and a read-only folder -------------------------------------------------------------
@contextlib.contextmanager
def small_disk(path: Path, size: str):
    """A tmpfs of ``size`` at ``path`` (root only); yields False where mounting is not possible."""
    path.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    try:
        yield ok.returncode == 0
    finally:
        if ok.returncode == 0:
            subprocess.run(["umount", "-l", str(path)], check=False)


def _fsize_limit(limit: int):
    def pre() -> None:  # the write fails with EFBIG instead of the process dying of SIGXFSZ
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return pre


BIG = """
name = "full"
replications = 3
seed = 5
[base]
agents = 300
steps = 20
[vary]
learn_rate = [0.05, 0.1]
[outputs]
every = 1
snapshots = [5, 10, 15]
trajectories = 50
"""


@pytest.mark.slow
def test_full_disk_is_one_line_and_resumes_to_equal_data(tmp_path, capsys):
    toml = tmp_path / "full.toml"
    toml.write_text(BIG)
    mnt = tmp_path / "disk"
    with small_disk(mnt, "700k") as mounted:
        out = mnt / "data" if mounted else tmp_path / "data"
        if mounted:
            res = cli(
                capsys,
                "sweep",
                str(toml),
                "--out",
                str(out),
                "--chunk-runs",
                "2",
                "--executor",
                "serial",
                "--no-progress",
            )
        else:  # without mount rights: a per-file size limit, in a process of its own
            res = sweep(
                str(toml), "--out", str(out), "--chunk-runs", "2", cwd=tmp_path, preexec_fn=_fsize_limit(100_000)
            )
        line = one_line_error(res, "cannot be written", "run the same command again")
        assert ("no space left" in line) if mounted else ("file too large" in line)
        man = json.loads((out / "manifest.json").read_text())
        assert (0 if not mounted else 1) <= len(man["chunks_done"]) < man["chunks"]  # the chunks that fit are kept
        assert not [p for p in out.rglob("*.tmp")]  # no half-written file left
        if mounted:  # free space: move the finished data off the small disk, then resume there
            moved = tmp_path / "moved"
            subprocess.run(["cp", "-a", str(out), str(moved)], check=True)
            out = moved
        res = cli(
            capsys, "sweep", str(toml), "--out", str(out), "--chunk-runs", "2", "--executor", "serial", "--no-progress"
        )
        assert res.returncode == 0, res.stderr[-2000:]
    resumed = load_results(out)
    assert resumed.complete
    whole = run_experiment(Experiment.from_toml(toml), out=tmp_path / "whole", executor="serial", progress=False)
    assert_same_results(whole, resumed)


def test_read_only_folder_is_one_line(tmp_path, capsys):
    toml = toml_of(experiment(), tmp_path / "integrity.toml")
    ro = tmp_path / "ro"
    with small_disk(ro, "1m") as mounted:
        if not mounted:
            pytest.skip("needs mount rights for a read-only filesystem (root ignores file modes)")
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        res = cli(capsys, "sweep", str(toml), "--out", str(ro / "data"))
        one_line_error(res, str(ro / "data"), "read-only file system")
        run = cli(capsys, "run", "--agents", "10", "--steps", "5", "--out", str(ro / "run"))
        one_line_error(run, str(ro / "run"), "read-only file system")


# -- efficacy-sim run: never a folder of two runs --------------------------------------------------------
def _run(tmp_path: Path, seed: int, capsys=None, **kw) -> subprocess.CompletedProcess[str]:
    args = ["run", "--agents", "200", "--steps", "30", "--out", str(tmp_path / "one"), "--seed", str(seed)]
    if capsys is not None:
        return cli(capsys, *args)
    return subprocess.run([str(ENTRY), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, **kw)


def test_run_replaces_its_folder_whole_or_not_at_all(tmp_path, capsys):
    disk = tmp_path / "disk"
    with small_disk(disk, "4m") as mounted:
        where = disk if mounted else tmp_path
        assert _run(where, 1, capsys).returncode == 0
        out = where / "one"
        first = {p.name: p.read_bytes() for p in out.iterdir()}
        (where / ".one.0123abcd.new.tmp").mkdir()  # a run killed mid-write leaves its temporary folder
        (where / ".one.0123abcd.new.tmp" / "series.parquet").write_bytes(b"half")
        # a write that fails part-way changes nothing: a full disk (the free space is less than one run),
        # or without mount rights a per-file size limit in a process of its own
        if mounted:
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            used = sum(len(b) for b in first.values())
            (disk / "filler").write_bytes(b"\0" * max(0, free - used // 2))
            failed = _run(where, 2, capsys)
        else:
            failed = _run(where, 2, preexec_fn=_fsize_limit(20_000))
        one_line_error(failed, "cannot be written", "is unchanged")
        assert {p.name: p.read_bytes() for p in out.iterdir()} == first
        (disk / "filler").unlink(missing_ok=True)
        assert _run(where, 2, capsys).returncode == 0
        second = {p.name: p.read_bytes() for p in out.iterdir()}
        assert sorted(second) == sorted(first) and second["series.parquet"] != first["series.parquet"]
        assert json.loads(second["run.json"])["config"]["seed"] == 2
        assert [p.name for p in where.iterdir() if p.name.startswith(".")] == []  # no temporary folder left
        (out / "mine.txt").write_text("mine")  # a user's file in the folder is kept
        assert _run(where, 3, capsys).returncode == 0
        assert (out / "mine.txt").read_text() == "mine"
        assert json.loads((out / "run.json").read_text())["config"]["seed"] == 3
