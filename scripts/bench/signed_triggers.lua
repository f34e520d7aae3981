-- wrk script: POSTs pre-signed triggers (unique webhook-ids, so none is a replay). The file named by
-- KALLAD_SIGNED holds a first line "<timestamp>\t<body>" and then one "<id>\t<signature>" per line; each wrk
-- thread takes every n-th line.
local threads = {}

function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

function init(args)
    local nthreads = tonumber(os.getenv("KALLAD_THREADS") or "1")
    local stamp, body
    requests = {}
    local i = 0
    for line in io.lines(os.getenv("KALLAD_SIGNED")) do
        if i == 0 then
            stamp, body = line:match("^(%d+)\t(.*)$")
        elseif (i - 1) % nthreads == (tid or 0) then
            local id, sig = line:match("^(%S+)\t(%S+)$")
            requests[#requests + 1] = wrk.format("POST", "/v1/triggers", {
                ["Content-Type"] = "application/json",
                ["webhook-id"] = id,
                ["webhook-timestamp"] = stamp,
                ["webhook-signature"] = sig,
                ["kallad-system"] = "bench",
            }, body)
        end
        i = i + 1
    end
    n = 0
end

-- Each request is formatted once, before the run: formatting it in request() cost wrk about 20 µs of CPU per
-- request, taken from the same 2 cores as the server's.
function request()
    n = n + 1
    if n > #requests then n = 1 end
    return requests[n]
end
