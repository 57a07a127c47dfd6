#!/usr/bin/env bash
# Side-by-side build comparison of studybook binaries on one site: the binaries alternate, each
# run builds into a new folder, and the medians of every stage's wall and processor time
# (`STUDYBOOK_TIMINGS=1`) are printed, so that a change is judged against its parent measured in
# the same minutes on this noisy machine.
#
#   bash benches/compare.sh RUNS SITE_DIR BINARY...
#
# e.g. build the parent and the change, copy each `target/release/studybook` aside, then
#   TMPDIR=/dev/shm bash benches/compare.sh 3 /dev/shm/site-10000 /tmp/studybook-before /tmp/studybook-after
# The outputs go under $TMPDIR (default /tmp): keep them and the site in memory (/dev/shm), or
# the disk's noise is measured too (on this VM, writing 10,000 pages' HTML to disk took 7 s).
# Stage rows show `wall_ms cpu_ms` per binary; pack rows are times into the pack export.
set -euo pipefail
runs=$1
site=$2
shift 2
out=$(mktemp -d "${TMPDIR:-/tmp}/studybook-compare.XXXXXX")
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$runs"); do
  for binary in "$@"; do
    rm -rf "$out/public"
    if ! (cd "$site" && STUDYBOOK_TIMINGS=1 /usr/bin/time -f "total %e %U %S" "$binary" build --out "$out/public" >/dev/null 2>"$out/log"); then
      echo "$binary failed to build $site:" >&2
      cat "$out/log" >&2
      exit 1
    fi
    awk -v bin="$binary" '
        /^timing: / && !/pack,/ {
          line = $0; sub(/^timing: /, "", line); split(line, parts, /  +/)
          wall = parts[2]; sub(/ ms/, "", wall)
          cpu = $0; sub(/.*cpu +/, "", cpu); sub(/ ms.*/, "", cpu)
          printf "%s\t%s\t%s\t%s\n", bin, parts[1], wall, cpu }
        /^timing:   pack, / {
          line = $0; sub(/^timing:   pack, /, "", line); split(line, parts, /  +/)
          at = $0; sub(/.* at +/, "", at); sub(/ ms.*/, "", at)
          cpu = $0; sub(/.*cpu +/, "", cpu); sub(/ ms.*/, "", cpu)
          printf "%s\tpack: %s\t%s\t%s\n", bin, parts[1], at, cpu }
        /^total / { printf "%s\ttotal\t%d\t%d\n", bin, $2 * 1000, ($3 + $4) * 1000 }' "$out/log"
  done
done >"$out/times.tsv"
python3 - "$out/times.tsv" "$@" <<'PY'
import collections, statistics, sys
rows, binaries = sys.argv[1], sys.argv[2:]
times, stages = collections.defaultdict(list), []
for line in open(rows, encoding="utf-8"):
    binary, stage, wall, cpu = line.rstrip("\n").split("\t")
    if stage not in stages:
        stages.append(stage)
    times[(binary, stage)].append((float(wall), float(cpu)))
print("stage".ljust(40) + "".join(f"{b[-24:]:>26}" for b in binaries))
for stage in stages:
    row = stage.ljust(40)
    for binary in binaries:
        found = times.get((binary, stage), [])
        if found:
            wall = statistics.median(w for w, _ in found)
            cpu = statistics.median(c for _, c in found)
            row += f"{wall:>13.0f}{cpu:>13.0f}"
        else:
            row += " " * 26
    print(row)
PY
