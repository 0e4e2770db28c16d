-- The portal's leaky bucket, shared: one call of this script per request, atomic on the server.
-- The level drains at the believed rate by the Redis server's clock (TIME), so the workers'
-- clocks do not matter. Reservations are virtual scheduling (as GCRA): a request takes its
-- slot at once and is told how long to wait for it, so waiters keep their order.
--
-- KEYS[1]  the bucket (a hash: level, at, cap, rate, probing, cut_at)
-- ARGV[1]  what: "acquire" | "claim" | "reject" | "peek"
-- ARGV[2]  ceiling: the most the estimate may grow to (the plan's burst less the headroom)
-- ARGV[3]  plan: the plan's drain rate per second
-- ARGV[4]  first capacity of a new bucket (small for a plan nobody told)
-- ARGV[5]  "1" when a new bucket grows a slot per admitted request until its first rejection
-- ARGV[6]  requests the portal admitted since this worker last called (the additive increase)
-- ARGV[7]  claim: most slots to take
-- ARGV[8]  claim: slots to leave free
-- Returns {wait seconds, level, capacity, rate, slots claimed} as strings.
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', KEYS[1], 'level', 'at', 'cap', 'rate', 'probing', 'cut_at')
local ceiling = tonumber(ARGV[2])
local plan = tonumber(ARGV[3])
local level = tonumber(h[1]) or 0
local at = tonumber(h[2]) or now
local cap = math.min(tonumber(h[3]) or tonumber(ARGV[4]), ceiling)
local rate = math.min(tonumber(h[4]) or plan, plan)
local probing = h[5] or ARGV[5]
local cut_at = tonumber(h[6]) or -1

level = math.max(0, level - math.max(0, now - at) * rate)

local admitted = math.min(tonumber(ARGV[6]) or 0, 10000)
for _ = 1, admitted do
  if probing == '1' then
    cap = math.min(cap + 1, ceiling)
  else
    cap = math.min(cap + 1 / math.max(cap, 1), ceiling)
    rate = math.min(rate + plan / 200, plan)
  end
end

local wait, claimed = 0, 0
local what = ARGV[1]
if what == 'acquire' then
  local over = level + 1 - cap
  level = level + 1
  if over > 0 then wait = over / rate end
elseif what == 'claim' then
  claimed = math.floor(math.max(0, math.min(tonumber(ARGV[7]), cap - tonumber(ARGV[8]) - level)))
  level = level + claimed
elseif what == 'reject' then
  -- Rejections of requests that were on their way when the estimate was cut are the same news.
  if cut_at < 0 or now - cut_at > math.max(1 / rate, 0.5) then
    local backlog = math.max(level - cap, 0)
    cap = math.max(cap / 2, 1)
    level = cap + backlog
    rate = math.max(rate / 2, math.min(0.05, plan))
    probing = '0'
    cut_at = now
  end
  level = math.max(level, cap)
end

redis.call('HSET', KEYS[1], 'level', tostring(level), 'at', tostring(now), 'cap', tostring(cap),
  'rate', tostring(rate), 'probing', probing, 'cut_at', tostring(cut_at))
-- An idle bucket is forgotten once it has drained, and a while later its estimate too.
redis.call('PEXPIRE', KEYS[1], math.ceil((level / rate + 600) * 1000))
return {tostring(wait), tostring(level), tostring(cap), tostring(rate), tostring(claimed)}
