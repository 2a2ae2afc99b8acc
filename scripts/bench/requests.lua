-- wrk script: replays pre-built raw HTTP/1.1 requests in rotation (built by scripts/bench.mjs: each signed with
-- one of a pool of sigs headers). The file holds "<byte length>\n<request bytes>" records. One wrk thread.
-- done() prints one JSON line with throughput and latency percentiles for the bench to parse.
local requests = {}
local n = 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local pos = 1
  while pos <= #data do
    local newline = data:find("\n", pos, true)
    local size = tonumber(data:sub(pos, newline - 1))
    requests[#requests + 1] = data:sub(newline + 1, newline + size)
    pos = newline + 1 + size
  end
end

function request()
  n = n + 1
  if n > #requests then n = 1 end
  return requests[n]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
