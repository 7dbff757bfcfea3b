#!/usr/bin/env bash
# Builds the CUDA emulator's libraries (README.md here) into DIR, default native-tests/target/cuda-emu.
# Rebuilds only when a source changed. Without a C++ compiler it says so and builds nothing (the emulated
# parity run is then skipped with that reason).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/cuda-emu}
cxx=${DPVM_EMU_CXX:-g++}
if ! command -v "$cxx" >/dev/null; then
  echo "cuda-emu: no C++ compiler ($cxx); the emulator is not built"
  exit 0
fi
mkdir -p "$out"
stamp=$(cat "$here"/*.h "$here"/*.cpp "$0" | sha256sum | cut -c1-16)
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" ]]; then
  exit 0
fi
rm -rf "$out"/*.so* "$out/stamp" "$out/kernel-cache"

# every symbol of a library under one version node, as the JavaCPP bindings reference them
lib() { # NAME SOURCE [LINK...]
  local name=$1 src=$2
  shift 2
  echo "$name { global: *; };" > "$out/$name.map"
  "$cxx" -std=c++17 -O2 -fPIC -shared -I"$here" -I"$out" "$src" -o "$out/$name" \
    -Wl,-soname,"$name" -Wl,--version-script="$out/$name.map" "$@"
}

lib libcudart.so.13 "$here/runtime.cpp" -ldl
echo "" > "$out/empty.cpp"
lib libcuda.so.1 "$out/empty.cpp"

# device.h goes into the NVRTC library as a string
{ printf 'R"EMUDEVICE('; cat "$here/device.h"; printf ')EMUDEVICE"\n'; } > "$out/device_h.inc"
lib libnvrtc.so.13 "$here/nvrtc.cpp"

rt=(-L"$out" -l:libcudart.so.13 -Wl,-rpath,'$ORIGIN')
if [[ -f $here/blas.cpp ]]; then
  lib libcublas.so.13 "$here/blas.cpp" "${rt[@]}"
  lib libcublasLt.so.13 "$out/empty.cpp"
fi
if [[ -f $here/dnn.cpp ]]; then
  for n in libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 libcudnn_adv.so.9 libcudnn.so.9; do
    lib $n "$here/dnn.cpp" "${rt[@]}"
  done
fi
rm -f "$out"/*.map "$out/empty.cpp"
echo "$stamp" > "$out/stamp"
echo "cuda-emu: built $(ls "$out" | grep -c '\.so') libraries in $out"
