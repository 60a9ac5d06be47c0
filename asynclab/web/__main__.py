"""``python -m asynclab.web module:attribute``: serve an app on 127.0.0.1, port 0, in this
process (what ``ServerProcess`` runs). It prints ``WEB READY port=N`` when ready, and shuts
down when its stdin closes or on SIGTERM / Ctrl-C."""

from .server import _child_main

_child_main()
