"""Custom actions, run by the action server (`rasa run actions`). Each module is thin:
the rules live in plain-Python packages (`fees/`), the texts in `domain/`."""
