"""The Lua scripts of the Redis stores: each runs atomically in Redis, on Redis' clock."""

from __future__ import annotations

__all__ = ["SCRIPTS"]

# Milliseconds on Redis' clock: every worker's lease is measured by the same clock.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Keep a slots key as long as its longest lease, and no longer.
_EXPIRE_SLOTS = """
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])) + 1000) end
"""

# KEYS: slots, limit. ARGV: token, max in flight, lease ms, refused at (0: none), cooldown ms.
# "Refused at": BILL refused a call admitted under that limit; lower the limit below it, unless
# another refusal already did (one step per limit, however many calls were refused at once).
# Returns {taken (0/1), slots held in the fleet, the limit now}.
_ACQUIRE = (
    _NOW
    + """
local max = tonumber(ARGV[2])
local limit = tonumber(redis.call('GET', KEYS[2]) or max)
if limit > max then limit = max end
local refused_at = tonumber(ARGV[4])
if refused_at > 0 then
  if limit >= refused_at then limit = math.max(1, refused_at - 1) end
  redis.call('SET', KEYS[2], limit, 'PX', tonumber(ARGV[5]))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
local taken = 0
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  taken = 1
elseif held < limit then
  taken = 1
  held = held + 1
end
if taken == 1 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
"""
    + _EXPIRE_SLOTS
    + """
end
return {taken, held, limit}
"""
)

# KEYS: slots. ARGV: token, lease ms. 1 if the lease was still running and is now renewed; 2 if
# it was gone (Redis restarted without its data, or the lease ended) and is taken again: the call
# holding it is in flight, and the fleet must count it.
_RENEW_SLOT = (
    _NOW
    + """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local renewed = 1
if not score or tonumber(score) <= now then renewed = 2 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
"""
    + _EXPIRE_SLOTS
    + """
return renewed
"""
)

# KEYS: slots. Slots whose lease is running.
_COUNT_SLOTS = (
    _NOW
    + """
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""
)

# KEYS: slots, wake. ARGV: token, lease ms. Gives a slot back and wakes one waiter.
_RELEASE_SLOT = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('RPUSH', KEYS[2], '1')
  redis.call('LTRIM', KEYS[2], -8, -1)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
end
return removed
"""

# KEYS: lock. ARGV: token, lease ms. 1 if this token holds the lock now (idempotent, so that
# a command retried after a lost answer does not lock its own worker out).
_TAKE_LOCK = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1
"""

# KEYS: lock. ARGV: token, lease ms.
_RENEW_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 0
"""

# KEYS: lock. ARGV: token.
_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: count. ARGV: limit, ttl s, counted elsewhere (what a process counted on its own while
# Redis was unreachable, added now). Returns {taken (0/1), count}.
_TAKE = """
local n = redis.call('INCRBY', KEYS[1], 1 + tonumber(ARGV[3]))
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2])) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return {0, n - 1}
end
return {1, n}
"""

# KEYS: count. ARGV: limit, ttl s. Returns the count.
_EXHAUST = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if n < limit then
  redis.call('SET', KEYS[1], limit, 'EX', tonumber(ARGV[2]))
  return limit
end
return n
"""

# KEYS: session. ARGV: ttl ms, then field, value pairs.
_PUT_SESSION = """
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

# KEYS: session. ARGV: session id.
_DELETE_SESSION = """
if redis.call('HGET', KEYS[1], 'session_id') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# KEYS: session. ARGV: session id, last used (POSIX seconds), ttl ms.
_TOUCH_SESSION = """
if redis.call('HGET', KEYS[1], 'session_id') ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_used') or '0')
if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[1], 'last_used', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

SCRIPTS = {
    "acquire": _ACQUIRE,
    "renew_slot": _RENEW_SLOT,
    "count_slots": _COUNT_SLOTS,
    "release_slot": _RELEASE_SLOT,
    "take_lock": _TAKE_LOCK,
    "renew_lock": _RENEW_LOCK,
    "release_lock": _RELEASE_LOCK,
    "take": _TAKE,
    "exhaust": _EXHAUST,
    "put_session": _PUT_SESSION,
    "delete_session": _DELETE_SESSION,
    "touch_session": _TOUCH_SESSION,
}
