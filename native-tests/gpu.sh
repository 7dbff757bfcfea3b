#!/usr/bin/env bash
# GPU runner.
#   gpu.sh pack          (here, with Java and Maven) builds the jars and a jlink runtime into native-tests/gpu-bundle/
#   gpu.sh run [parity|bench|lab ARGS...]
#                        (on the GPU machine, which has no Java) finds the CUDA libraries, runs the parity suite
#                        and the benchmarks beside PyTorch, then the kernel variants at benchmark sizes;
#                        results go to $OUT when it is set.
#   gpu.sh run lab list | lab KERNEL [SIZES...] [--variant NAME | --variants] [--math tf32] ...
#                        the kernel lab (docs/cuda.md): one kernel checked against the CPU, then timed
#   gpu.sh run sanitize [memcheck|racecheck|synccheck|initcheck]
#                        the op tests and GPU checks under compute-sanitizer (exit 3 when it reports errors)
# With the device tool: run(command="native-tests/gpu.sh run", carry=["native-tests/gpu-bundle"]).
# Rehearsal without a GPU: DPVM_CUDA_LIBS=native-tests/target/cuda-emu native-tests/gpu.sh run parity, and
#   DPVM_CUDA_LIBS=... DPVM_BENCH_SMALL=1 native-tests/gpu.sh run bench   (both sides at small sizes, PyTorch on
#   the CPU; DPVM_PYTHON names an interpreter that has PyTorch, DPVM_BENCH_NO_TORCH=1 leaves PyTorch out)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BUNDLE="$HERE/gpu-bundle"
LIMIT_MIB=60

pack() {
    cd "$ROOT"
    rm -rf "$BUNDLE"
    mkdir -p "$BUNDLE/lib"
    # one reactor run, so the sibling modules resolve without `mvn install`
    mvn -q package dependency:copy-dependencies -DskipTests -pl native-tests -am \
        -DincludeScope=runtime -DexcludeGroupIds=dev.dpvm -DoutputDirectory="$BUNDLE/lib"
    for m in tensor kernels nn native-tests; do cp "$m"/target/"$m"-*.jar "$BUNDLE/lib/"; done
    # test classes: the tensor op tests (compiled into native-tests) and the parity suite
    jar cf "$BUNDLE/lib/native-tests-tests.jar" -C native-tests/target/test-classes .
    local v; v=$(sed -n 's:.*<junit-platform.version>\(.*\)</junit-platform.version>.*:\1:p' "$ROOT/pom.xml")
    local console="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$v/junit-platform-console-standalone-$v.jar"
    [ -f "$console" ] || mvn -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$v"
    cp "$console" "$BUNDLE/junit-console.jar"
    local jlink="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
    "$jlink" --add-modules java.base,jdk.unsupported,jdk.incubator.vector,jdk.zipfs,java.logging,java.management,java.xml \
        --strip-debug --no-man-pages --no-header-files --compress=2 --output "$BUNDLE/jre"
    local mib; mib=$(du -sm "$BUNDLE" | cut -f1)
    echo "gpu-bundle: ${mib} MiB ($(ls "$BUNDLE/lib" | wc -l) jars) in $BUNDLE"
    if [ "$mib" -ge "$LIMIT_MIB" ]; then echo "gpu-bundle is over ${LIMIT_MIB} MiB" >&2; exit 1; fi
}

# Folders holding the CUDA libraries: the Python wheels' nvidia/*/lib, /usr/local/cuda, and the driver's.
cuda_lib_dirs() {
    {
        python3 - <<'PY' 2>/dev/null || true
import glob, site, sys
roots = set(site.getsitepackages() + [site.getusersitepackages()] + [p for p in sys.path if p.endswith("site-packages")])
for r in sorted(roots):
    for d in sorted(glob.glob(r + "/nvidia/*/lib") + glob.glob(r + "/nvidia/*/*/lib")):
        print(d)
PY
        for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do
            [ -d "$d" ] && echo "$d"
        done
        ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1/ {print $NF}' | xargs -r -n1 dirname
    } | awk '!seen[$0]++' | paste -sd: -
}

run() {
    local what="${1:-all}"
    [ $# -gt 0 ] && shift
    [ -x "$BUNDLE/jre/bin/java" ] || { echo "no bundle at $BUNDLE: run 'gpu.sh pack' on a machine with Java and carry native-tests/gpu-bundle" >&2; exit 1; }
    local out="${OUT:-$ROOT/runs/gpu-$(date +%Y%m%d-%H%M%S)}"
    mkdir -p "$out"
    # DPVM_CUDA_LIBS overrides the search, e.g. to rehearse the run on the CUDA emulator (emu/README.md)
    local libs; libs="${DPVM_CUDA_LIBS:-$(cuda_lib_dirs)}"
    local cache; cache="$(mktemp -d /tmp/dpvm-javacpp.XXXXXX)"
    export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    local java="$BUNDLE/jre/bin/java"
    local cp; cp="$(ls "$BUNDLE"/lib/*.jar | paste -sd: -)"  # explicit: the console launcher does not expand lib/*
    JOPTS=(--add-modules=jdk.incubator.vector -Xmx24g
        "-Dorg.bytedeco.javacpp.platform.linkpath=$libs"
        "-Dorg.bytedeco.javacpp.cachedir=$cache/javacpp"
        "-Ddpvm.kernels.cache=$cache/kernels")
    # extra JVM options, e.g. DPVM_JAVA_OPTS="-Ddpvm.parity.classes=ReductionAndMatmulTest -Ddpvm.cuda.math=tf32"
    read -r -a extra <<< "${DPVM_JAVA_OPTS:-}"
    JOPTS+=("${extra[@]}")
    # DPVM_BENCH_SMALL=1: both benchmark sides at rehearsal sizes (times mean nothing)
    [ -n "${DPVM_BENCH_SMALL:-}" ] && JOPTS+=(-Ddpvm.bench.small=true)
    local python="${DPVM_PYTHON:-python3}"
    echo "CUDA library folders: $libs"
    local machine; machine="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)"
    machine="${machine:-no nvidia-smi: not a GPU run}"
    echo "GPU: $machine"
    local status=0
    # The device tool gives one command 10 minutes. A phase that hangs (a kernel that never finishes on real
    # hardware) is stopped at its limit so the later phases and the recap still run; the lab sweep skips what
    # no longer fits in DPVM_RUN_BUDGET seconds. A limit can be raised for a run with the whole call to itself.
    local started=$SECONDS budget="${DPVM_RUN_BUDGET:-560}"
    local parity_limit="${DPVM_PARITY_LIMIT:-300}" bench_limit="${DPVM_BENCH_LIMIT:-150}"
    # a phase's limit: its own, or a share of what is left of the budget if that is less (at least 10 s), so
    # that however long the earlier phases ran, the recap still prints before the device tool's 10 minutes
    within_budget() { # WANTED_SECONDS SHARE_OF_WHAT_IS_LEFT
        local left=$(( (budget - (SECONDS - started)) / $2 ))
        (( left < 10 )) && left=10
        echo $(( $1 < left ? $1 : left ))
    }
    # first, what this run runs on (the GPU, its memory, each CUDA library's version and file), so that a run
    # that fails later still says it
    set +e
    timeout 60 "$java" "${JOPTS[@]}" -cp "$cp" dpvm.nativetests.DeviceReport 2>&1 | tee "$out/devices.txt"
    set -e
    if [ "$what" = all ] || [ "$what" = parity ]; then
        set +e
        timeout "$parity_limit" "$java" "${JOPTS[@]}" -Ddpvm.test.devices=cuda:0 -Ddpvm.cuda.poison=true -jar "$BUNDLE/junit-console.jar" execute \
            --class-path "$cp" --select-class dpvm.nativetests.ParitySuite --details=summary --disable-banner \
            --reports-dir="$out/junit" 2>&1 | tee "$out/parity.log"
        status=${PIPESTATUS[0]}
        set -e
    fi
    if [ "$what" = all ] || [ "$what" = bench ]; then
        # each side runs to its end even if the other failed, so the table shows whatever was measured
        set +e
        timeout "$(within_budget "$bench_limit" 2)" "$java" "${JOPTS[@]}" -cp "$cp" dpvm.nativetests.bench.GpuBench | tee "$out/bench-dpvm.jsonl"
        [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
        if [ -n "${DPVM_BENCH_NO_TORCH:-}" ]; then
            : > "$out/bench-torch.jsonl"   # rehearsal without PyTorch or a GPU
        else
            PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 timeout "$(within_budget "$bench_limit" 1)" "$python" "$HERE/bench/torch_bench.py" | tee "$out/bench-torch.jsonl"
            [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
        fi
        set -e
        "$python" "$HERE/bench/compare.py" "$out/bench-dpvm.jsonl" "$out/bench-torch.jsonl" "$machine" | tee "$out/bench-table.txt"
    fi
    if [ "$what" = all ]; then
        # the kernel variants at the benchmark sizes, each validated then timed (docs/cuda.md, the kernel lab)
        set +e
        # DPVM_LAB_SWEEP="KERNEL SIZES... [OPTIONS];..." replaces the list (smaller sizes to rehearse on the emulator)
        local sweep_list="${DPVM_LAB_SWEEP:-softmax 8192 4096 --variants;layernorm 8192 4096 --variants;add 67108864 --variants;add-bf16 134217728 --variants;exp 67108864 --variants;channel-sum 32 64 50176 --variants;time-sum 64 256 512 --variants;batchnorm 32 64 50176;batchnorm-train 32 64 50176 --variants;batchnorm-backward 32 64 50176 --variants;gelu-tanh 67108864;maxpool3d-backward 8 64 16 112 112;index-add 32768 768 8192 --variants;scatter-add 8192 1024 8 --variants;conv3d 8 64 64 16 56 56 3;conv3d 8 64 64 16 56 56 3 --autotune;conv3d-backward-filter 8 64 64 16 56 56 3;conv3d-backward-filter 8 64 64 16 56 56 3 --autotune}"
        local sweep; IFS=';' read -r -a sweep <<< "$sweep_list"
        for args in "${sweep[@]}"; do
            if (( SECONDS - started > budget - 20 )); then
                echo "lab $args: skipped, $(( SECONDS - started )) s of the ${budget} s budget used" | tee -a "$out/lab.txt"
                continue
            fi
            read -r -a lab_args <<< "$args"
            timeout "$(within_budget 90 1)" "$java" "${JOPTS[@]}" -cp "$cp" dpvm.kernels.lab.KernelLab "${lab_args[@]}" 2>&1 | tee -a "$out/lab.txt"
            [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
        done
        set -e
    fi
    if [ "$what" = sanitize ]; then
        # the op tests and GPU checks under NVIDIA's compute-sanitizer (out-of-bounds and misaligned accesses,
        # shared-memory races, barrier misuse, uninitialised reads), which the emulator cannot see; slow, so the
        # backbones and the memory soaks are left out (DPVM_SANITIZE_CLASSES replaces the list)
        local tool="${1:-memcheck}"
        local sanitizer; sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
        local classes="${DPVM_SANITIZE_CLASSES:-ElementwiseOpsTest,BFloat16OpsTest,FusedTest,ReductionAndMatmulTest,NormSoftmaxLossTest,IndexAndShapeOpsTest,ConvPoolOpsTest,DropoutAndCrossEntropyTest,RandomTest,AutogradTest,CudaChecks,StreamChecks,BadIndexChecks,KernelLabChecks}"
        set +e
        timeout "${DPVM_SANITIZE_LIMIT:-540}" "$sanitizer" --tool "$tool" --error-exitcode 3 --print-limit 50 --target-processes all \
            "$java" "${JOPTS[@]}" -Ddpvm.test.devices=cuda:0 -Ddpvm.cuda.poison=true "-Ddpvm.parity.classes=$classes" \
            -jar "$BUNDLE/junit-console.jar" execute --class-path "$cp" --select-class dpvm.nativetests.ParitySuite \
            --details=summary --disable-banner 2>&1 | tee "$out/sanitize-$tool.log"
        status=${PIPESTATUS[0]}
        set -e
    fi
    if [ "$what" = lab ]; then
        # the lab exits 1 when a check fails or a forced variant cannot run: report it after the recap
        set +e
        "$java" "${JOPTS[@]}" -cp "$cp" dpvm.kernels.lab.KernelLab "$@" 2>&1 | tee -a "$out/lab.txt"
        status=${PIPESTATUS[0]}
        set -e
    fi
    rm -rf "$cache"
    # a recap at the very end, where the device tool's output tail always shows it
    echo "==== recap ($(( SECONDS - started )) s)"
    [ -f "$out/devices.txt" ] && grep -vE '^WARNING' "$out/devices.txt"
    [ -f "$out/parity.log" ] && { grep -E '^(PARITY|SOAK|DETERMINISM|ParitySuite skipped|  FAILED)' "$out/parity.log" || echo "PARITY: no summary line (stopped at ${parity_limit} s, or see parity.log)"; }
    [ -f "$out/bench-table.txt" ] && cat "$out/bench-table.txt"
    # the lab's launch tables (kernels, registers, occupancy) stay in lab.txt: the recap must fit the tool's output tail
    [ "$what" = all ] && [ -f "$out/lab.txt" ] && { grep -vE '^(WARNING|  ceiling|  kernels of ours|    |  registers, local memory)' "$out/lab.txt"; echo "(each run's launched kernels, registers and occupancy: lab.txt)"; }
    for f in "$out"/sanitize-*.log; do
        [ -f "$f" ] && { grep -E '^(PARITY|  FAILED|========= (ERROR SUMMARY|Invalid|Race|Barrier|Uninitialized|Misaligned))' "$f" | head -40; }
    done
    echo "results in $out"
    return "$status"
}

case "${1:-}" in
    pack) pack ;;
    run) shift; run "$@" ;;
    *) echo "usage: $0 pack | run [all|parity|bench|sanitize [TOOL]|lab list|lab KERNEL [SIZES...] [--variant NAME|--variants]]" >&2; exit 2 ;;
esac
