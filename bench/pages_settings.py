"""Settings for bench/pages.py: the real settings, with a URLconf that adds a
constant page (bench/pages_urls.py). Never used outside bench/."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.pages_urls"
