"""E-mail deflection worker: answers routine questions to the programme's inbox with the
assistant, drafts the rest for an adviser and never answers robots. `python -m mailbot once|loop`."""
