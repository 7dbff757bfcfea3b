#!/usr/bin/env bash
# Builds the CUDA emulator's libraries (README.md here) into DIR, default native-tests/target/cuda-emu.
#   build.sh [DIR [RUNTIME_SOURCE]]   RUNTIME_SOURCE replaces runtime.cpp (test/run.sh builds on a stub runtime)
# Rebuilds only when a source changed. Without a C++ compiler it says so and builds nothing (the emulated
# parity run is then skipped with that reason).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/cuda-emu}
runtime=${2:-$here/runtime.cpp}
cxx=${DPVM_EMU_CXX:-g++}
if ! command -v "$cxx" >/dev/null; then
  echo "cuda-emu: no C++ compiler ($cxx); the emulator is not built"
  exit 0
fi
mkdir -p "$out"
stamp=$(cat "$here"/*.h "$here"/*.cpp "$here"/maps/* "$runtime" "$0" | sha256sum | cut -c1-16)
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" ]]; then
  exit 0
fi
rm -rf "$out"/*.so* "$out/stamp" "$out/kernel-cache"

# Each library exports its functions under the version node the JavaCPP bindings reference (e.g.
# cudaMalloc@libcudart.so.13): maps/NAME.map where the exports need a filter, else every symbol.
lib() { # NAME SOURCE [FLAGS...]
  local name=$1 src=$2 map=$here/maps/$1.map
  shift 2
  if [[ ! -f $map ]]; then
    map=$out/$name.map
    echo "$name { global: *; };" > "$map"
  fi
  "$cxx" -std=c++17 -fPIC -shared -I"$here" -I"$out" "$src" -o "$out/$name" \
    -Wl,-soname,"$name" -Wl,--version-script="$map" "$@"
}

echo "" > "$out/empty.cpp"
lib libcuda.so.1 "$out/empty.cpp"
# the runtime holds the driver calls too; it names libcuda.so.1 so the bindings' own need for it is met
lib libcudart.so.13 "$runtime" -O2 -ldl -L"$out" -Wl,--no-as-needed -l:libcuda.so.1 -Wl,--as-needed -Wl,-rpath,'$ORIGIN'

# device.h goes into the NVRTC library as a string
{ printf 'R"EMUDEVICE('; cat "$here/device.h"; printf ')EMUDEVICE"\n'; } > "$out/device_h.inc"
lib libnvrtc.so.13 "$here/nvrtc.cpp" -O2

# NVTX ranges, recorded per thread for the parity suite to read back
lib libnvtx3interop.so.1 "$here/nvtx.cpp" -O2

# cuBLAS and cuDNN: no contraction (results comparable with the CPU backend), only the API exported
maths=(-O3 -ffp-contract=off -fvisibility=hidden -Wl,--no-undefined -L"$out" -l:libcudart.so.13 -Wl,-rpath,'$ORIGIN')
lib libcublasLt.so.13 "$out/empty.cpp"
lib libcublas.so.13 "$here/blas.cpp" "${maths[@]}"
# one source five times: the bindings take cudnnCreate from libcudnn_graph, descriptors from libcudnn_ops,
# convolutions from libcudnn_cnn; all state lives in handles and descriptors, so the copies share nothing else
for n in libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_adv.so.9 libcudnn_cnn.so.9; do
  lib $n "$here/dnn.cpp" "${maths[@]}"
done
rm -f "$out"/*.map "$out/empty.cpp"
echo "$stamp" > "$out/stamp"
echo "cuda-emu: built $(ls "$out" | grep -c '\.so') libraries in $out"
