"""Django's Redis cache, made optional: a cache that cannot be reached is a cache miss.

The pages must keep answering when Redis refuses connections or stops answering (the broker
already degrades that way, innovation.notifications). Django's RedisCache raises instead, and
waits as long as redis-py lets it. Here every call is bounded by short socket timeouts, a
failure counts as a miss (nothing stored, nothing found), and after a failure the process
stops asking for CACHE_PAUSE_SECONDS, so an outage costs one short wait per pause, not one
per call. innovation.caching then builds every value afresh: slower, never stale.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_PAUSE_SECONDS = 5.0
_FAILURES = (RedisError, OSError)


class _ReusedClientCacheClient(RedisCacheClient):
    """Django builds a new redis-py client object on every cache call (several per page);
    a client over the shared connection pool is thread-safe, so one per pool is enough."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class FailSoftRedisCache(RedisCache):
    _paused_until = 0.0  # shared by the process: one outage, one pause

    def __init__(self, server, params):
        params = {**params}
        options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
        options.update(params.get("OPTIONS", {}))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = _ReusedClientCacheClient

    @classmethod
    def resume(cls) -> None:
        cls._paused_until = 0.0

    def _call(self, method, fallback, *args, **kwargs):
        if time.monotonic() < FailSoftRedisCache._paused_until:
            return fallback
        try:
            return method(*args, **kwargs)
        except _FAILURES as error:
            FailSoftRedisCache._paused_until = time.monotonic() + CACHE_PAUSE_SECONDS
            logger.warning("Cache Redis injoignable (%s) : pages calculées sans cache", error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError (the caller sets it); an outage returns 0.
        return self._call(super().incr, 0, key, delta, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
