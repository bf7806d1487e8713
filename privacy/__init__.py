"""Personal data of the assistant's conversations: retention, export and erasure.

NTNU is the data controller (GDPR arts. 5(1)(e), 15, 17). What is kept, and where:

- Rasa's SQL tracker store (table `events`; SQLite `conversations.db`, or PostgreSQL)
- the mail worker's state (`mail-state.db`, through `mailbot.state`)
- the servers' log files (`logs/`)

`python -m privacy purge|daily|export WHO|erase WHO` (also `make purge`, `make export WHO=...`,
`make erase WHO=...`). Plain Python and SQLAlchemy: no Rasa server is needed, and all of it
works while the servers run (short transactions).
"""
