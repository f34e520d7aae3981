"""Verifies Kallad's webhook signatures with the standardwebhooks package (which checks the timestamp against
the clock, so the cases carry the current time). stdin: {secret, cases: [{id, timestamp, body, signature}]}.
Prints "N verified"; any failure raises."""
import json
import sys

from standardwebhooks.webhooks import Webhook

request = json.load(sys.stdin)
hook = Webhook(request["secret"])
for case in request["cases"]:
    hook.verify(case["body"], {"webhook-id": case["id"], "webhook-timestamp": str(case["timestamp"]),
                               "webhook-signature": case["signature"]})
print(f"{len(request['cases'])} verified")
