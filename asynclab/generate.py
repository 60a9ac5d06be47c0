"""Generate learner exercise notebooks from the solution notebooks.

``solutions/NN_slug_exercises.ipynb`` is the single source of each exercise notebook. In
its code cells, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
a stub::

    # YOUR CODE HERE
    raise NotImplementedError

Markdown between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` is dropped.
Outputs and execution counts are stripped. The course itself is validated on the way
(rustlings style): every task in course.toml needs hints, a stub and a check cell.

    python -m asynclab.generate          # write notebooks/*_exercises.ipynb
    python -m asynclab.generate --check  # exit 1 if any committed notebook is stale
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from . import manifest

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
CHECK_CALL = re.compile(r"check\(\s*[\"'](\d+\.\d+)[\"']\s*\)")
BANNER = (
    "> **Exercise notebook.** Write your code where it says `# YOUR CODE HERE`, run the "
    "`check` cell under each task for instant feedback, and run `make check` in a terminal "
    "for the scoreboard. Stuck? `hint(\"N.M\")` reveals hints one at a time. To start over: "
    "`make reset MODULE={module}` restores the **whole notebook** as it was handed out, after "
    "saving your copy in `notebooks/backups/`; then use *File → Reload Notebook from Disk* here."
)


class CourseError(Exception):
    """The course material itself is inconsistent."""


def defines(source: str, function: str) -> bool:
    return re.search(rf"^\s*(async\s+)?def\s+{re.escape(function)}\s*\(", source, re.M) is not None


def stub_code(source: str) -> str:
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise CourseError("nested ### BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"]
        elif stripped == END:
            if not inside:
                raise CourseError("### END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise CourseError("### BEGIN SOLUTION without END")
    return "\n".join(out)


def strip_markdown(source: str) -> str:
    return re.sub(
        rf"{re.escape(MD_BEGIN)}.*?{re.escape(MD_END)}\n?", "", source, flags=re.S
    ).strip("\n")


# Notebooks are read and written with the json module, in exactly the layout nbformat
# writes (tests/test_grader_tools.py checks this): importing nbformat costs seconds, and
# the grader needs build() to notice notebooks made from older exercises.
Notebook = dict[str, Any]
_SPLIT_MIMES = {"application/javascript", "image/svg+xml"}


def _is_json_mime(mime: str) -> bool:
    return mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))


def read(path: Path) -> Notebook:
    """A v4 notebook as nbformat.read(path, as_version=4) gives it: multi-line strings joined."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise CourseError(f"{Path(path).name} is not a version 4 Jupyter notebook")
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        for bundle in [*cell.get("attachments", {}).values(), *(
            o.get("data", {}) for o in cell.get("outputs", []) if o.get("output_type") in ("execute_result", "display_data")
        )]:
            for key, value in list(bundle.items()):
                if not _is_json_mime(key) and isinstance(value, list) and all(isinstance(v, str) for v in value):
                    bundle[key] = "".join(value)
        for output in cell.get("outputs", []):
            if output.get("output_type") and isinstance(output.get("text"), list):
                output["text"] = "".join(output["text"])
        cell.get("metadata", {}).pop("trusted", None)
    for key in ("orig_nbformat", "orig_nbformat_minor", "signature"):
        nb.get("metadata", {}).pop(key, None)
    return nb


def _dumps(nb: Notebook) -> str:
    """nbformat.writes(nb): multi-line strings split into lines, sorted keys, one-space indent."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(True)
        bundles = list(cell.get("attachments", {}).values())
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("execute_result", "display_data"):
                bundles.append(output.get("data", {}))
            elif output.get("output_type") == "stream" and isinstance(output.get("text"), str):
                output["text"] = output["text"].splitlines(True)
        for bundle in bundles:
            for key, value in list(bundle.items()):
                if isinstance(value, str) and (key.startswith("text/") or key in _SPLIT_MIMES):
                    bundle[key] = value.splitlines(True)
        cell.get("metadata", {}).pop("trusted", None)
    return json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def version_of(nb: Notebook) -> str:
    """A short fingerprint of an exercise notebook's stubs, to notice outdated copies."""
    return hashlib.sha256(_dumps(nb).encode()).hexdigest()[:12]


def build(module: manifest.Module) -> Notebook:
    """The learner's exercise notebook of ``module``, generated from its solution notebook."""
    nb = read(module.solutions)
    cells = []
    for i, cell in enumerate(nb["cells"]):
        cell = dict(cell)
        if nb.get("nbformat_minor", 0) >= 5 and "id" not in cell:
            cell["id"] = f"m{module.id}-{i:02d}"  # nbformat would invent a random one
        if cell["cell_type"] == "code":
            cell["source"] = stub_code(cell["source"])
            cell["outputs"] = []
            cell["execution_count"] = None
            cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in ("tags",)}
        elif cell["cell_type"] == "markdown":
            cell["source"] = strip_markdown(cell["source"])
            if not cell["source"]:
                continue
        cells.append(cell)
    banner = {"cell_type": "markdown", "id": f"banner-{module.id}", "metadata": {}, "source": BANNER.format(module=module.id)}
    nb["cells"] = [cells[0], banner, *cells[1:]] if cells else [banner]
    nb["metadata"]["asynclab"] = {"module": module.id, "source": f"solutions/{module.solutions.name}"}
    nb["metadata"]["asynclab"]["version"] = version_of(nb)
    validate(module, nb)
    return nb


def validate(module: manifest.Module, nb: Notebook) -> None:
    """Every task has hints, exactly one stub cell defining its function, and a check cell."""
    problems = []
    code = [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    checks = {m for src in code for m in CHECK_CALL.findall(src)}
    for t in module.tasks:
        if not t.hints or any(not h.strip() for h in t.hints):
            problems.append(f"task {t.id} has an empty hint")
        stubs = [src for src in code if defines(src, t.function)]
        if len(stubs) != 1:
            problems.append(f"task {t.id}: expected one cell defining {t.function}, found {len(stubs)}")
        elif "raise NotImplementedError" not in stubs[0]:
            problems.append(f"task {t.id}: the cell defining {t.function} has no stub (missing {BEGIN})")
        if t.id not in checks:
            problems.append(f'task {t.id}: no `await check("{t.id}")` cell')
    if problems:
        raise CourseError(f"{module.solutions.name}: " + "; ".join(problems))


def render(nb: Notebook) -> str:
    return _dumps(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asynclab.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for module in manifest.graded_modules():
        text = render(build(module))
        target = module.exercises
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(target.relative_to(manifest.ROOT))
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(manifest.ROOT)}")
    readme = manifest.ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- modules:start -->\n", "<!-- modules:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        fresh = head + start + manifest.readme_table() + "\n" + end + rest.split(end, 1)[1]
        if fresh != text:
            if args.check:
                stale.append(Path("README.md"))
            else:
                readme.write_text(fresh, encoding="utf-8")
                print("wrote README.md (module table)")
    if stale:
        names = ", ".join(map(str, stale))
        print(f"Stale generated files: {names}. Run `make exercises` and commit them.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
