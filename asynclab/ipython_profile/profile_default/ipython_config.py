# IPython profile for kernels started by the grader and by the test suite: tracebacks
# without ANSI colour codes, so that error messages read cleanly in a terminal and in tests.
c = get_config()  # noqa: F821
c.InteractiveShell.colors = "nocolor"
c.HistoryManager.enabled = False  # never write a history database into the package
