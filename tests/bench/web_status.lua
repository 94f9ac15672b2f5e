-- wrk script for tests/bench/web_bench.py: POST /status with one valid
-- receipt (given as the first script argument). Every lookup is correct, so
-- the daemon's slow-down for wrong lookups never applies. Success = 200
-- with the registration number on the page.
local body

function init(args)
	body = "receipt=" .. args[1]
end

local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}

function request()
	return wrk.format("POST", "/status", headers, body)
end

dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "wrk_answers.lua")('id="reg-no"')
