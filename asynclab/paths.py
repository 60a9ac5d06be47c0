"""Where the learner's own files live, apart from the course's sources.

The grader, ``reset`` and ``watch`` ask here for the learner's copy of an exercise notebook.
"""

from __future__ import annotations

from pathlib import Path

from . import manifest


def learner_notebook(module: manifest.Module) -> Path:
    """The learner's working copy of ``module``'s exercise notebook."""
    return module.exercises
