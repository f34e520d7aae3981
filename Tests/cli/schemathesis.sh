#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the committed OpenAPI file on a live `kallad run` with a temporary config:
# every documented operation, generated inputs (triggers signed by schemathesis_hooks.py), and the responses checked
# against the document. positive_data_acceptance is off: a schema-valid trigger may still name a date that does not
# exist or has passed (422), which JSON Schema cannot express.
set -euo pipefail
cd "$(dirname "$0")/../.."
kallad=$(realpath "${KALLAD:-.build/debug/kallad}")
tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
cp -r Config "$tmp/config"
mkdir "$tmp/credentials"
for name in kallad-webhook-arendesystem kallad-webhook-avvikelser; do
    echo "whsec_$(head -c 24 /dev/urandom | base64)" > "$tmp/credentials/$name"
done
token="read-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$token" > "$tmp/credentials/kallad-read-token"
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s/listen: 127.0.0.1:[0-9]*/listen: 127.0.0.1:$port/; s/log_level: info/log_level: warning/" "$tmp/config/kallad.yaml"
(cd "$tmp" && STATE_DIRECTORY="$tmp" CREDENTIALS_DIRECTORY="$tmp/credentials" exec "$kallad" run --config "$tmp/config") \
    > "$tmp/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
KALLAD_TEST_SECRET=$(cat "$tmp/credentials/kallad-webhook-arendesystem") SCHEMATHESIS_HOOKS=schemathesis_hooks \
    PYTHONPATH=Tests/cli .venv/bin/schemathesis run openapi/kallad.openapi.yaml --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" --checks all --exclude-checks positive_data_acceptance --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" \
    --generation-deterministic --no-color 2>&1 | tail -${SCHEMATHESIS_TAIL:-40}
