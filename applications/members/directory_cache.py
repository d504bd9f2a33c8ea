"""The freshness stamp of the cached member directory.

Anonymous visitors get the directory from a per-process cache
(``applications.members.views.directory``) under a key that includes this stamp, so
that a page is rendered again as soon as anything it shows has changed. The
stamp is one value in the "shared" cache, a database table that every web
process reads (``manage.py createcachetable``): one primary-key lookup a page,
however many members there are, where counting them grew with the roll.

Every write that changes what the directory shows calls ``changed()``:
``Organisation.save()`` and ``delete()`` (the letter and nomination onboarding,
the onboarding checklist and the admin save organisations), the admin's bulk
delete, and the member import, which renews once for all its rows
(``batch()``). The stamp is written in the writer's own transaction, so it is
committed with the change, and rolled back with it: no visitor can see the new
stamp before the new data, nor keep the old page after the commit. (With a
"shared" cache that is not a database table, the stamp is renewed once the
transaction commits.)
"""

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, router, transaction

from config.caching import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_ALIAS = "shared"
KEY = "directory:stamp"
_state = threading.local()


def _cache():
    return caches[CACHE_ALIAS]


def renew() -> str:
    """Give the directory a new stamp: every cached page is rendered again."""
    cache = _cache()
    stamp = uuid.uuid4().hex
    try:
        if isinstance(cache, DatabaseCache):
            # A savepoint, so that a missing table cannot break the writer's transaction.
            with transaction.atomic(using=router.db_for_write(cache.cache_model_class)):
                cache.set(KEY, stamp, timeout=None)
        else:
            cache.set(KEY, stamp, timeout=None)
    except (DatabaseError, *CACHE_ERRORS):
        logger.exception("directory stamp not renewed (was createcachetable run?)")
    return stamp


def changed() -> None:
    """Call after writing something the directory shows (see the module)."""
    if getattr(_state, "batch", 0):
        _state.pending = True
    elif isinstance(_cache(), DatabaseCache):
        renew()
    else:
        transaction.on_commit(renew)


@contextlib.contextmanager
def batch():
    """Many writes, one renewal at the end (inside the same transaction)."""
    _state.batch = getattr(_state, "batch", 0) + 1
    done = False
    try:
        yield
        done = True
    finally:
        _state.batch -= 1
        if not _state.batch:
            pending, _state.pending = getattr(_state, "pending", False), False
            if pending and done:
                changed()


def stamp(counted: Callable[[], str]) -> str:
    """The current stamp; without the shared cache's table, ``counted()``: one
    computed from the organisations themselves, as before the stamp existed
    (given by the caller, so this module, which the models call, reads no model)."""
    try:
        value = _cache().get(KEY)
    except (DatabaseError, *CACHE_ERRORS):
        logger.warning("no shared cache table: the directory stamp counts organisations")
        return counted()
    return value or renew()
