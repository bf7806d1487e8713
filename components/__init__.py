"""Custom Rasa NLU components. Each is a thin adapter over a plain-Python module."""
