#!/usr/bin/env bash
# Builds the emulator's cuBLAS and cuDNN with the lines in ../libs.txt against the stub runtime (emu_stub.cpp, as
# libcudart.so.13), checks sonames and version nodes, and runs blas_dnn_test. Usage: run.sh [output folder].
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
if [ -n "${1:-}" ]; then mkdir -p "$1"; OUT=$(cd "$1" && pwd); else OUT=$(mktemp -d); fi
export OUT
echo "building into $OUT"
g++ -std=c++17 -O2 -fPIC -shared -I native-tests/emu native-tests/emu/test/emu_stub.cpp -o "$OUT/libcudart.so.13" \
    -Wl,-soname,libcudart.so.13 -Wl,--version-script=native-tests/emu/test/libcudart.stub.map
status=0
while IFS='|' read -r soname node cmd; do
    soname=$(echo $soname); node=$(echo $node)
    eval "$cmd"
    got=$(readelf -d "$OUT/$soname" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$got" = "$soname" ] || { echo "$soname: soname is '$got'"; status=1; }
    readelf -V "$OUT/$soname" | grep -q "Name: $node\$" || { echo "$soname: no version node $node"; status=1; }
    # every exported function carries the library's own node
    stray=$(nm -D --defined-only "$OUT/$soname" | awk '$2 == "T"' | grep -v "@@$node\$" || true)
    [ -z "$stray" ] || { echo "$soname: exports outside $node:"; echo "$stray"; status=1; }
done < <(grep -v '^\s*#' native-tests/emu/libs.txt | grep .)
g++ -std=c++17 -O2 -ffp-contract=off -Wall -Wextra -I native-tests/emu native-tests/emu/test/blas_dnn_test.cpp \
    -o "$OUT/blas_dnn_test" -L"$OUT" -l:libcudart.so.13 -ldl -Wl,-rpath,'$ORIGIN'
"$OUT/blas_dnn_test" || status=1
exit $status
