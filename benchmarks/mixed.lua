-- wrk script for the mixed load (benchmarks/mixed.py writes its configuration).
--
-- Each wrk thread holds one connection, so its requests and responses alternate strictly and
-- each answer's latency can be timed and filed under the page (or write) it belongs to.
-- Every `write_every`-th request of a thread is a write (0: reads only); the others read a
-- page chosen at random, as a person of that page's role chosen at random.
--
--   wrk -t16 -c16 -d10s -s mixed.lua http://127.0.0.1:8000 -- /path/to/config.lua
--
-- Prints one line per page and write, "MIX<TAB>name<TAB>count=… p50_us=… …", and one line
-- "MIXTOTAL requests=… duration_us=…".

local ffi = require("ffi")
ffi.cdef [[
typedef long time_t;
typedef struct timespec { time_t tv_sec; long tv_nsec; } timespec;
int clock_gettime(int clk_id, timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_buffer = ffi.new("timespec[1]")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer[0].tv_sec) * 1000000 + tonumber(now_buffer[0].tv_nsec) / 1000
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-_%.~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    table.insert(parts, urlencode(pair[1]) .. "=" .. urlencode(pair[2]))
  end
  return table.concat(parts, "&")
end

-- wrk copies a thread's globals back to done() only as flat arrays of numbers (a table of
-- tables crashes it), so each answer is one number: its name's index × 1e8 + its latency
-- in µs (the timeout is 10 s, far below 1e8 µs).
local SLOT = 100000000

local function names_of(cfg)
  local names, index = {}, {}
  for _, page in ipairs(cfg.reads) do
    table.insert(names, page.name)
  end
  for _, write in ipairs(cfg.writes) do
    table.insert(names, write.name)
  end
  for i, name in ipairs(names) do
    index[name] = i
  end
  return names, index
end

function init(args)
  config_path = args[1]
  config = dofile(config_path)
  names, name_index = names_of(config)
  math.randomseed(1000 + tid)
  sent = 0
  current = nil
  started = 0
  answers = {}  -- one number per answer, see SLOT
  failures = {}  -- per name index, answers that were not the expected status
  for i = 1, #names do
    failures[i] = 0
  end
  steps = {}  -- write state per target, see next_write
  serial = 0
end

local function pick(list)
  return list[math.random(#list)]
end

local function headers_for(actor, post)
  local headers = { ["Cookie"] = actor.cookie }
  if post then
    headers["X-CSRFToken"] = actor.csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return headers
end

-- A thread only ever writes to the ideas its index owns (pool[i] with i % threads == tid),
-- so that two threads never toggle the same vote or move the same idea.
-- On data too small for every thread to own one, threads share (and may race: the service
-- then answers with a message, which still counts as a write).
local function owned(pool)
  local mine = {}
  for i, value in ipairs(pool) do
    if (i - 1) % config.threads == tid then
      table.insert(mine, value)
    end
  end
  if #mine == 0 then
    return pool
  end
  return mine
end

local function next_write()
  local write = pick(config.writes)
  local target = pick(write.targets)
  local actor = config.actors[target.actor]
  serial = serial + 1
  if write.kind == "vote" then
    local ideas = target.mine or owned(target.ideas)
    target.mine = ideas
    local idea = pick(ideas)
    local key = "vote:" .. target.actor .. ":" .. idea
    local voted = steps[key] or false
    steps[key] = not voted
    local body = voted and form({ { "vote", "withdraw" } }) or ""
    return write.name, "POST", "/idees/" .. idea .. "/vote/", actor, body
  elseif write.kind == "comment" then
    local idea = pick(target.ideas)
    local text = "Commentaire de charge " .. tid .. "-" .. serial
    return write.name, "POST", "/idees/" .. idea .. "/commentaires/", actor,
      form({ { "body", text } })
  elseif write.kind == "idea" then
    local title = "Idée de charge " .. tid .. "-" .. serial
    return write.name, "POST", "/idees/proposer/", actor, form({
      { "title", title },
      { "irritant", "Un irritant observé pendant la mesure." },
      { "proposal", "Une proposition écrite pendant la mesure." },
      { "beneficiaries", "agents" },
      { "expected_impact", "Un impact attendu." },
      { "action", "submit" },
    })
  elseif write.kind == "move" then
    -- Each idea goes round: submitted → qualified → not retained → submitted (reopened).
    local ideas = target.mine or owned(target.ideas)
    target.mine = ideas
    local idea = pick(ideas)
    local key = "move:" .. idea
    local step = steps[key] or 0
    steps[key] = (step + 1) % 3
    local cycle = {
      { { "to", "qualified" }, { "reason", "" }, { "support", "autonomous" } },
      { { "to", "not_retained" }, { "reason", "Mesure de charge." } },
      { { "to", "submitted" }, { "reason", "Rouverte pendant la mesure." } },
    }
    return write.name, "POST", "/idees/" .. idea .. "/etape/", actor, form(cycle[step + 1])
  end
end

function request()
  sent = sent + 1
  local name, method, path, actor, body
  if config.write_every > 0 and sent % config.write_every == 0 then
    name, method, path, actor, body = next_write()
  else
    local page = pick(config.reads)
    local target = pick(page.targets)
    name, method, path, actor = page.name, "GET", target.path, config.actors[target.actor]
  end
  current = name
  started = now_us()
  return wrk.format(method, path, headers_for(actor, method == "POST"), body)
end

function response(status, headers, body)
  local elapsed = math.min(now_us() - started, SLOT - 1)
  local name = current
  local slot = name_index[name]
  answers[#answers + 1] = slot * SLOT + math.floor(elapsed)
  -- A read must answer 200 (a redirect would be the login page); a write redirects after
  -- saving (302), or shows its form again with a message (200) when the rule says no.
  local ok
  if string.sub(name, 1, 1) == "+" then
    ok = status == 302 or status == 200
  else
    ok = status == 200
  end
  if not ok then
    failures[slot] = failures[slot] + 1
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  local index = math.max(1, math.min(#sorted, math.ceil(p / 100 * #sorted)))
  return sorted[index]
end

function done(summary, latency, requests)
  local cfg = dofile(threads[1]:get("config_path"))
  local all_names = names_of(cfg)
  local merged, failed = {}, {}
  for i = 1, #all_names do
    merged[i] = {}
    failed[i] = 0
  end
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("answers")) do
      local slot = math.floor(value / SLOT)
      table.insert(merged[slot], value - slot * SLOT)
    end
    for i, count in ipairs(thread:get("failures")) do
      failed[i] = failed[i] + count
    end
  end
  for slot, values in ipairs(merged) do
    local name = all_names[slot]
    table.sort(values)
    if #values > 0 then
      io.write(string.format(
      "MIX\t%s\tcount=%d p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
      name, #values, percentile(values, 50), percentile(values, 95), percentile(values, 99),
      failed[slot]))
    end
  end
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("MIXTOTAL requests=%d duration_us=%d socket_errors=%d\n",
    summary.requests, summary.duration, socket_errors))
end
