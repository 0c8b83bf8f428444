"""Where attached files live on a single host: a folder outside MEDIA_ROOT, with no URL."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on the local disk that no web server serves: there is no URL to one (Django's
    FileSystemStorage would fall back to MEDIA_URL); they are read through the record's
    scoping, at ``/attachments/<id>/``."""

    def url(self, name):
        raise NotImplementedError(
            "Attachments have no public URL; they are read at /attachments/<id>/."
        )
