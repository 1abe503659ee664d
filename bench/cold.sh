#!/bin/bash
# Cold runs of `graphdiff grad FILE ARGS... --format json`: an empty cache each run, the default (a detached
# process compiles for next time) against GRAPHDIFF_COMPILE=0, three rounds; after each run the script waits
# for the background compile to finish so that it does not overlap the next run.
# Usage (graphdiff on PATH):  bash bench/cold.sh FILE [ARGS...]
set -u
F=$1; shift
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
for round in 1 2 3; do
  for mode in background 0; do
    rm -rf "$CACHE"; mkdir -p "$CACHE"
    s=$(date +%s.%N)
    GRAPHDIFF_CACHE_DIR=$CACHE GRAPHDIFF_COMPILE=$mode graphdiff grad "$F" "$@" --format json > /dev/null
    e=$(date +%s.%N)
    printf '%-10s round %d  %.2f s\n' "$mode" "$round" "$(echo "$e - $s" | bc)"
    while pgrep -f "graphdiff grad $F" > /dev/null || ls "$CACHE"/*.lock > /dev/null 2>&1; do sleep 0.5; done
  done
done
