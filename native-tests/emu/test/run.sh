#!/usr/bin/env bash
# Builds the emulator's libraries with ../build.sh on the stub runtime (emu_stub.cpp as libcudart.so.13), checks
# the cuBLAS/cuDNN sonames and version nodes, and runs blas_dnn_test, order_test and runtime_test.
# Usage: run.sh [output folder].
set -euo pipefail
command -v "${DPVM_EMU_CXX:-g++}" >/dev/null || { echo "cuda-emu: no C++ compiler; blas_dnn_test skipped"; exit 0; }
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
if [ -n "${1:-}" ]; then mkdir -p "$1"; OUT=$(cd "$1" && pwd); else OUT=$(mktemp -d); fi
export OUT
echo "building into $OUT"
native-tests/emu/build.sh "$OUT" native-tests/emu/test/emu_stub.cpp
status=0
# every library's soname and version node, and no function exported outside the node
for soname in libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9; do
    node=$soname
    got=$(readelf -d "$OUT/$soname" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$got" = "$soname" ] || { echo "$soname: soname is '$got'"; status=1; }
    readelf -V "$OUT/$soname" | grep -q "Name: $node\$" || { echo "$soname: no version node $node"; status=1; }
    stray=$(nm -D --defined-only "$OUT/$soname" | awk '$2 == "T"' | grep -v "@@$node\$" || true)
    [ -z "$stray" ] || { echo "$soname: exports outside $node:"; echo "$stray"; status=1; }
done
g++ -std=c++17 -O2 -ffp-contract=off -Wall -Wextra -I native-tests/emu native-tests/emu/test/blas_dnn_test.cpp \
    -o "$OUT/blas_dnn_test" -L"$OUT" -l:libcudart.so.13 -ldl -Wl,-rpath,'$ORIGIN'
"$OUT/blas_dnn_test" || status=1
# the fiber and block orders the kernels run in (device.h, DPVM_EMU_ORDER): read once per process
g++ -std=c++17 -O1 -Wall -Wextra -I native-tests/emu native-tests/emu/test/order_test.cpp -o "$OUT/order_test"
for order in forward reverse shuffle; do
    DPVM_EMU_ORDER=$order DPVM_EMU_SEED=1 "$OUT/order_test" $order || status=1
done
# the runtime's streams (runtime.cpp linked in, DPVM_EMU_STREAMS): read once per process
g++ -std=c++17 -O1 -Wall -Wextra -I native-tests/emu native-tests/emu/test/runtime_test.cpp native-tests/emu/runtime.cpp \
    -o "$OUT/runtime_test" -ldl
for streams in lazy eager; do
    DPVM_EMU_STREAMS=$streams "$OUT/runtime_test" $streams || status=1
done
exit $status
