"""Shared fixtures: short time limits so that hanging submissions are judged quickly."""

import os

os.environ.setdefault("ASYNCLAB_TASK_TIMEOUT", "8")
os.environ.setdefault("ASYNCLAB_CELL_TIMEOUT", "20")  # a setup cell starts the lab service: slow on a busy machine

