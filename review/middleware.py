from django.conf import settings
from django.contrib.auth.views import redirect_to_login

STAFF_PREFIXES = ("/review/", "/staff/")


class StaffLoginRedirectMiddleware:
    """Send anonymous visitors of staff pages to the login page.

    viewflow answers 403 to anonymous users; a login form is what they need.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STAFF_PREFIXES) and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
