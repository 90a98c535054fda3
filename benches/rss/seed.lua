-- wrk script of benches/rss/run.sh: PUTs the seed's sample request body (RSS_BODY, a file in
-- which "{n}" becomes "<thread>-<counter>") to messages 1-10 under RSS_PATH, with RSS_AUTH as
-- the Authorization header when set.
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_id", thread_count)
end

function init(args)
   counter = 0
   local file = assert(io.open(os.getenv("RSS_BODY")))
   template = file:read("*a")
   file:close()
   path = os.getenv("RSS_PATH") or "/api/v1/TicketMessage/"
   headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
   local auth = os.getenv("RSS_AUTH") or ""
   if auth ~= "" then headers["Authorization"] = auth end
end

function request()
   counter = counter + 1
   local body = template:gsub("{n}", tostring(thread_id) .. "-" .. tostring(counter))
   return wrk.format("PUT", path .. tostring(counter % 10 + 1), headers, body)
end
