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
    ids, sigs = {}, {}
    local i = 0
    for line in io.lines(os.getenv("KALLAD_SIGNED")) do
        if i == 0 then
            stamp, body = line:match("^(%d+)\t(.*)$")
        elseif (i - 1) % nthreads == (tid or 0) then
            local id, sig = line:match("^(%S+)\t(%S+)$")
            ids[#ids + 1] = id
            sigs[#sigs + 1] = sig
        end
        i = i + 1
    end
    n = 0
end

function request()
    n = n + 1
    if n > #ids then n = 1 end
    return wrk.format("POST", "/v1/triggers", {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = ids[n],
        ["webhook-timestamp"] = stamp,
        ["webhook-signature"] = sigs[n],
        ["kallad-system"] = "bench",
    }, body)
end
