"""Detecting a notebook that changes the grader's own code.

The checks run inside the learner's kernel, so a cell could replace them: assign
``asynclab.checking.evaluate`` or ``grade``, a check function, a method of ``CheckContext``,
a limit such as ``BLOCK_LIMIT``, or put another module in ``sys.modules``. Before the
learner's first cell the grader takes a fingerprint of the course's modules in the kernel
(every function's code, every class's methods, every UPPER_CASE constant, the registry of
checks, the module objects themselves); it takes it again after the cells and after each
check, and compares the two here, outside the kernel, where the notebook cannot reach.
Any difference is graded as tampering.

This defends against a notebook that patches the course's modules, on purpose or by
accident. It does not defend against a determined cheat who also fakes the fingerprint
(e.g. by patching ``hashlib`` or ``sys.modules``) or who changes what the kernel
prints: the grader is a teaching tool, not an exam proctor. A static tripwire also notes
cells that reach into the course's internals, so an instructor can look at them.
"""

from __future__ import annotations

import re
from typing import Any

FINGERPRINT_MIME = "application/vnd.asynclab.fingerprint+json"

# Run in the kernel: self-contained, no asynclab function involved (those are what is
# being checked). ``{modules}`` are imported first so that the baseline covers them.
_SNIPPET = r'''
def _asynclab_fingerprint(preload):
    import hashlib, importlib, sys, types
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    def code_digest(code):
        # Not marshal: its output depends on reference counts, which change as code runs.
        def parts(c):
            yield c.co_code
            yield repr((c.co_names, c.co_varnames, c.co_freevars, c.co_cellvars, c.co_flags)).encode()
            for const in c.co_consts:
                if isinstance(const, types.CodeType):
                    yield from parts(const)
                else:
                    yield repr(const).encode()
        h = hashlib.sha256()
        for part in parts(code):
            h.update(part)
        return h.hexdigest()[:16]
    def describe(value):
        if isinstance(value, types.FunctionType):
            return "function " + code_digest(value.__code__) + " " + repr(sorted((value.__kwdefaults__ or {}).items())) + repr(value.__defaults__)
        if isinstance(value, (staticmethod, classmethod)):
            return type(value).__name__ + " " + describe(value.__func__)
        if isinstance(value, property):
            return "property " + " ".join(describe(f) for f in (value.fget, value.fset) if f is not None)
        return None
    def constant(name, value):
        # Limits and settings (BLOCK_LIMIT, OUTPUT_LIMIT...): UPPER_CASE plain values only, so
        # that module state the course itself changes at run time is not mistaken for tampering.
        if name.isupper() and isinstance(value, (bool, int, float, str, bytes)):
            return type(value).__name__ + " " + repr(value)[:200]
        return None
    prints = {}
    for mname, module in sorted(sys.modules.items()):
        if not mname.split(".")[0] in ("asynclab", "exercises_tests"):
            continue
        prints[mname] = "module " + str(id(module))
        for name, value in sorted(vars(module).items()):
            if name.startswith("__"):
                continue
            if isinstance(value, type) and value.__module__ == mname:
                for attr, member in sorted(vars(value).items()):
                    d = describe(member) or constant(attr, member)
                    if d is not None and (not attr.startswith("__") or attr in ("__init__", "__call__")):
                        prints[f"{mname}.{name}.{attr}"] = d
                continue
            d = describe(value) or constant(name, value)
            if d is not None:
                prints[f"{mname}.{name}"] = d
    registry = getattr(sys.modules.get("asynclab.checking"), "_REGISTRY", None)
    if isinstance(registry, dict):
        prints["asynclab.checking._REGISTRY"] = repr(sorted(registry))
        for tid, fn in registry.items():
            code = getattr(fn, "__code__", None)
            prints[f"check {tid}"] = code_digest(code) if code is not None else repr(fn)
    return prints

__import__("IPython.display", fromlist=["display"]).display(
    {"%s": _asynclab_fingerprint(%r), "text/plain": ""}, raw=True)
del _asynclab_fingerprint
'''


def snippet(preload: list[str]) -> str:
    """The kernel code that publishes the fingerprint, importing ``preload`` first."""
    return _SNIPPET % (FINGERPRINT_MIME, list(preload))


def fingerprint_of(data: list[dict[str, Any]]) -> dict[str, str] | None:
    for item in data:
        if FINGERPRINT_MIME in item and isinstance(item[FINGERPRINT_MIME], dict):
            return item[FINGERPRINT_MIME]
    return None


def changes(baseline: dict[str, str], now: dict[str, str] | None) -> list[str]:
    """The names of the course's code that differ from the baseline (what was replaced)."""
    if now is None:
        return ["the grader's fingerprint of its own code (it could not be taken)"]
    return sorted(name for name, value in baseline.items() if now.get(name) != value)


def tamper_message(changed: list[str]) -> str:
    shown = ", ".join(f"`{c}`" for c in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return (
        f"TAMPERING: the notebook changed the grader's own code ({shown}), so this task cannot be "
        "graded. Remove the code that assigns to or patches the course's modules "
        "(asynclab, exercises_tests), restart the kernel and run all cells again."
    )


# What notebooks are meant to use: `from asynclab import check, hint, lab`, and the modules of
# the lessons' given workloads and servers (`from asynclab import workloads`, `asynclab.web`).
PUBLIC = ("check", "hint", "lab", "workloads", "web")


def internals_used(source: str) -> bool:
    """True when a learner cell reaches into the course's internals (for the instructor)."""
    public = "|".join(PUBLIC)
    for line in source.splitlines():
        code = line.split("#", 1)[0]
        if not code.strip():
            continue
        if re.search(rf"\basynclab\s*\.\s*(?!(?:{public})\b)\w+", code):
            return True
        if re.search(rf"\bfrom\s+asynclab\s*\.\s*(?!(?:{public})\b)\w+\s+import\b|\bexercises_tests\b|\b_REGISTRY\b|\bimport\s+asynclab\s*\.\s*(?!(?:{public})\b)", code):
            return True
        m = re.search(r"\bfrom\s+asynclab\s+import\s+(.*)", code)
        if m:
            names = {n.strip().split(" as ")[0].strip("() ") for n in m.group(1).split(",")}
            if names - {*PUBLIC, ""}:
                return True
    return False
