"""The web chat: demo pages, widget build (package.json) and their server (server.py)."""
