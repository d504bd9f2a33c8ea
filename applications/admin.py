"""The admin of the app: each sub-package registers its own models."""

from .letters import admin as letters  # noqa: F401
from .members import admin as members  # noqa: F401
from .nominations import admin as nominations  # noqa: F401
