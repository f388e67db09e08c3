#!/usr/bin/env bash
# Runs schemathesis against a live member-mock with the seed-aligned OpenAPI
# document (members, roles), then with the IAM document's operations the mock
# serves (permission groups, resource groups, user groups and their members,
# zones, accounts, audit logs), and exits non-zero when
# either run fails.
#
#   scripts/conformance.sh              # from the repository root
#   SPEC=path/to/openapi.json IAM_SPEC=path/to/iam.json MAX_EXAMPLES=50 scripts/conformance.sh
#
# Creates .venv-conformance (git-ignored) with a pinned schemathesis from
# PyPI, builds member-mock, starts it on a free port, runs the checks listed
# below, then stops the server. Where the spec itself is wrong, the check is
# excluded for that operation only, and crates/member-mock/CONFORMANCE.md
# says why.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SPEC="${SPEC:-../shared/reference/members-openapi.seed-aligned.json}"
IAM_SPEC="${IAM_SPEC:-../shared/reference/iam-openapi.json}"
# The IAM document's operations the mock serves.
IAM_PATHS='^/(accounts/\{account_id\}/(iam/(permission_groups|resource_groups|user_groups)(/.*)?|logs/audit)|zones|accounts)$'
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
MAX_EXAMPLES="${MAX_EXAMPLES:-100}"
VENV="${VENV:-$ROOT/.venv-conformance}"
PYTHON="${PYTHON:-python3}"

for spec in "$SPEC" "$IAM_SPEC"; do
    if [[ ! -f "$spec" ]]; then
        echo "conformance: spec not found at $spec (set SPEC=... or IAM_SPEC=...)" >&2
        exit 2
    fi
done

if [[ ! -x "$VENV/bin/schemathesis" ]] || ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "conformance: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "conformance: building member-mock"
cargo build --quiet -p member-mock --bin member-mock
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/member-mock"

LOG="$(mktemp -t member-mock-conformance.XXXXXX)"
"$BIN" --port 0 >"$LOG" 2>&1 &
MOCK_PID=$!
cleanup() {
    kill "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$LOG"
}
trap cleanup EXIT

BASE_URL=""
for _ in $(seq 1 100); do
    BASE_URL="$(sed -n 's/^base_url=//p' "$LOG" | head -n1)"
    [[ -n "$BASE_URL" ]] && break
    if ! kill -0 "$MOCK_PID" 2>/dev/null; then
        echo "conformance: member-mock exited early:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$BASE_URL" ]]; then
    echo "conformance: member-mock did not print its base URL" >&2
    cat "$LOG" >&2
    exit 1
fi
TOKEN="$(sed -n 's/^token=//p' "$LOG" | head -n1)"
echo "conformance: member-mock at $BASE_URL"

# Checks: all of schemathesis' checks (its default), less the exceptions in
# scripts/schemathesis.toml (members) and scripts/schemathesis-iam.toml (IAM)
# that CONFORMANCE.md explains.
run_schemathesis() {
    local config="$1"
    shift
    "$VENV/bin/schemathesis" --config-file "$ROOT/scripts/$config" run "$@" \
        --url "$BASE_URL" \
        --header "Authorization: Bearer $TOKEN" \
        --generation-with-security-parameters false \
        --max-examples "$MAX_EXAMPLES" \
        --seed 20240806 \
        --generation-database none \
        --workers 1 \
        --no-color
}

set +e
echo "conformance: members and roles ($SPEC)"
run_schemathesis schemathesis.toml "$SPEC"
STATUS=$?
echo "conformance: permission groups, resource groups, user groups, zones and accounts ($IAM_SPEC)"
run_schemathesis schemathesis-iam.toml "$IAM_SPEC" --include-path-regex "$IAM_PATHS"
IAM_STATUS=$?
set -e
echo "conformance: schemathesis exited with $STATUS (members) and $IAM_STATUS (IAM)"
if [[ "$STATUS" -ne 0 ]]; then
    exit "$STATUS"
fi
exit "$IAM_STATUS"
