"""The embedded default's broker: kombu's filesystem transport, with messages written
whole before a worker can see them.

kombu writes a message file in place (create, then write), and a worker that lists the
folder in between moves the empty file away and fails to decode it: the worker stops
("Unrecoverable error: JSONDecodeError") and the message is lost. Here a message is written
under a name no worker looks at (``….msg.part``) and renamed into place, which is atomic on
the same filesystem. Registered for the ``filesystem://`` URL by ``config.celery``."""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
