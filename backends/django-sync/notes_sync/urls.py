"""The URL module Django serves (ROOT_URLCONF): the shared table with the sync views."""

from django_notes import routes
from notes_sync import views

urlpatterns = routes.urlpatterns(views)
handler400 = routes.bad_request
handler500 = routes.server_error
