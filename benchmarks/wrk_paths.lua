-- wrk script: each request takes the next path from a file, so every request can be different.
-- Arguments (after `--`): <paths file> <offset> <threads>. Thread i walks its own slice of the file from
-- offset + i * (lines / threads), so that within one run no path repeats unless the file is exhausted
-- (that is what makes a "cold cache" run cold). done() prints one JSON line for benchmarks/bench_lookup.py.

local counter = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  local offset = tonumber(args[2] or "0")
  local nthreads = tonumber(args[3] or "1")
  counter = offset + id * math.floor(#paths / nthreads)
end

function request()
  counter = counter + 1
  -- Many citizens, not one client hammering: a different client address per request (from a pool of 65,536)
  -- keeps each client's throttle history as short as in production. The header reaches DRF's throttle as
  -- the client's identity because the project does not set NUM_PROXIES (see docs/performance.md).
  local ip = string.format("10.%d.%d.%d", (id * 37) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, paths[(counter % #paths) + 1], {["X-Forwarded-For"] = ip})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
