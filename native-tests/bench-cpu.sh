#!/usr/bin/env bash
# CPU benchmarks of the engine against libtorch (through DJL), side by side in one JMH run.
#
#   native-tests/bench-cpu.sh                # the full table, about 5 to 10 minutes
#   native-tests/bench-cpu.sh GemmBench      # any extra arguments go to JMH (a benchmark regex, -p shape=1024...)
#
# Builds native-tests with the bench profile (target/benchmarks.jar), runs JMH with JSON output into
# target/bench-cpu.json, then prints the Markdown table and writes it to target/bench-cpu.md.
# Works offline: libtorch is unpacked from the pytorch-native-cpu jar into target/djl-cache.
# Both sides use 2 intra-op threads (see src/bench/java/dpvm/bench/cpu/Jvm.java); run on a quiet machine.
# On a shared one, OMP_WAIT_POLICY=PASSIVE (inherited by the forks) stops libtorch's OpenMP threads from
# spinning in barriers against other processes, which otherwise costs it up to 10x on small GEMMs; the
# table header records the setting.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

(cd "$root" && mvn -B -q -P bench -pl native-tests -am -DskipTests package)

cd "$here"
# The forked benchmark JVMs inherit these: DJL reads them as environment variables too.
export DJL_CACHE_DIR="$here/target/djl-cache"
export DJL_OFFLINE=true

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
jdk="$(java -version 2>&1 | head -n1)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
gib=$(( $(grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2) / 1048576 ))
machine="$(nproc) cores, ${cpu}, ${gib} GiB, ${jdk}; OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}; load average at start ${load}"

java -jar target/benchmarks.jar -rf json -rff target/bench-cpu.json "$@"
java --add-modules=jdk.incubator.vector -cp target/benchmarks.jar dpvm.bench.cpu.Report target/bench-cpu.json target/bench-cpu.md "$machine"
