"""Grading learner notebooks, one concern per module:

- ``kernel``: the grader's kernel (deadlines, restarts, memory and output caps);
- ``notebook``: reading a notebook file without writing it;
- ``runner``: a notebook's cells run once, then each task's canonical check (the API that
  ``watch``, the soak script and the hardening suite drive directly);
- ``tamper``: detecting a notebook that changes the grader's own code;
- ``plugin``: the pytest plugin, one test item per task (``python -m asynclab.grade``);
- ``reports``: scoreboard, JSON and CSV;
- ``classes``: finding a class's copies and whose they are.
"""
