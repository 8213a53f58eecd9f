#!/usr/bin/env bash
# Builds famfs-nio and the JMH benchmarks, then runs them; arguments go to JMH (see bench/README.md).
#   bench/run.sh -f 1 -wi 3 -i 5 -w 1s -r 2s
# JAVA=/path/to/bin/java picks the JVM the benchmarks run on (the build uses Maven's JDK).
#   bench/run.sh side-by-side [--rounds 15] [--warmup 5] [--sample-ms 200] [pair ...]
# runs the side-by-side harness (io.github.famfs.bench.SideBySide) instead of JMH: the source of every ratio
# in bench/RESULTS.md and the README.
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench")"
cd "$root"
mvn -B -q -DskipTests install
# clean: target/ may hold classes compiled for another release (a JDK 22+ Maven also compiles src/main/java22)
mvn -B -q -f bench/pom.xml clean package
if rev="$(git rev-parse --short HEAD 2>/dev/null)"; then
    git diff --quiet HEAD -- src pom.xml 2>/dev/null || rev="$rev+uncommitted changes"
    echo "# famfs-nio at commit $rev" >&2
fi
if [ "${1:-}" = side-by-side ]; then
    shift
    exec "${JAVA:-java}" --enable-native-access=ALL-UNNAMED -Xmx2g -cp bench/target/benchmarks.jar \
        io.github.famfs.bench.SideBySide "$@"
fi
exec "${JAVA:-java}" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar "$@"
