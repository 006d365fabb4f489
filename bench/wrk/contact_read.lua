-- wrk script: audited contact reads.
-- GET /api/v1/lines/<line>/contacts/<id>?purpose=<purpose>, cycling over the ids
-- in CRISISLINE_IDS_FILE (one per line). Each 200 decrypts the contact and
-- appends a contact.read entry to the audit hash chain (a durable write).
--
-- Environment (set by bench/http_load.py):
--   CRISISLINE_COOKIES, CRISISLINE_CSRFS  as in contact_write.lua
--   CRISISLINE_IDS_FILE                    contact ids, one per line
--   CRISISLINE_LINE                        line id (default "police")
--   CRISISLINE_PURPOSE                     read purpose (default "supervision")

local function words(s)
    local out = {}
    for w in string.gmatch(s or "", "%S+") do out[#out + 1] = w end
    return out
end

local requests = {}
local n = 0

function init(args)
    local cookies = words(os.getenv("CRISISLINE_COOKIES"))
    local csrfs = words(os.getenv("CRISISLINE_CSRFS"))
    assert(#cookies > 0 and #cookies == #csrfs, "set CRISISLINE_COOKIES and CRISISLINE_CSRFS (same count)")
    local line = os.getenv("CRISISLINE_LINE") or "police"
    local purpose = os.getenv("CRISISLINE_PURPOSE") or "supervision"
    local path = assert(os.getenv("CRISISLINE_IDS_FILE"), "set CRISISLINE_IDS_FILE")
    local ids = {}
    for id in io.lines(path) do
        if id ~= "" then ids[#ids + 1] = id end
    end
    assert(#ids > 0, "no contact ids in " .. path)
    for i, id in ipairs(ids) do
        local s = (i % #cookies) + 1
        requests[i] = wrk.format("GET", "/api/v1/lines/" .. line .. "/contacts/" .. id .. "?purpose=" .. purpose, {
            ["Host"] = wrk.headers["Host"],
            ["Cookie"] = cookies[s],
            ["X-CSRF-Token"] = csrfs[s],
        })
    end
end

function request()
    n = n + 1
    return requests[(n % #requests) + 1]
end
