"""Check cells deleted or edited: noted, and graded with the canonical checks anyway."""


def test_check_cells_edited(submission) -> None:
    def edit(nb: dict) -> None:
        cells = nb["cells"]
        nb["cells"] = [c for c in cells if "".join(c["source"]).strip() != 'await check("1.1")']
        for c in nb["cells"]:
            if "".join(c["source"]).strip() == 'await check("1.2")':
                c["source"] = 'print("I checked it myself")'

    submission.notebook(edit=edit)
    graded = submission.grade("1.1", "1.2")
    assert [o.status for o in graded.report.outcomes] == ["passed", "passed"]
    assert graded.report.notes == [
        "the check cell of task 1.1 was edited or deleted: graded with the canonical check.",
        "the check cell of task 1.2 was edited or deleted: graded with the canonical check.",
    ]
