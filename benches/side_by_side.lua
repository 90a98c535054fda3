-- wrk script of the side-by-side benchmark (benches/side_by_side.rs): one request shape per run,
-- every request with a different body so each save really changes the stored row.
--
-- Read from the environment: BENCH_METHOD, BENCH_PATH, BENCH_CONTENT_TYPE, BENCH_ACCEPT,
-- BENCH_AUTH (an Authorization header value, or empty) and BENCH_BODY, a template in which
-- every "{n}" becomes "<thread>-<counter>" (a "{m}" in BENCH_PATH becomes 1..10 in turn).
-- done() prints one BENCH_RESULT line that the harness parses: wrk's own summary has no p99.9
-- and rounds its figures.

local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_id", thread_count)
end

function init(args)
   counter = 0
   method = os.getenv("BENCH_METHOD") or "PUT"
   path = os.getenv("BENCH_PATH") or "/"
   template = os.getenv("BENCH_BODY") or ""
   headers = { ["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json" }
   local accept = os.getenv("BENCH_ACCEPT") or ""
   if accept ~= "" then headers["Accept"] = accept end
   local auth = os.getenv("BENCH_AUTH") or ""
   if auth ~= "" then headers["Authorization"] = auth end
end

function request()
   counter = counter + 1
   local tag = tostring(thread_id) .. "-" .. tostring(counter)
   local body = template:gsub("{n}", tag)
   -- "{m}" in the path spreads the requests over messages 1-10.
   local target = path:gsub("{m}", tostring(counter % 10 + 1))
   return wrk.format(method, target, headers, body)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d status_errors=%d socket_errors=%d " ..
      "p50_us=%d p75_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
      summary.requests, summary.duration, errors.status,
      errors.connect + errors.read + errors.write + errors.timeout,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9), latency.max))
end
