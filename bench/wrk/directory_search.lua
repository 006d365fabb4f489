-- wrk script: unaudited authenticated reads (signposting directory search).
-- GET /api/v1/lines/<line>/directory?need=...&q=..., cycling over a few queries.
--
-- Environment (set by bench/http_load.py):
--   CRISISLINE_COOKIES, CRISISLINE_CSRFS  as in contact_write.lua
--   CRISISLINE_LINE                        line id (default "police")
--   CRISISLINE_SEARCH_QUERIES              optional: space-separated query strings replacing the list below,
--                                          e.g. "need=counselling&q=support&limit=1"

local function words(s)
    local out = {}
    for w in string.gmatch(s or "", "%S+") do out[#out + 1] = w end
    return out
end

local queries = {
    "need=counselling&q=support",
    "need=counselling&q=support%20phone",
    "need=counselling&region=London&q=support",
    "need=therapy&q=support",
    "need=peer_support&q=group",
    "need=counselling&region=North%20West&q=critical%20incident",
    "need=bereavement&q=support",
    "need=counselling&q=support&limit=50",
}

local requests = {}
local n = 0

function init(args)
    local cookies = words(os.getenv("CRISISLINE_COOKIES"))
    local csrfs = words(os.getenv("CRISISLINE_CSRFS"))
    assert(#cookies > 0 and #cookies == #csrfs, "set CRISISLINE_COOKIES and CRISISLINE_CSRFS (same count)")
    local line = os.getenv("CRISISLINE_LINE") or "police"
    local override = words(os.getenv("CRISISLINE_SEARCH_QUERIES"))
    if #override > 0 then queries = override end
    for s = 1, #cookies do
        for _, q in ipairs(queries) do
            requests[#requests + 1] = wrk.format("GET", "/api/v1/lines/" .. line .. "/directory?" .. q, {
                ["Host"] = wrk.headers["Host"],
                ["Cookie"] = cookies[s],
                ["X-CSRF-Token"] = csrfs[s],
            })
        end
    end
end

function request()
    n = n + 1
    return requests[(n % #requests) + 1]
end
