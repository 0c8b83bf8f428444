"""What the attachments announce to the apps above (their records' timelines)."""

from django.dispatch import Signal

#: a file was attached: ``attachment`` (its row) to ``record``; sent inside the transaction
#: that wrote it, so that what a receiver writes commits or rolls back with it
attachment_added = Signal()
