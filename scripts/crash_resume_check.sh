#!/bin/bash
# Crash safety of the result store, checked from outside: kills `ace evaluate` (strace fault injection: SIGKILL at
# the Nth write to a results.jsonl or to a settings file's temporary copy), resumes it with --resume, and checks that
# every file parses and that the explanations and the table (times aside) equal an uninterrupted run's.
# Needs strace and python3; about 20 minutes on 2 cores. Usage: scripts/crash_resume_check.sh [work folder]
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$root/ace-examples/target/ace-examples.jar" ] || (cd "$root" && mvn -B -q -DskipTests -pl ace-examples -am package)
J="java -Xmx3g -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=8G -jar $root/ace-examples/target/ace-examples.jar"
work="$(realpath -m "${1:-/tmp/ace-crash-check}")"; mkdir -p "$work"
ARGS="evaluate --count 3 --steps 2 --batch-size 1 --methods ACE-l1,Pre-CE,plain-PGD --lambda-count 0 --report-count 0"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
cd "$work"
[ -d ref ] || $J $ARGS --out ref > ref.log 2>&1
for spec in Pre-CE/results.jsonl:1 Pre-CE/results.jsonl:2 Pre-CE/results.jsonl:3 ACE-l1/results.jsonl:1 ACE-l1/results.jsonl:3 \
            plain-PGD/results.jsonl:2 Pre-CE/settings.txt.tmp:1 ACE-l1/settings.txt.tmp:1; do
  target=${spec%%:*}; n=${spec##*:}; out=$work/kill-$(echo $target | tr '/.' '__')-$n
  rm -rf $out
  strace -f -qq -o /dev/null -P $out/evaluate/$target -e trace=write,pwrite64 -e inject=write,pwrite64:signal=KILL:when=$n \
    $J $ARGS --out $out > $out.kill.log 2>&1
  rc1=$?
  $J $ARGS --out $out --resume > $out.resume.log 2>&1
  rc2=$?
  python3 - "$out" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
bad = 0
for f in glob.glob(out + "/evaluate/*/results.jsonl") + glob.glob(out + "/evaluate/*/results.jsonl.*.old"):
    for i, line in enumerate(open(f)):
        try: json.loads(line)
        except Exception: bad += 1; print("unparseable", f, i)
for f in glob.glob(out + "/evaluate/*/settings.txt") + [out + "/evaluate/settings.txt"]:
    if os.path.exists(f) and not open(f).read().endswith("\n"): bad += 1; print("torn", f)
same = True
for m in ["ACE-l1", "Pre-CE", "plain-PGD"]:
    def load(d):
        r = {}
        for line in open(d + "/evaluate/" + m + "/results.jsonl"):
            e = json.loads(line); r[e["sampleId"]] = (e["explanation"]["data"], e["mask"]["data"], e["after"], e["success"])
        return r
    a, b = load(os.getcwd() + "/ref"), load(out)
    if a != b: same = False; print(m, "differs:", sorted(a), sorted(b))
def rows(f):
    out = []
    for l in open(f):
        if not l.startswith("| ") or "time/image" in l: continue
        cells = l.split("|")
        out.append("|".join(cells[:-2]) if cells[1].strip() in ("ACE-l1", "Pre-CE", "plain-PGD") else l)
    return out
t1, t2 = rows(os.getcwd() + "/ref/evaluate/table.md"), rows(out + "/evaluate/table.md")
strip = lambda x: x
print("unparseable/torn files:", bad, "| explanations identical to the uninterrupted run:", same,
      "| table identical (times aside):", strip(t1) == strip(t2))
PY
  echo "$spec: kill rc $rc1, resume rc $rc2"
done
