-- Shared by every wrk run of bench/http.py: extra headers from the
-- environment, an optional POST body, and a JSON summary with p95 (wrk's
-- own --latency output stops at p99 without p95).
local headers_env = os.getenv("BENCH_HEADERS") or ""
for line in string.gmatch(headers_env, "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
local body = os.getenv("BENCH_BODY")
if body and #body > 0 then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

-- No response() function: with one, wrk copies every answer's whole body
-- and headers into Lua strings, so a long answer (a 1.5 MB CSV) cost wrk
-- more CPU than it cost the portal, on the same two cores. wrk counts
-- answers with a status of 400 or more itself (summary.errors.status).
function done(summary, latency, requests)
  local e = summary.errors
  local wrong = e.status
  local good = summary.requests - wrong
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "ok": %d, "bad_status": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, good, wrong,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
