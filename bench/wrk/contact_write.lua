-- wrk script: durable contact writes.
-- POST /api/v1/lines/<line>/contacts with a small JSON body; every 201 is a
-- contact committed (synchronous = FULL, group commit) with its audit entry.
--
-- Environment (set by bench/http_load.py):
--   CRISISLINE_COOKIES  space-separated "crisisline_session=..." values, one per signed-in session
--   CRISISLINE_CSRFS    space-separated CSRF tokens, in the same order
--   CRISISLINE_LINE     line id (default "police")
-- Requests rotate over the sessions.

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
    local body = '{"caller_role":"police_officer","notes":"bench note"}'
    for i = 1, #cookies do
        requests[i] = wrk.format("POST", "/api/v1/lines/" .. line .. "/contacts", {
            ["Host"] = wrk.headers["Host"],
            ["Cookie"] = cookies[i],
            ["X-CSRF-Token"] = csrfs[i],
            ["Content-Type"] = "application/json",
        }, body)
    end
end

function request()
    n = n + 1
    return requests[(n % #requests) + 1]
end
