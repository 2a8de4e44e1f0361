#!/usr/bin/env bash
# Fuzzes the readers of untrusted bytes (ace-core HostileInputFuzzTest) with Jazzer, one target after the other, each
# for a bounded time (Jazzer fuzzes one @FuzzTest per JVM). Usage, from the repository root:
#
#   scripts/fuzz.sh [duration] [target...]      # e.g. scripts/fuzz.sh 30s   or   scripts/fuzz.sh 5m onnx npz
#
# Targets: onnx npy npz image (default: all four); duration: Jazzer's form, default 30s per target. A finding fails
# the run and is written to ace-core/src/test/resources/org/acejvm/core/HostileInputFuzzTestInputs/<target>/crash-*,
# where plain `mvn test` replays it: fix the library, add a regression test, commit the input. The generated corpus
# goes to ace-core/.cifuzz-corpus/ (not committed). Each run's log: target/fuzz-<target>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(onnx npy npz image)
mkdir -p target
mvn -B -o -q -Dstyle.color=never -pl ace-core -am test-compile >/dev/null 2>&1 || { echo "fuzz: build failed"; exit 2; }
status=0
for t in "${targets[@]}"; do
  log="target/fuzz-$t.log"
  JAZZER_FUZZ=1 mvn -B -o -Dstyle.color=never -pl ace-core test -Dtest="HostileInputFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration" >"$log" 2>&1
  rc=$?
  runs=$(grep -a '^Done ' "$log" | tail -1)
  finding=$(grep -a 'Test unit written to' "$log" | sed 's/.*Test unit written to //' | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz $t: ${runs:-no fuzzing summary (see $log)}"
  else
    echo "fuzz $t: FINDING ${finding:-(see $log)} ${runs}"
    status=1
  fi
done
exit $status
