#!/usr/bin/env bash
# node_deadline.sh: --timeout bounds a step, whatever the node does. A fake node
# (test/e2e/fake_node.py, with its own fake epmd reached through ERL_EPMD_PORT)
# sends one byte every 1.5 s: in the handshake, then after a real handshake in the
# middle of a message. ei's own timeouts apply per read, so such a peer held
# `--timeout 2000` for a minute; now each case ends with exit 8 and a message
# naming the step and its bound, within the timeout plus slack (a bound, not a
# speed figure; each run is cut off after 20 s). A node that claims a message of
# 4 GB is refused at once (exit 14), before anything is allocated, and so is a
# message header cut short. A wrong cookie is still a rejected cookie.
# ctest-timeout: 180
. "$BV_SRC/test/e2e/lib.sh"

OUT="$BV_TMP/out.csv"
fake_node() { # fake_node MODE: starts one, sets $EPMD to its epmd port
  local pf="$BV_TMP/$1.port" i
  python3 "$BV_SRC/test/e2e/fake_node.py" "$pf" "$1" fakecookie &
  on_exit "kill $! 2>/dev/null"
  for ((i = 0; i < 100; i++)); do [ -s "$pf" ] && break; sleep 0.1; done
  EPMD=$(cat "$pf" 2>/dev/null) || fail "fake node ($1) did not start"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_bounded BOUND_MS CODE 'substring' ARGS...: beamviz against the fake node
# with --timeout 2000 ends with CODE and the substring within BOUND_MS
run_bounded() {
  local bound=$1 code=$2 sub=$3 t0 el
  shift 3
  t0=$(now_ms)
  expect_exit "$code" "$sub" "$OUT" -- timeout -s KILL 20 env ERL_EPMD_PORT="$EPMD" \
    "$BEAMVIZ" --timeout 2000 --node bvfake@127.0.0.1 "$@" procs -o "$OUT"
  el=$(($(now_ms) - t0))
  [ "$el" -le "$bound" ] || fail "$sub: took $el ms (bound $bound ms)"
}

# --- the handshake's answer arrives one byte every 1.5 s: one deadline for the
# connection step (epmd, connect, handshake)
fake_node drip_handshake
run_bounded 5000 8 "node bvfake@127.0.0.1 did not complete the handshake within 2000 ms" \
  --cookie fakecookie

# --- a real handshake, then a message one byte every 1.5 s: one deadline for the
# call (the connection step before it takes no time here)
fake_node drip_message
run_bounded 5000 8 "node bvfake@127.0.0.1 did not answer within 2000 ms (a message was still arriving)" \
  --cookie fakecookie

# --- a real handshake, then a message that claims 4 GB: refused before any
# allocation, at once
fake_node huge_claim
run_bounded 5000 14 "sent a message of 4294967280 bytes, more than the limit of 256 MiB on one message" \
  --cookie fakecookie

# --- a message header that ends inside an atom: bad data, not a crash
fake_node bad_header
run_bounded 5000 14 "node bvfake@127.0.0.1 sent a malformed message header" --cookie fakecookie

# --- the fake node checks the cookie like a node does
run_bounded 5000 7 "cookie rejected" --cookie wrongcookie
pass
