-- wrk script for tests/bench/web_bench.py: POST /report with realistic
-- multipart bodies, built once per thread before the run and rotated:
-- 20 bodies, half with an identity (identity=named + contacts), all with
-- ~2 KB of text in `what`, 2 of 20 (10%) with a 100 KB file.
-- Success = status 303 to the receipt page with its cookie; anything else is counted
-- apart and printed by done().
local boundary = "----hotlinebench7d1f0c"
local bodies = {}
local n = 0

local words = {"the", "head", "of", "unit", "asked", "for", "a", "payment", "before",
	"signing", "contract", "procurement", "tender", "supplier", "invoice", "was",
	"approved", "without", "review", "and", "money", "transferred", "to", "account"}

local function text(len, seed)
	local t, size, i = {}, 0, seed
	while size < len do
		i = i + 1
		local w = words[(i * 7) % #words + 1]
		t[#t + 1] = w
		size = size + #w + 1
	end
	return table.concat(t, " "):sub(1, len)
end

local function field(name, value)
	return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name ..
		"\"\r\n\r\n" .. value .. "\r\n"
end

local function file_part(name, bytes)
	local t = {}
	for i = 1, bytes do
		t[i] = string.char(math.random(0, 255))
	end
	return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" ..
		name .. "\"\r\nContent-Type: application/octet-stream\r\n\r\n" .. table.concat(t) .. "\r\n"
end

local categories = {"corruption", "conflict_of_interest", "gift", "unlawful_order", "other"}

function init(args)
	math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
	local file = file_part("evidence.pdf", 100 * 1024)
	for i = 1, 20 do
		local b = field("lang", "en") ..
			field("what", text(2048, i)) ..
			field("when_where", "March, head office, room 214") ..
			field("who", "Head of procurement, finance unit") ..
			field("director_involved", (i % 3 == 0) and "yes" or "unknown") ..
			field("category", categories[i % #categories + 1])
		if i % 2 == 0 then
			b = b .. field("identity", "named") ..
				field("name", "Aigerim Bekova") ..
				field("phone", "+7 701 555 01 23") ..
				field("email", "aigerim.bekova@example.org") ..
				field("address", "Abay avenue 10, apt 5, Almaty 050000")
		else
			b = b .. field("identity", "anonymous")
		end
		if i % 10 == 1 then
			b = b .. file
		end
		bodies[i] = b .. "--" .. boundary .. "--\r\n"
	end
end

local headers = {["Content-Type"] = "multipart/form-data; boundary=" .. boundary}

function request()
	n = n % #bodies + 1
	return wrk.format("POST", "/report", headers, bodies[n])
end

dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "wrk_answers.lua")('receipt_page=')
