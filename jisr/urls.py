from django.urls import include, path

from jisr.api import api
from jisr.audit.requests import entries_at_the_end
from jisr.catalogue.urls import hsds_patterns

urlpatterns = [
    path("", include("jisr.core.urls")),
    path("accounts/", include("jisr.accounts.urls")),
    path("audit/", include("jisr.audit.urls")),
    path("registry/", include("jisr.registry.urls")),
    path("matching/", include("jisr.matching.urls")),
    path("cases/", include("jisr.cases.urls")),
    path("linkage/", include("jisr.linkage.urls")),
    path("", include("jisr.catalogue.urls")),
    path("api/v1/", api.urls),
    path("api/hsds/", include((hsds_patterns, "hsds"))),
]

handler400 = "jisr.core.views.bad_request"
handler403 = "jisr.core.views.permission_denied"
handler404 = "jisr.core.views.page_not_found"
handler500 = "jisr.core.views.server_error"

# Audit entries are appended at the end of the request's transaction (decision 0046).
entries_at_the_end(urlpatterns)
