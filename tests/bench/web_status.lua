-- wrk script for tests/bench/web_bench.py: POST /status with one valid
-- receipt (given as the first script argument). Every lookup is correct, so
-- the daemon's slow-down for wrong lookups never applies. Success = 200
-- with the registration number on the page.
local body
ok, no_regno, s4xx, s5xx, other = 0, 0, 0, 0, 0

function init(args)
	body = "receipt=" .. args[1]
end

local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}

function request()
	return wrk.format("POST", "/status", headers, body)
end

function response(status, hdrs, b)
	if status == 200 then
		if b:find('id="reg-no"', 1, true) then
			ok = ok + 1
		else
			no_regno = no_regno + 1
		end
	elseif status >= 500 then
		s5xx = s5xx + 1
	elseif status >= 400 then
		s4xx = s4xx + 1
	else
		other = other + 1
	end
end

local threads = {}
function setup(thread)
	threads[#threads + 1] = thread
end

function done(summary, latency, requests)
	local c = {ok = 0, no_receipt = 0, s4xx = 0, s5xx = 0, other = 0}
	for _, t in ipairs(threads) do
		c.ok = c.ok + t:get("ok")
		c.no_receipt = c.no_receipt + t:get("no_regno")
		c.s4xx = c.s4xx + t:get("s4xx")
		c.s5xx = c.s5xx + t:get("s5xx")
		c.other = c.other + t:get("other")
	end
	local e = summary.errors
	io.write(string.format("RESULT ok=%d no_receipt=%d s4xx=%d s5xx=%d other=%d " ..
		"connect=%d read=%d write=%d timeout=%d status_err=%d requests=%d duration_us=%d " ..
		"p50_us=%d p99_us=%d max_us=%d\n",
		c.ok, c.no_receipt, c.s4xx, c.s5xx, c.other, e.connect, e.read, e.write, e.timeout,
		e.status, summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99), latency.max))
end
