"""Package data for a normal (non-editable) install: the course's files are copied into
``asynclab/course/`` so that ``asynclab.manifest`` finds them next to the package. An
editable install (``make install``) reads them from the checkout instead."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

COURSE_FILES = ["course.toml", "solutions/*.ipynb", "notebooks/*.ipynb", "data/*", "data/corpus/*"]


class BuildWithCourse(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "asynclab" / "course"
        for pattern in COURSE_FILES:
            for path in sorted(p for p in here.glob(pattern) if p.is_file()):
                dest = target / path.relative_to(here)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildWithCourse})
