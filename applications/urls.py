"""The domain's public pages, as config/urls.py mounts them.

``urlpatterns`` (namespace "applications"): the letter form and status pages,
calls, nominations and consent. ``member_urlpatterns`` (under members/, no
namespace): the directory, the member pages and the new member's onboarding.
"""

from .letters import urls as letters
from .members import urls as members
from .nominations import urls as nominations

app_name = "applications"

urlpatterns = letters.urlpatterns + nominations.urlpatterns

member_urlpatterns = members.urlpatterns + letters.onboarding_urlpatterns
