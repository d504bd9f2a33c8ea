"""The columns every stored file shares, apart from the code that checks and stores
files (``applications.uploads``), so that any app may read these models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """The columns of a file checked by ``check_upload`` and stored on the private
    attachments storage (``NewFile.row_fields``): a letter's, a nomination's, a draft's."""

    original_name = models.CharField(_("file name"), max_length=255)
    # Unguessable storage key on the "attachments" storage.
    key = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
