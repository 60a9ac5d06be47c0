"""Where the learner's own files live, apart from the course's sources.

- ``workspace()``: the learner's folder. In a checkout of the course it is the checkout
  itself (the learner works in ``notebooks/``, and the git filter below keeps the course's
  files updatable); in a normal install (``pip install .``, as a JupyterHub image does it)
  the course's files are read-only package data, and the workspace is ``$ASYNCLAB_WORKSPACE``
  or else the nearest of the current folder and its parents that holds a ``notebooks/``
  folder with the course's notebooks (a kernel runs in ``notebooks/``, the grader in the
  folder above), or else the current folder. ``init_workspace(folder)`` copies the
  learner's notebooks and the lessons' ``data/`` there, never over a file that exists;
- ``hint_store()``: the file that remembers which hints the learner has seen;
- ``learner_notebook(module)``: the learner's working copy of an exercise notebook (the
  grader, ``reset`` and ``watch`` ask here);
- ``backups_dir(module)``: where ``make reset`` keeps the copies it replaces;
- ``clean_notebook(text)``: the git "clean" filter that ``make install`` sets up for every
  ``*.ipynb`` (see ``.gitattributes``): git sees a notebook without its outputs, execution
  counts and kernel details, so running a lesson leaves no tracked file modified and
  ``git pull`` can update it; the file on disk keeps its outputs;
- ``running_lab(root)``: a JupyterLab already serving ``root``, so that a second
  ``make lab`` points to it instead of starting another server over the same files;
- ``seed_workspace(folder)``: the course's first JupyterLab layout, with a file browser
  wide enough to show a lesson's and its exercises' names in full;
- ``terminal_shell(venv)``: the shell JupyterLab's terminals start, which reads the
  learner's usual start-up files and then puts the course's Python first on PATH (a
  ``conda activate`` or ``pyenv init`` there would otherwise hide it).

    python -m asynclab.paths clean-notebook < in.ipynb > out.ipynb   # the git filter
    python -m asynclab.paths running-lab notebooks                    # exit 0 and say so if one runs
    python -m asynclab.paths terminal-shell .venv                     # print the terminal's command
    python -m asynclab.paths seed-workspace DIR                       # first layout, if none yet
    python -m asynclab.paths init-workspace DIR                       # the learner's notebooks
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from . import manifest

WELCOME = "00_welcome.ipynb"
# The page `make lab` opens (JupyterLab's default URL): the welcome notebook.
LANDING = f"/lab/tree/{WELCOME}"


def _holds_course(folder: Path) -> bool:
    return (folder / "notebooks" / WELCOME).is_file()


def workspace() -> Path:
    """The learner's folder (see the module's docstring)."""
    chosen = os.environ.get("ASYNCLAB_WORKSPACE")
    if chosen:
        return Path(chosen).expanduser().resolve()
    if manifest.ROOT != manifest.PACKAGE / "course":  # a checkout, or an editable install of one
        return manifest.ROOT
    here = Path.cwd().resolve()
    return next((d for d in (here, *here.parents) if _holds_course(d)), here)


def init_workspace(folder: Path) -> list[Path]:
    """Copy the lessons and exercise notebooks into ``folder/notebooks``, and the files the
    lessons read into ``folder/data``; a file that is there already is the learner's and
    is kept. Returns the files written."""
    written = []
    for pattern in ("notebooks/*.ipynb", "data/*", "data/corpus/*"):
        for source in sorted(manifest.ROOT.glob(pattern)):
            dest = Path(folder) / source.relative_to(manifest.ROOT)
            if source.is_file() and not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(source.read_bytes())
                written.append(dest)
    return written


def hint_store() -> Path:
    """Which hints the learner has seen (``$ASYNCLAB_HINTS`` overrides it, for tests)."""
    return Path(os.environ.get("ASYNCLAB_HINTS") or workspace() / ".asynclab" / "hints.json")


def learner_notebook(module: manifest.Module) -> Path:
    """The learner's working copy of ``module``'s exercise notebook."""
    return workspace() / "notebooks" / module.exercises.name


def backups_dir(module: manifest.Module) -> Path:
    """Where ``make reset`` saves the learner's copy before restoring a fresh one."""
    return learner_notebook(module).parent / "backups"


# --------------------------------------------------------------------------- git filter
# What running a notebook in JupyterLab adds that is not course material: outputs,
# execution counts, the kernel's details and view state. Everything else (the learner's
# code, markdown, cell ids, tags) is kept, so real edits still show in `git status`.
_VIEW_STATE = ("collapsed", "scrolled", "execution", "ExecuteTime")
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def clean_notebook(text: str) -> str:
    """``text`` (a notebook as saved by Jupyter) in the form the course commits."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text  # not a notebook git should rewrite: leave it alone
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return text
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata")
        if isinstance(meta, dict):
            for key in _VIEW_STATE:
                meta.pop(key, None)
            jupyter = meta.get("jupyter")
            if isinstance(jupyter, dict):
                jupyter.pop("outputs_hidden", None)
                if not jupyter:
                    del meta["jupyter"]
            meta.pop("trusted", None)
    meta = nb.get("metadata")
    if isinstance(meta, dict):
        info = meta.get("language_info")
        if isinstance(info, dict) and info.get("name"):
            meta["language_info"] = {"name": info["name"]}
        spec = meta.get("kernelspec")
        if isinstance(spec, dict) and spec.get("name") == _KERNELSPEC["name"]:
            meta["kernelspec"] = dict(_KERNELSPEC)  # whichever kernel display name ran it
        meta.pop("widgets", None)
    body = json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
    return body + "\n"


# --------------------------------------------------------------------------- running lab
def _runtime_dir() -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def _answers(info: dict[str, Any], timeout: float = 3) -> bool:
    """The server of ``info`` is really there (its process id may have been reused)."""
    url = str(info.get("url", "")).rstrip("/") + "/api/status"
    request = urllib.request.Request(url)
    if info.get("token"):
        request.add_header("Authorization", f"token {info['token']}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def running_lab(root: Path, runtime_dir: Path | None = None) -> dict[str, Any] | None:
    """The Jupyter server already serving ``root`` (from its runtime file), or None."""
    from jupyter_server.serverapp import list_running_servers

    want = Path(root).resolve()
    folder = str(runtime_dir or _runtime_dir())
    for info in list_running_servers(folder):
        served = info.get("root_dir") or info.get("notebook_dir")
        if served and Path(served).resolve() == want and _answers(info):
            return info
    return None


def lab_url(info: dict[str, Any], page: str = LANDING) -> str:
    """The address to open ``page`` on the server of ``info``, with its token."""
    url = str(info.get("url", "")).rstrip("/") + page
    if info.get("token"):
        url += "?" + urllib.parse.urlencode({"token": info["token"]})
    return url


# --------------------------------------------------------------------------- workspace
# JupyterLab keeps its layout (open tabs, panel sizes) in a "workspace". The course's first
# one is JupyterLab's own default with a wider left panel: at JupyterLab's default width
# (about a fifth of the window) the file browser cuts "03_queues_and_backpressure.ipynb"
# and "03_queues_and_backpressure_exercises.ipynb" to the same "03_queues_and_backpressur…".
LEFT_PANEL_SHARE = 0.28
_WORKSPACE_FILE = "default-37a8.jupyterlab-workspace"  # JupyterLab's name for "default"


def seed_workspace(folder: Path) -> Path | None:
    """Write the course's first layout into ``folder`` unless a default layout is there
    already (the learner's own layout is never replaced); return the file written."""
    folder = Path(folder)
    path = folder / _WORKSPACE_FILE
    if path.exists():
        return None
    layout = {
        "main": {
            "dock": {"type": "tab-area", "currentIndex": 0, "widgets": [f"notebook:{WELCOME}"]},
            "current": f"notebook:{WELCOME}",
        },
        "down": {"size": 0, "collapsed": True, "widgets": []},
        "left": {
            "collapsed": False,
            "visible": True,
            "current": "filebrowser",
            "widgets": ["filebrowser", "running-sessions", "@jupyterlab/toc:plugin", "extensionmanager.main-view"],
        },
        "right": {"collapsed": True, "visible": True, "widgets": ["jp-property-inspector", "debugger-sidebar"]},
        "relativeSizes": [LEFT_PANEL_SHARE, 1 - LEFT_PANEL_SHARE, 0],
        "top": {"simpleVisibility": True},
    }
    data = {
        "layout-restorer:data": layout,
        f"notebook:{WELCOME}": {"data": {"path": WELCOME, "factory": "Notebook"}},
    }
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"data": data, "metadata": {"id": "default"}}, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------- terminals
_BASHRC = """\
# JupyterLab's terminal for the course: your usual settings, then the course's Python first.
if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
export VIRTUAL_ENV={venv}
export PATH="$VIRTUAL_ENV/bin:$PATH"
"""
_ZSHENV = """\
# JupyterLab's terminal for the course: zsh reads your files, then this puts the course's
# Python first on PATH.
if [ -f "$HOME/.zshenv" ]; then ZDOTDIR="$HOME"; . "$HOME/.zshenv"; ZDOTDIR={here}; fi
"""
_ZSHRC = """\
ZDOTDIR="$HOME"
if [ -f "$HOME/.zshrc" ]; then . "$HOME/.zshrc"; fi
export VIRTUAL_ENV={venv}
export PATH="$VIRTUAL_ENV/bin:$PATH"
"""


def terminal_shell(venv: Path, shell: str | None = None) -> str:
    """The command JupyterLab's terminals run (for ``ServerApp.terminado_settings``).

    bash and zsh read the learner's own start-up files first, then put ``venv``'s
    interpreter first on PATH; other shells get the PATH JupyterLab was started with.
    """
    shell = shell or os.environ.get("SHELL") or "/bin/sh"
    venv = Path(venv).resolve()
    home = venv / "etc" / "asynclab-terminal"
    name = Path(shell).name
    if name == "bash":
        home.mkdir(parents=True, exist_ok=True)
        rc = home / "bashrc"
        rc.write_text(_BASHRC.format(venv=shlex.quote(str(venv))), encoding="utf-8")
        return shlex.join([shell, "--rcfile", str(rc)])
    if name == "zsh":
        zdot = home / "zsh"
        zdot.mkdir(parents=True, exist_ok=True)
        (zdot / ".zshenv").write_text(_ZSHENV.format(here=shlex.quote(str(zdot))), encoding="utf-8")
        (zdot / ".zshrc").write_text(_ZSHRC.format(venv=shlex.quote(str(venv))), encoding="utf-8")
        return shlex.join(["env", f"ZDOTDIR={zdot}", shell])
    return shlex.join([shell])


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["clean-notebook"]:
        data = sys.stdin.buffer.read().decode("utf-8")
        sys.stdout.buffer.write(clean_notebook(data).encode("utf-8"))
        return 0
    if len(args) == 2 and args[0] == "running-lab":
        info = running_lab(Path(args[1]))
        if info is None:
            return 1
        port = info.get("port", "")
        print(
            f"JupyterLab is already running for this course (process {info.get('pid')}), at:\n\n"
            f"    {lab_url(info)}\n\n"
            "Open that address in your browser. Starting a second server over the same notebooks "
            "would let two tabs overwrite each other's work. To start afresh, stop that one first "
            f"(Ctrl-C twice in its terminal, or `.venv/bin/jupyter server stop {port}`).",
            flush=True,
        )
        return 0
    if len(args) == 2 and args[0] == "seed-workspace":
        seed_workspace(Path(args[1]))
        return 0
    if len(args) == 2 and args[0] == "init-workspace":
        written = init_workspace(Path(args[1]))
        notebooks = sum(p.suffix == ".ipynb" for p in written)
        print(f"{notebooks} notebook(s) and {len(written) - notebooks} data file(s) copied into {args[1]}")
        return 0
    if len(args) == 2 and args[0] == "terminal-shell":
        print(terminal_shell(Path(args[1])))
        return 0
    print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
