"""Benchmark: qtrust's crypto scanner against semgrep running equivalent local rules.

* **Speed.** ``qtrust.crypto.scan.scan`` and ``semgrep --config bench/semgrep_crypto_rules.yaml`` (the same
  libraries and algorithms as rules; no registry, ``--metrics=off``, no network) over the same tree: the
  Python files of a fixed set of packages installed in this venv, copied into a temporary directory (so
  neither git nor semgrep's default ignore list hides any file from semgrep). The crypto-heavy packages
  are ``cryptography``, ``jwt`` (PyJWT), ``urllib3``, ``requests``, ``pip`` (which vendors more of
  them), ``httpx``, ``itsdangerous``, ``spnego`` and ``psycopg``; ``sklearn`` and ``scipy`` are large
  code bases with almost no cryptography, where speed is mostly parsing. Lines per second are the lines
  of those files (qtrust's ``lines_scanned``) over wall time; qtrust runs in one process and thread,
  semgrep with ``-j 1`` and with its default ``-j 2``. Semgrep's start-up (loading and checking the
  rules, measured on an empty directory) is reported and also subtracted for an engine-only rate.
* **Agreement.** Findings of both tools on that tree, compared on (file, line, algorithm), counted per
  library and algorithm as found by both, by qtrust only, by semgrep only, with examples.
* **Quality on the labelled corpus.** Both tools on the Python files of ``tests/crypto/corpus`` against
  ``labels.yaml``: precision and recall on (file, line, algorithm).

Run: ``.venv/bin/python bench/bench_crypto_scan.py [--repeats 3] [--site-packages]``, with semgrep in
``.venv-semgrep`` (``python3 -m venv .venv-semgrep && .venv-semgrep/bin/pip install semgrep``)
(``--site-packages`` also times qtrust alone over every Python file of the venv's site-packages).
"""

from __future__ import annotations

from _common import print_environment, time_calls  # pins BLAS/OpenMP threads, like every bench script

# isort: split

import argparse
import ast
import functools
import json
import os
import shutil
import subprocess
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from qtrust.crypto.scan import scan

SITE = Path(sysconfig.get_paths()["purelib"])
CRYPTO_PACKAGES = (
    "cryptography",
    "jwt",
    "urllib3",
    "requests",
    "pip",
    "httpx",
    "itsdangerous",
    "spnego",
    "psycopg",
)
NEUTRAL_PACKAGES = ("sklearn", "scipy")
BENCH = Path(__file__).parent
RULES = BENCH / "semgrep_crypto_rules.yaml"
CORPUS = BENCH.parent / "tests" / "crypto" / "corpus"
# semgrep lives in a virtual environment of its own: its pins (opentelemetry, click, jsonschema) clash
# with qtrust's web stack, so it is never installed into .venv (see bench/README.md).
SEMGREP = BENCH.parent / ".venv-semgrep" / "bin" / "semgrep"

Key = tuple[str, int, str]  # file, line, algorithm


def copy_python(sources: dict[str, Path], dest: Path) -> int:
    """The ``*.py`` files of each source folder under ``dest/<name>/``; an empty .semgrepignore at the top."""
    count = 0
    for name, source in sources.items():
        for path in sorted(source.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            target = dest / name / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    (dest / ".semgrepignore").write_text("# nothing ignored: compare on the same files\n")
    return count


def run_semgrep(root: Path, jobs: int) -> tuple[float, dict]:
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    command = [str(SEMGREP), "scan", "--metrics=off", "--disable-version-check", "--config", str(RULES), "--json",
               "--quiet", "-j", str(jobs), "--max-target-bytes", "5000000", "--timeout", "0", "."]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"semgrep failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def semgrep_findings(output: dict) -> dict[Key, str]:
    found = {}
    for result in output["results"]:
        meta = result["extra"]["metadata"]
        found[(result["path"].removeprefix("./"), result["start"]["line"], meta["algorithm"])] = meta[
            "library"
        ]
    return found


def qtrust_findings(result) -> dict[Key, str]:
    return {(u.file, u.line, u.algorithm): u.library for u in result.uses}


def line_of(root: Path, file: str, line: int) -> str:
    try:
        return (root / file).read_text(errors="replace").splitlines()[line - 1].strip()[:110]
    except (OSError, IndexError):
        return "?"


@functools.cache
def annotation_lines(root: Path, file: str) -> frozenset[int]:
    """The lines a file's type annotations (parameters, returns, annotated assignments) cover."""
    tree = ast.parse((root / file).read_bytes())
    lines: set[int] = set()
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, ast.arg | ast.AnnAssign):
            parts.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parts.append(node.returns)
        for part in parts:
            if part is not None:
                lines.update(range(part.lineno, (part.end_lineno or part.lineno) + 1))
    return frozenset(lines)


def agreement(root: Path, ours: dict[Key, str], theirs: dict[Key, str]) -> None:
    rows: dict[tuple[str, str], Counter] = {}
    for key in ours.keys() | theirs.keys():
        library = ours.get(key) or theirs[key]
        side = "both" if key in ours and key in theirs else ("qtrust" if key in ours else "semgrep")
        rows.setdefault((library, key[2]), Counter())[side] += 1
    print(f"{'library':<14}{'algorithm':<20}{'both':>6}{'only qtrust':>13}{'only semgrep':>14}")
    total = Counter()
    for (library, algorithm), counts in sorted(rows.items()):
        total.update(counts)
        print(f"{library:<14}{algorithm:<20}{counts['both']:>6}{counts['qtrust']:>13}{counts['semgrep']:>14}")
    print(f"{'ALL':<34}{total['both']:>6}{total['qtrust']:>13}{total['semgrep']:>14}")
    semgrep_only = theirs.keys() - ours.keys()
    in_annotations = sum(1 for key in semgrep_only if key[1] in annotation_lines(root, key[0]))
    print(f"of the {len(semgrep_only)} found by semgrep only, {in_annotations} lie in type annotations, which qtrust "
          "does not count as uses")  # fmt: skip
    for side, only in (("qtrust", ours.keys() - theirs.keys()), ("semgrep", semgrep_only)):
        print(f"\nexamples found by {side} only:")
        by_algorithm: dict[str, list[Key]] = {}
        for key in sorted(only):
            by_algorithm.setdefault(key[2], []).append(key)
        shown = 0
        for algorithm, keys in sorted(by_algorithm.items(), key=lambda item: -len(item[1])):
            for file, line, _ in keys[:2]:
                print(f"  {algorithm:<10} {file}:{line}  {line_of(root, file, line)}")
                shown += 1
            if shown >= 12:
                break


def corpus_quality(ours: dict[Key, str], theirs: dict[Key, str]) -> None:
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text())["positives"]
    wanted = Counter((p["file"], p["line"], p["algorithm"]) for p in labels if p["file"].endswith(".py"))
    print(f"{'tool':<10}{'labels':>8}{'found':>7}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}")
    for tool, found in (("qtrust", ours), ("semgrep", theirs)):
        got = Counter(found.keys())
        tp = sum((got & wanted).values())
        fp, fn = sum((got - wanted).values()), sum((wanted - got).values())
        print(f"{tool:<10}{sum(wanted.values()):>8}{sum(got.values()):>7}{tp:>5}{fp:>5}{fn:>5}"
              f"{tp / max(1, tp + fp):>11.3f}{tp / max(1, tp + fn):>8.3f}")  # fmt: skip
        for key in sorted(wanted - got)[:6]:
            print(f"    missed by {tool}: {key[0]}:{key[1]} {key[2]}")
        for key in sorted(got - wanted)[:6]:
            print(f"    not a labelled use, found by {tool}: {key[0]}:{key[1]} {key[2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--site-packages", action="store_true", help="also time qtrust on all of site-packages"
    )
    args = parser.parse_args()
    if not SEMGREP.exists():
        raise SystemExit(
            f"{SEMGREP} not found: python3 -m venv .venv-semgrep && .venv-semgrep/bin/pip install semgrep"
        )
    print_environment("crypto scan: qtrust.crypto.scan vs semgrep (local rules)", ["cryptography"])
    semgrep_version = subprocess.run([str(SEMGREP), "--version"], capture_output=True, text=True, check=False)
    print(f"semgrep {semgrep_version.stdout.strip()} (from {SEMGREP.parent.parent.name})")
    with tempfile.TemporaryDirectory(prefix="qtrust-crypto-bench-") as tmp:
        tree, corpus, empty = Path(tmp, "tree"), Path(tmp, "corpus"), Path(tmp, "empty")
        packages = {
            name: SITE / name for name in (*CRYPTO_PACKAGES, *NEUTRAL_PACKAGES) if (SITE / name).is_dir()
        }
        files = copy_python(packages, tree)
        copy_python({"": CORPUS}, corpus)
        empty.mkdir()
        print(f"tree: {files} Python files of {', '.join(packages)} (from {SITE})")

        timing, result = time_calls(lambda: scan([tree]), args.repeats, warmup=1)
        lines = result.lines_scanned
        print(
            f"qtrust: {lines:,} lines, {len(result.uses)} findings, {len(result.skipped)} skipped; {timing}"
        )
        startup, _ = run_semgrep(empty, 1)
        runs = {}
        for jobs in (1, 2):
            samples = [run_semgrep(tree, jobs) for _ in range(max(1, args.repeats - 1))]
            seconds = sorted(s for s, _ in samples)[len(samples) // 2]
            runs[jobs] = (seconds, samples[-1][1])
            output = samples[-1][1]
            print(f"semgrep -j {jobs}: {seconds:.2f} s (of {[round(s, 2) for s, _ in samples]}), "
                  f"{len(output['results'])} matches, {len(output['errors'])} errors")  # fmt: skip
        print(f"semgrep start-up (empty directory): {startup:.2f} s\n")

        print(f"{'tool':<22}{'seconds':>9}{'lines/s':>12}{'engine lines/s':>16}")
        print(f"{'qtrust (1 thread)':<22}{timing.median:>9.2f}{lines / timing.median:>12,.0f}{'':>16}")
        for jobs, (seconds, _) in runs.items():
            engine = lines / max(1e-9, seconds - startup)
            print(f"{f'semgrep -j {jobs}':<22}{seconds:>9.2f}{lines / seconds:>12,.0f}{engine:>16,.0f}")
        print(
            f"speed-up over semgrep -j 1: {runs[1][0] / timing.median:.2f}x; over -j 2: {runs[2][0] / timing.median:.2f}x\n"
        )

        print("agreement on the tree, (file, line, algorithm):")
        agreement(tree, qtrust_findings(result), semgrep_findings(runs[1][1]))

        print("\nquality on the labelled corpus (Python files; labels.yaml):")
        _, corpus_output = run_semgrep(corpus, 1)
        corpus_ours = {k: v for k, v in qtrust_findings(scan([corpus])).items() if k[0].endswith(".py")}
        corpus_quality(corpus_ours, semgrep_findings(corpus_output))

    if args.site_packages:
        start = time.perf_counter()
        whole = scan([SITE])
        seconds = time.perf_counter() - start
        print(f"\nqtrust on all of {SITE}: {whole.files_scanned:,} files, {whole.lines_scanned:,} lines "
              f"({seconds:.1f} s, {whole.lines_scanned / seconds:,.0f} lines/s), {len(whole.uses)} findings, "
              f"{len(whole.skipped)} skipped")  # fmt: skip


if __name__ == "__main__":
    main()
