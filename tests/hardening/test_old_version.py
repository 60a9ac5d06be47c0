"""A notebook saved from an older version of the exercises (its metadata asynclab.version
differs from what the course generates now), or from another module: a note, still graded."""

from hardening_support import MODULE

from asynclab.generate import build


def _stamp(module: str, version: str):
    def edit(nb: dict) -> None:
        nb["metadata"]["asynclab"] = {"module": module, "source": "solutions/x.ipynb", "version": version}

    return edit


def test_old_version(submission) -> None:
    current = build(MODULE)["metadata"]["asynclab"]["version"]
    submission.notebook(edit=_stamp("01", "0123456789ab"))
    graded = submission.grade("1.1")
    assert graded["1.1"].status == "passed"
    assert graded.report.notes == [
        f"this notebook was made from an older version of the exercises (0123456789ab; the course now "
        f"has {current}). It is graded anyway. To get the current tasks: `make reset MODULE=01` (your copy "
        "is kept in notebooks/backups/)."
    ]


def test_current_version_has_no_note(submission) -> None:
    current = build(MODULE)["metadata"]["asynclab"]["version"]
    submission.notebook(edit=_stamp("01", current))
    assert submission.grade("1.1").report.notes == []


def test_other_module(submission) -> None:
    submission.notebook(edit=_stamp("02", "0123456789ab"))
    graded = submission.grade("1.1")
    assert graded["1.1"].status == "passed"
    assert graded.report.notes == [
        "this notebook holds the exercises of module 02, but it was graded as module 01."
    ]
