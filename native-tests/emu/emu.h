// Shared by the libraries of the CUDA emulator (see README.md here): the runtime (libcudart.so.13) exports
// these, the fake cuBLAS and cuDNN call them, so every library's work is stream-ordered and can be captured
// into a CUDA graph the same way.
#pragma once

#include <cstddef>
#include <functional>

namespace emu {

// Queues `work` as the next operation of `stream` (nullptr: the legacy default stream). It runs later, on
// whichever thread synchronises with it, under the emulator's one lock (lazy streams, see runtime.cpp; at once
// with DPVM_EMU_STREAMS=eager); on a stream being captured into a graph it is recorded and runs on each replay.
// `work` must copy every argument it needs (pointers, sizes, scalars): the caller's buffers are gone by then.
void submit(void* stream, std::function<void()> work);

// Whether the address range lies inside one live device allocation (fake cudaMalloc); bad accesses from
// library calls are reported with this rather than silently reading the host heap.
bool is_device_range(const void* p, size_t bytes);

// Records an error message for the calling library (shown by the emulator's error strings and on stderr).
void report(const char* who, const char* message);

}  // namespace emu
