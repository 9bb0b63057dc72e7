/**
 * Lua for the Redis store. Every store method is exactly one of these scripts
 * (or one plain read), so each change is atomic and a pipelining client sends
 * a webhook's claim and record writes in a single round trip.
 *
 * Record layout (a hash per record):
 *   f:<name>      a model field, JSON-encoded by the client; Lua never parses it
 *   m:<json key>  one metadata entry (ck: for call cookies), JSON value
 *   h:/p:/mr:/rc: one list item (status history, participants, menu results,
 *                 recordings), stored as "<seq> <json>" so the client can restore
 *                 arrival order; the field name is the item's identity
 *   _*            bookkeeping only Lua reads (ranks, times, index values)
 *
 * Replies: a script that created a record from its arguments alone answers
 * {flag} without the hash, and the client rebuilds the record from what it
 * sent (the same strings, decoded the same way); otherwise it answers
 * {flag, hash}. Reading back a hash the client just wrote cost more than the
 * rest of the script on both sides.
 *
 * Lua does not decode user JSON at all: cjson turns `[]` into `{}`, rounds
 * numbers to 14 digits and rejects lone surrogates, any of which would change
 * what a caller stored. Times travel as "<ms>|<string as given>" (ms empty when
 * unparsable) so Lua compares them exactly like the memory store's compareAt.
 */

/**
 * Shared by every write script. KEYS[1] is the data key base; ARGV[1] packs
 * the arguments listed for each script (the record TTL in ms first) into one
 * MessagePack array of strings (see pack-args.ts).
 */
const WRITE_PRELUDE = `
local B = KEYS[1]
local X = B .. 'exp'
local A = cmsgpack.unpack(ARGV[1])
local ttl = tonumber(A[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local argi = 2
local function nextarg()
  local v = A[argi]
  argi = argi + 1
  return v
end
local function nextpairs()
  local n = tonumber(nextarg())
  local out = {}
  for i = 1, n * 2 do out[i] = nextarg() end
  return out
end
local function hset(key, list)
  for i = 1, #list, 100 do
    redis.call('HSET', key, unpack(list, i, math.min(i + 99, #list)))
  end
end
-- One HSET for several lists; a later field overwrites an earlier one, as
-- separate HSETs in that order would.
local function hset_all(key, ...)
  local all = {}
  for _, list in ipairs({...}) do
    for i = 1, #list do all[#all + 1] = list[i] end
  end
  hset(key, all)
end
local function hash(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end
-- Redis orders members bytewise; Lua's < follows the server locale, so it is not used for ordering.
local function bytes_lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function cmp_at(a, b)
  local i, j = string.find(a, '|', 1, true), string.find(b, '|', 1, true)
  local am, bm = string.sub(a, 1, i - 1), string.sub(b, 1, j - 1)
  if am ~= '' and bm ~= '' and tonumber(am) ~= tonumber(bm) then
    return tonumber(am) < tonumber(bm) and -1 or 1
  end
  local ar, br = string.sub(a, i + 1), string.sub(b, j + 1)
  if ar == br then return 0 end
  return bytes_lt(ar, br) and -1 or 1
end
-- Extend only: a writer configured with a shorter TTL must not cut an index
-- short while records it lists still live.
local function keep_ttl(key)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
-- Every index entry is also registered in X, scored by when its record
-- expires, so writes can drop entries whose record is gone. The entry names
-- its index with a length prefix: ids and addresses may contain any byte.
local function exp_entry(ix, member)
  return #ix .. ':' .. ix .. member
end
-- Registrations in X are collected and written by prune() in one ZADD.
local xadds = {}
local function ref_add(ix, member, score)
  redis.call('ZADD', ix, score, member)
  xadds[#xadds + 1] = now + ttl
  xadds[#xadds + 1] = exp_entry(ix, member)
  keep_ttl(ix)
end
local function ref_del(ix, member)
  redis.call('ZREM', ix, member)
  redis.call('ZREM', X, exp_entry(ix, member))
end
local function sync_refs(old, new, score)
  local keep = {}
  for _, r in ipairs(new) do keep[exp_entry(r[1], r[2])] = true end
  for _, r in ipairs(old) do
    if not keep[exp_entry(r[1], r[2])] then ref_del(r[1], r[2]) end
  end
  for _, r in ipairs(new) do ref_add(r[1], r[2], score) end
end
-- Bounded so one write never pays for a large backlog; each write adds at most
-- three entries and removes up to 200, so the backlog cannot grow. Every write
-- script ends with it.
local function prune()
  local added = #xadds > 0
  if added then redis.call('ZADD', X, unpack(xadds)) end
  local dead = redis.call('ZRANGEBYSCORE', X, '-inf', now, 'LIMIT', 0, 200)
  for _, e in ipairs(dead) do
    local colon = string.find(e, ':', 1, true)
    local len = tonumber(string.sub(e, 1, colon - 1))
    redis.call('ZREM', string.sub(e, colon + 1, colon + len), string.sub(e, colon + len + 1))
  end
  if #dead > 0 then redis.call('ZREM', X, unpack(dead)) end
  -- What was just added expires after now, so X still exists.
  if added or redis.call('EXISTS', X) == 1 then keep_ttl(X) end
end
local function msg_refs(id, conv, from, to)
  local r = {}
  if conv then r[#r + 1] = {B .. 'cm:' .. conv, id} end
  if from then r[#r + 1] = {B .. 'tl:' .. from, 'm:' .. id} end
  if to and to ~= from then r[#r + 1] = {B .. 'tl:' .. to, 'm:' .. id} end
  return r
end
local function call_refs(id, from, to)
  local r = {{B .. 'calls', id}}
  if from then r[#r + 1] = {B .. 'tl:' .. from, 'c:' .. id} end
  if to and to ~= from then r[#r + 1] = {B .. 'tl:' .. to, 'c:' .. id} end
  return r
end
local function nonempty(v)
  if v == nil or v == false or v == '' then return nil end
  return v
end
local set = {}
local function put(f, v)
  set[#set + 1] = f
  set[#set + 1] = v
end
`;

const script = (body: string): string => `${WRITE_PRELUDE}\n${body.trim()}\n`;

/**
 * ARGV: ttl, id, plain pairs, metadata pairs, history pairs, status rank,
 * updatedAt time, createdAt score, has conversation ('1'|''), conversation id,
 * from value, to value.
 * Returns {1} when the message is new, else {created, hash} (created: a stub was filled in).
 */
export const APPEND_MESSAGE = script(`
local id = nextarg()
local K = B .. 'msg:' .. id
local old = hash(K)
local existed = next(old) ~= nil
if existed and old['_stub'] ~= '1' then return {0, redis.call('HGETALL', K)} end
local plain = nextpairs()
local meta = nextpairs()
local hist = nextpairs()
local rank = nextarg()
local updated = nextarg()
local cscore = nextarg()
local hasConv = nextarg() == '1'
local conv = nextarg()
local from = nonempty(nextarg())
local to = nonempty(nextarg())
if not hasConv then conv = nil end
if existed then
  -- The stub only knew what delivery reports said; the message itself replaces
  -- its content while the reports already seen (and the status they reached) stay.
  local drop = {'_stub', '_conv', '_from', '_to'}
  for f in pairs(old) do
    if string.sub(f, 1, 2) == 'f:' then drop[#drop + 1] = f end
  end
  for i = 1, #drop, 100 do redis.call('HDEL', K, unpack(drop, i, math.min(i + 99, #drop))) end
end
if existed then
  local given = {}
  for i = 1, #plain, 2 do given[plain[i]] = true end
  if not given['f:conversationId'] and old['f:conversationId'] then
    put('f:conversationId', old['f:conversationId'])
    conv = old['_conv']
  end
  if not given['f:rawChannel'] and old['f:rawChannel'] then put('f:rawChannel', old['f:rawChannel']) end
  if not given['f:to'] and old['f:to'] then
    put('f:to', old['f:to'])
    to = nonempty(old['_to'])
  end
  if tonumber(rank) <= tonumber(old['_rank']) then
    put('f:status', old['f:status'])
    rank = old['_rank']
  end
  if cmp_at(updated, old['_u']) <= 0 then
    put('f:updatedAt', old['f:updatedAt'])
    updated = old['_u']
  end
end
local seq = tonumber(old['_seq'] or '0')
for i = 1, #hist, 2 do
  if old[hist[i]] == nil then
    seq = seq + 1
    put(hist[i], seq .. ' ' .. hist[i + 1])
  end
end
put('_seq', seq)
put('_rank', rank)
put('_u', updated)
put('_cs', cscore)
if conv then put('_conv', conv) end
if from then put('_from', from) end
if to then put('_to', to) end
hset_all(K, plain, meta, set)
redis.call('PEXPIRE', K, ttl)
sync_refs(msg_refs(id, old['_conv'], nonempty(old['_from']), nonempty(old['_to'])), msg_refs(id, conv, from, to), cscore)
prune()
if not existed then return {1} end
return {1, redis.call('HGETALL', K)}
`);

/**
 * ARGV: ttl, id, stub plain pairs, history field, history json, status rank,
 * status json, report time, report time json, report score, then three
 * optional values as (present, json, raw) — conversation id, to, raw channel —
 * and (present, json) for the channel.
 * Returns {1} when it made a stub, else {applied, hash}.
 */
export const APPLY_DELIVERY = script(`
local id = nextarg()
local K = B .. 'msg:' .. id
local stubPlain = nextpairs()
local hfield = nextarg()
local hjson = nextarg()
local rank = nextarg()
local statusJson = nextarg()
local at = nextarg()
local atJson = nextarg()
local atScore = nextarg()
local hasConv = nextarg() == '1'
local convJson = nextarg()
local convRaw = nextarg()
local hasTo = nextarg() == '1'
local toJson = nextarg()
local toValue = nonempty(nextarg())
local hasRaw = nextarg() == '1'
local rawJson = nextarg()
local hasChannel = nextarg() == '1'
local channelJson = nextarg()
local old = hash(K)
if next(old) == nil then
  -- An early report: keep it on an outbound stub that the append fills in later.
  put(hfield, '1 ' .. hjson)
  put('_seq', '1')
  put('_stub', '1')
  put('_rank', rank)
  put('_u', at)
  put('_cs', atScore)
  local conv = nil
  if hasConv then
    conv = convRaw
    put('_conv', conv)
  end
  if toValue then put('_to', toValue) end
  hset_all(K, stubPlain, set)
  redis.call('PEXPIRE', K, ttl)
  sync_refs({}, msg_refs(id, conv, nil, toValue), atScore)
  prune()
  return {1}
end
if old[hfield] then return {0, redis.call('HGETALL', K)} end
local conv, from, to = old['_conv'], nonempty(old['_from']), nonempty(old['_to'])
-- Reports can carry what an early stub did not know yet.
if old['f:conversationId'] == nil and hasConv then
  put('f:conversationId', convJson)
  put('_conv', convRaw)
  conv = convRaw
end
if old['f:to'] == nil and hasTo then
  put('f:to', toJson)
  if toValue then
    put('_to', toValue)
    to = toValue
  end
end
if old['f:rawChannel'] == nil and hasRaw then put('f:rawChannel', rawJson) end
if old['_stub'] == '1' and old['f:channel'] == '"OTHER"' and hasChannel then put('f:channel', channelJson) end
local applied = tonumber(rank) > tonumber(old['_rank'])
if applied then
  put('f:status', statusJson)
  put('_rank', rank)
end
local seq = tonumber(old['_seq'] or '0') + 1
put(hfield, seq .. ' ' .. hjson)
put('_seq', seq)
if cmp_at(at, old['_u']) > 0 then
  put('f:updatedAt', atJson)
  put('_u', at)
end
hset(K, set)
redis.call('PEXPIRE', K, ttl)
sync_refs(msg_refs(id, old['_conv'], nonempty(old['_from']), nonempty(old['_to'])), msg_refs(id, conv, from, to), old['_cs'])
prune()
return {applied and 1 or 0, redis.call('HGETALL', K)}
`);

/**
 * ARGV: ttl, id, create-only pairs, given pairs, has state, state json, at,
 * at json, at score, participants (n, then field, json, has display name),
 * metadata pairs.
 * Returns {1} when the record is new, else {0, hash}.
 */
export const UPSERT_CONVERSATION = script(`
local id = nextarg()
local K = B .. 'conv:' .. id
local create = nextpairs()
local given = nextpairs()
local hasState = nextarg() == '1'
local stateJson = nextarg()
local at = nextarg()
local atJson = nextarg()
local atScore = nextarg()
local np = tonumber(nextarg())
local parts = {}
for i = 1, np do parts[i] = {nextarg(), nextarg(), nextarg() == '1'} end
local meta = nextpairs()
local old = hash(K)
local first = next(old) == nil
local score
if first then
  put('f:state', hasState and stateJson or '"active"')
  put('_stateAt', at)
  put('f:createdAt', atJson)
  put('f:updatedAt', atJson)
  put('_c', at)
  put('_u', at)
  put('_us', atScore)
  score = atScore
else
  -- A late report must not undo a state set by a newer one.
  if hasState and cmp_at(at, old['_stateAt']) >= 0 then
    put('f:state', stateJson)
    put('_stateAt', at)
  end
  if cmp_at(at, old['_c']) < 0 then
    put('f:createdAt', atJson)
    put('_c', at)
  end
  if cmp_at(at, old['_u']) > 0 then
    put('f:updatedAt', atJson)
    put('_u', at)
    put('_us', atScore)
    score = atScore
  else
    score = old['_us']
  end
end
local seq = tonumber(old['_seq'] or '0')
for _, p in ipairs(parts) do
  local cur = old[p[1]]
  if cur == nil then
    seq = seq + 1
    put(p[1], seq .. ' ' .. p[2])
  elseif p[3] then
    -- A later sighting may carry a display name the first one lacked; the place in the list stays.
    put(p[1], string.sub(cur, 1, string.find(cur, ' ', 1, true)) .. p[2])
  end
end
put('_seq', seq)
hset_all(K, first and create or {}, given, meta, set)
redis.call('PEXPIRE', K, ttl)
sync_refs({}, {{B .. 'convs', id}}, score)
prune()
if first then return {1} end
return {0, redis.call('HGETALL', K)}
`);

/**
 * ARGV: ttl, id, given pairs, pairs only for a new contact, at, at json,
 * metadata pairs.
 * Returns {1} when the record is new, else {0, hash}.
 */
export const UPSERT_CONTACT = script(`
local id = nextarg()
local K = B .. 'contact:' .. id
local given = nextpairs()
local fresh = nextpairs()
local at = nextarg()
local atJson = nextarg()
local meta = nextpairs()
local old = hash(K)
local first = next(old) == nil
if first then
  put('f:updatedAt', atJson)
  put('_u', at)
elseif cmp_at(at, old['_u']) > 0 then
  put('f:updatedAt', atJson)
  put('_u', at)
end
hset_all(K, given, first and fresh or {}, meta, set)
redis.call('PEXPIRE', K, ttl)
prune()
if first then return {1} end
return {0, redis.call('HGETALL', K)}
`);

/**
 * ARGV: ttl, id, always pairs, given pairs, has state, state json, state rank,
 * state json for a new call, its rank, menu result field+json ('' field for
 * none), recording field+json, cookie pairs, at, at json, at score, has from,
 * from value, has to, to value.
 * Returns {1} when the record is new, else {0, hash}.
 */
export const APPLY_CALL_EVENT = script(`
local id = nextarg()
local K = B .. 'call:' .. id
local always = nextpairs()
local given = nextpairs()
local hasState = nextarg() == '1'
local stateJson = nextarg()
local stateRank = nextarg()
local newStateJson = nextarg()
local newStateRank = nextarg()
local mrField = nextarg()
local mrJson = nextarg()
local rcField = nextarg()
local rcJson = nextarg()
local cookies = nextpairs()
local at = nextarg()
local atJson = nextarg()
local atScore = nextarg()
local hasFrom = nextarg() == '1'
local fromValue = nonempty(nextarg())
local hasTo = nextarg() == '1'
local toValue = nonempty(nextarg())
local old = hash(K)
local first = next(old) == nil
local cs
if first then
  put('f:state', newStateJson)
  put('_rank', newStateRank)
  put('f:createdAt', atJson)
  put('f:updatedAt', atJson)
  put('_c', at)
  put('_u', at)
  put('_cs', atScore)
  cs = atScore
else
  -- Calls only move forward (ringing, answered, ended); events arrive out of order.
  if hasState and tonumber(stateRank) > tonumber(old['_rank']) then
    put('f:state', stateJson)
    put('_rank', stateRank)
  end
  if cmp_at(at, old['_c']) < 0 then
    put('f:createdAt', atJson)
    put('_c', at)
    put('_cs', atScore)
    cs = atScore
  else
    cs = old['_cs']
  end
  if cmp_at(at, old['_u']) > 0 then
    put('f:updatedAt', atJson)
    put('_u', at)
  end
end
local seq = tonumber(old['_seq'] or '0')
if mrField ~= '' and old[mrField] == nil then
  seq = seq + 1
  put(mrField, seq .. ' ' .. mrJson)
end
if rcField ~= '' and old[rcField] == nil then
  seq = seq + 1
  put(rcField, seq .. ' ' .. rcJson)
end
put('_seq', seq)
local from, to = nonempty(old['_from']), nonempty(old['_to'])
if hasFrom then from = fromValue end
if hasTo then to = toValue end
if (old['_from'] and not from) or (old['_to'] and not to) then redis.call('HDEL', K, '_from', '_to') end
if from then put('_from', from) end
if to then put('_to', to) end
hset_all(K, always, given, cookies, set)
redis.call('PEXPIRE', K, ttl)
sync_refs(call_refs(id, nonempty(old['_from']), nonempty(old['_to'])), call_refs(id, from, to), cs)
prune()
if first then return {1} end
return {0, redis.call('HGETALL', K)}
`);

/** ARGV: ttl, id, json, score. */
export const DEAD_LETTER = script(`
local id = nextarg()
local json = nextarg()
local score = nextarg()
redis.call('SET', B .. 'dl:' .. id, json, 'PX', ttl)
sync_refs({}, {{B .. 'dls', id}}, score)
prune()
return 1
`);

/**
 * One page of an index, newest first, keyset-paged by (score, member).
 * KEYS[1] data key base. ARGV: index suffix, record kind (msg|conv|call|dl|tl),
 * limit, cursor score ('' for the first page), cursor member.
 * Returns {more, member, score, record, member, score, record, …}; entries
 * whose record expired are skipped (the next write prunes them).
 */
export const PAGE = `
local B = KEYS[1]
local ix = B .. ARGV[1]
local kind = ARGV[2]
local limit = tonumber(ARGV[3])
local cms = ARGV[4]
local cmember = ARGV[5]
local function bytes_lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function load(member)
  if kind == 'dl' then return redis.call('GET', B .. 'dl:' .. member) end
  local key
  if kind == 'tl' then
    key = B .. (string.sub(member, 1, 2) == 'm:' and 'msg:' or 'call:') .. string.sub(member, 3)
  else
    key = B .. kind .. ':' .. member
  end
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return false end
  return flat
end
-- One more than asked, so the reply can say whether a next page exists.
local want = limit + 1
local out = {}
local function take(member, score)
  local data = load(member)
  if data then out[#out + 1] = {member, score, data} end
  return #out >= want
end
local done = false
if cms ~= '' then
  local ties = redis.call('ZRANGEBYSCORE', ix, cms, cms)
  for i = #ties, 1, -1 do
    if bytes_lt(ties[i], cmember) and take(ties[i], cms) then
      done = true
      break
    end
  end
end
local offset = 0
while not done do
  local batch
  if cms ~= '' then
    batch = redis.call('ZREVRANGEBYSCORE', ix, '(' .. cms, '-inf', 'WITHSCORES', 'LIMIT', offset, 100)
  else
    batch = redis.call('ZREVRANGE', ix, offset, offset + 99, 'WITHSCORES')
  end
  for i = 1, #batch, 2 do
    if take(batch[i], batch[i + 1]) then
      done = true
      break
    end
  end
  if #batch < 200 then break end
  offset = offset + 100
end
local more = 0
if #out > limit then
  more = 1
  out[#out] = nil
end
local reply = {more}
for _, e in ipairs(out) do
  reply[#reply + 1] = e[1]
  reply[#reply + 1] = e[2]
  reply[#reply + 1] = e[3]
end
return reply
`;

/**
 * KEYS[1] the event key. ARGV: token, lease ms.
 * Values: 'f<token>' while in flight, 'd<response json>' once done.
 * Returns 'n' (new), 'f' (in flight) or the done value.
 */
export const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 1) == 'd' then return v end
  return 'f'
end
redis.call('SET', KEYS[1], 'f' .. ARGV[1], 'PX', ARGV[2])
return 'n'
`;

/**
 * KEYS[1] the event key. ARGV: token, response json, ttl ms.
 * Only the owner completes; an expired claim nobody took over is still completed.
 */
export const COMPLETE = `
local v = redis.call('GET', KEYS[1])
if v and v ~= 'f' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'd' .. ARGV[2], 'PX', ARGV[3])
return 1
`;

/** KEYS[1] the event key. ARGV: token. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == 'f' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
