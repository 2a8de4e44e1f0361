#!/usr/bin/env bash
# Builds and runs this outside project against the installed library (run `mvn -B install -DskipTests` in the
# repository first), then checks what it pulls in: one ND4J native jar, no logging backend, no command-line libraries.
set -euo pipefail
cd "$(dirname "$0")"
export OMP_WAIT_POLICY=PASSIVE
mvn -B -q compile exec:java
test -s explanation.png
mvn -B -q dependency:list -DoutputFile=target/deps.txt -DincludeScope=runtime
natives=$(grep -c "org.nd4j:nd4j-native:jar:linux" target/deps.txt || true)
backends=$(grep -cE "slf4j-simple|logback-classic|log4j-slf4j|slf4j-reload4j|slf4j-jdk14" target/deps.txt || true)
cli=$(grep -cE "info.picocli|org.knowm.xchart" target/deps.txt || true)
echo "consumer: ND4J native jars: $natives; logging backends: $backends; command-line libraries: $cli"
[ "$natives" -eq 1 ] && [ "$backends" -eq 0 ] && [ "$cli" -eq 0 ]
rm -f explanation.png
