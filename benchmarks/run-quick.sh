#!/bin/sh
# Quick benchmark comparison (about 5-10 minutes on 2 cores): builds the project, then runs the JMH suite and the
# same workloads in PyTorch, alternating, for the Fashion-MNIST model at batch 1 and 8 (UNet forward, F_tau forward,
# attack step); prints the Java/PyTorch ratio table and a WARNING line for every workload whose ratio is more than
# 20% above the one recorded in benchmarks/RESULTS.md. Writes benchmarks/target/quick-results.md.
# Needs Java 17, Maven and Debian's python3-torch + python3-onnx (/usr/bin/python3).
# Extra arguments go to scripts/bench_compare.py (e.g. --threads 1).
set -e
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
mvn -B -q install -DskipTests
mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/cp.txt
exec /usr/bin/python3 scripts/bench_compare.py --quick "$@"
