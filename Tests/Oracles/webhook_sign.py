"""Signs trigger bodies with the standardwebhooks package, as another system would.
stdin: {secret, timestamp, cases: [{id, body}]}. Prints a JSON list of webhook-signature values."""
import datetime
import json
import sys

from standardwebhooks.webhooks import Webhook

request = json.load(sys.stdin)
hook = Webhook(request["secret"])
when = datetime.datetime.fromtimestamp(request["timestamp"], tz=datetime.timezone.utc)
print(json.dumps([hook.sign(case["id"], when, case["body"]) for case in request["cases"]]))
