"""The URL module Django serves (ROOT_URLCONF): the shared table with the async views."""

from django_notes import routes
from notes_async import views

urlpatterns = routes.urlpatterns(views)
handler400 = routes.bad_request
handler500 = routes.server_error
