"""What a cache that is a server of its own (Redis, with ``REDIS_URL``) raises
when it cannot be reached. Code that must keep working without its cache (rate
limits, the directory's and the forms' stamps) catches these beside
``DatabaseError``, the embedded database cache's."""

from redis.exceptions import RedisError

CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
