-- What the wrk scripts of web_bench.py share: counting the answers and
-- printing them with wrk's own figures. A script loads it with
--   dofile(<its folder> .. "wrk_answers.lua")(mark)
-- which defines wrk's response(), setup() and done(): a 200 whose page has
-- mark, or a 303 whose Set-Cookie has it (a report), counts as ok, a 200 without it as no_receipt, the rest as s4xx,
-- s5xx or other; done() prints one line
--   RESULT ok=.. no_receipt=.. s4xx=.. s5xx=.. other=.. connect=.. ...
-- that web_bench.py reads.
return function(mark)
	ok, no_receipt, s4xx, s5xx, other = 0, 0, 0, 0, 0

	function response(status, hdrs, body)
		if status == 303 then
			-- a registered report: 303 to the receipt page, with its cookie
			local cookie = hdrs["Set-Cookie"] or hdrs["set-cookie"] or ""
			if cookie:find(mark, 1, true) then
				ok = ok + 1
			else
				other = other + 1
			end
		elseif status == 200 then
			if body:find(mark, 1, true) then
				ok = ok + 1
			else
				no_receipt = no_receipt + 1
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
			for k in pairs(c) do
				c[k] = c[k] + t:get(k)
			end
		end
		local e = summary.errors
		io.write(string.format("RESULT ok=%d no_receipt=%d s4xx=%d s5xx=%d other=%d " ..
			"connect=%d read=%d write=%d timeout=%d status_err=%d requests=%d duration_us=%d " ..
			"p50_us=%d p99_us=%d max_us=%d\n",
			c.ok, c.no_receipt, c.s4xx, c.s5xx, c.other, e.connect, e.read, e.write, e.timeout,
			e.status, summary.requests, summary.duration,
			latency:percentile(50), latency:percentile(99), latency.max))
	end
end
