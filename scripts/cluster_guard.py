"""An honest answer when the cluster's shared stores are down (`make cluster`, scripts/cluster.py).

With several Rasa processes the conversations live in PostgreSQL and the per-conversation
locks in Redis. When one of them does not answer, Rasa 3.6 by itself does not say so:

- Redis down: the lock store raises, the REST channel logs the message text and answers
  `[]` (an empty reply), socket.io answers nothing;
- PostgreSQL down: Rasa's FailSafeTrackerStore swallows the error, answers from an empty
  conversation (English, every slot forgotten) and keeps the turn in memory only, so it
  is lost when PostgreSQL is back.

This module makes both an honest reply in the person's language with the programme's
contact, and leaves the stored conversation as it was:

- `GuardedSQLTrackerStore` (endpoints: `type: scripts.cluster_guard.GuardedSQLTrackerStore`)
  is Rasa's SQL store that records a failed read or write for the message being handled
  and then refuses to write that message's half-built conversation;
- `GuardedRestInput` and `GuardedSocketIOInput` are the REST and socket.io channels whose
  message handler holds the bot's replies back until the message is handled, and sends the
  apology instead when a store failed.

Nothing here logs message text: only the kind of error.
"""
from __future__ import annotations

import contextvars
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from channels.socketio import SocketIOInput
from language import language_hint, resolve_language

logger = logging.getLogger(__name__)

CONTACT = "studier@iv.ntnu.no, +47 73 59 37 00"  # the programme's study advisers (seed page 000)
APOLOGY = {
    "en": "Sorry, I cannot answer right now because of a technical problem. Please try again in a few "
          f"minutes, or contact the programme's study advisers: {CONTACT}.",
    "nb": "Beklager, jeg kan ikke svare akkurat nå på grunn av en teknisk feil. Prøv igjen om noen "
          f"minutter, eller kontakt studieveilederne for programmet: {CONTACT}.",
}
# When the message does not tell the language (and the stored conversation cannot be read).
BILINGUAL_APOLOGY = APOLOGY["en"] + "\n\n" + APOLOGY["nb"]

# Set for the message being handled when the tracker store failed. Rasa handles a message
# in one asyncio task, awaiting the store directly, so the channel's handler sees it.
_STORE_FAILED: contextvars.ContextVar[bool] = contextvars.ContextVar("ie_store_failed", default=False)


class StoreUnavailable(RuntimeError):
    """The tracker store failed earlier while handling this message."""


def apology(text: Any, metadata: Any = None) -> Text:
    """The apology in the message's language (or the channel's hint), else in both."""
    try:
        language = resolve_language(text, language_hint(metadata))
    except Exception:  # the apology must never fail on odd input
        language = None
    return APOLOGY.get(language or "", BILINGUAL_APOLOGY)


class GuardedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore that reports failures to the channel instead of hiding them."""

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._guarded(super().retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._guarded(super().retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if _STORE_FAILED.get():
            # The conversation was not read: saving would start it over in the database.
            raise StoreUnavailable("the tracker store failed earlier for this message")
        await self._guarded(super().save(tracker))

    @staticmethod
    async def _guarded(operation: Awaitable) -> Any:
        try:
            return await operation
        except Exception as error:
            _STORE_FAILED.set(True)
            logger.error("tracker store unavailable (%s)", type(error).__name__)
            raise


Handler = Callable[[UserMessage], Awaitable[Any]]


def guard(on_new_message: Handler) -> Handler:
    """`on_new_message` whose replies reach the user only when the message was handled and
    stored; otherwise the user gets the apology."""

    async def guarded(message: UserMessage) -> None:
        output = message.output_channel
        held = CollectingOutputChannel()
        message.output_channel = held
        _STORE_FAILED.set(False)
        try:
            await on_new_message(message)
            failed = _STORE_FAILED.get()
        except Exception as error:  # the lock store (Redis) or a store write failed
            logger.error("message not handled: %s", type(error).__name__)
            failed = True
        finally:
            message.output_channel = output
        if failed:
            await output.send_text_message(message.sender_id, apology(message.text, message.metadata))
            return
        if isinstance(output, CollectingOutputChannel):
            output.messages.extend(held.messages)
            return
        for reply in held.messages:
            await output.send_response(message.sender_id, _as_response(reply))

    return guarded


def _as_response(collected: Dict[Text, Any]) -> Dict[Text, Any]:
    """A CollectingOutputChannel message in the shape OutputChannel.send_response takes."""
    return {key: value for key, value in collected.items() if key != "recipient_id"}


class GuardedRestInput(RestInput):
    """The REST channel (POST /webhooks/rest/webhook) with the honest answer."""

    def blueprint(self, on_new_message: Handler):  # type: ignore[override]
        return super().blueprint(guard(on_new_message))


class GuardedSocketIOInput(SocketIOInput):
    """The web chat's socket.io channel (channels/socketio.py) with the honest answer."""

    def blueprint(self, on_new_message: Handler):  # type: ignore[override]
        return super().blueprint(guard(on_new_message))
