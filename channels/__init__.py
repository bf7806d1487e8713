"""Rasa input channels of the assistant (credentials.yml names them by module path)."""
