-- wrk script: conditional putObjects. Request n writes key (n mod KEYS) at version floor(n / KEYS) — 0 creates,
-- then each round updates at the version the previous round produced. With KEYS far above the connections in
-- flight, a key's previous write has been answered before its next one is sent, so no request should conflict.
-- args: store_id, headers file (one sigs value per line), KEYS, value size in bytes, host:port
local headers, store, keys, value, host = {}, nil, nil, nil, nil
-- wrk calls request() once before the run to check what it returns (script_verify_request on thread 0's state),
-- and never sends that request: start one lower so that the first request sent is n = 0.
local n = -2

local function varint(v)
  local out = {}
  while v >= 128 do
    out[#out + 1] = string.char(v % 128 + 128)
    v = math.floor(v / 128)
  end
  out[#out + 1] = string.char(v)
  return table.concat(out)
end

local function field(number, payload)
  return string.char(number * 8 + 2) .. varint(#payload) .. payload
end

function init(args)
  store = args[1]
  for line in io.lines(args[2]) do headers[#headers + 1] = line end
  keys = tonumber(args[3])
  value = string.rep("v", tonumber(args[4]))
  host = args[5]
end

function request()
  n = n + 1
  local version = math.floor(n / keys)
  local kv = field(1, "cond-" .. (n % keys))
  if version > 0 then kv = kv .. string.char(16) .. varint(version) end
  kv = kv .. field(3, value)
  local body = field(1, store) .. field(3, kv)
  return "POST /vss/putObjects HTTP/1.1\r\nHost: " .. host .. "\r\nauthorization: " .. headers[n % #headers + 1] ..
    "\r\ncontent-type: application/octet-stream\r\ncontent-length: " .. #body .. "\r\n\r\n" .. body
end

local reported = 0

function response(status, _, body)
  if status ~= 200 and reported < 3 then
    reported = reported + 1
    io.stderr:write("conditional put answered " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
