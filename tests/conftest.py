"""Shared fixtures: short time limits so that hanging submissions are judged quickly."""

import os

os.environ.setdefault("ASYNCLAB_TASK_TIMEOUT", "8")
os.environ.setdefault("ASYNCLAB_CELL_TIMEOUT", "8")
