-- wrk script: signed-in users browsing list pages and the dashboards.
-- PATHS and COOKIE come from the environment (set by bench/load.sh).
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "[^,]+") do table.insert(paths, p) end
local cookie = os.getenv("COOKIE") or ""
local counter = 0

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests=%d duration_s=%.1f req_per_s=%.1f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency_ms p50=%.1f p95=%.1f p99=%.1f max=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors connect=%d read=%d write=%d timeout=%d non_2xx_3xx=%d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
