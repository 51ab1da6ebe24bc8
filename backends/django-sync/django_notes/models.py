"""The `Note` model, mapped onto the `note` table that every backend shares.

`managed = False`: Django never creates, migrates or drops the table; `database.prepare` creates
it at start-up with the exact statement of the Rust backends.
"""

from django.db import models


class Note(models.Model):
    id = models.BigAutoField(primary_key=True)
    title = models.CharField(max_length=100)
    content = models.TextField()

    class Meta:
        app_label = "django_notes"
        db_table = "note"
        managed = False
