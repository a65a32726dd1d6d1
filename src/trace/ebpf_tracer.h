// The eBPF backend: the kernel watches the replay's tree without stopping
// it (trace/bpf/tracer.bpf.c); this side loads the programs, starts the
// child once they are attached, and turns ring buffer records into a
// TraceLog. Needs root (CAP_BPF and CAP_PERFMON) and a kernel with BTF.
#pragma once

#include <optional>
#include <string>

#include "trace/trace.h"

namespace bootmortem::trace {

class EbpfTracer final : public Tracer {
 public:
  // Loads and attaches the programs now, so that a refusal can be reported
  // (and another backend chosen) before anything runs. Throws SystemError
  // with the kernel's or libbpf's reason.
  EbpfTracer();
  ~EbpfTracer() override;
  EbpfTracer(const EbpfTracer&) = delete;
  EbpfTracer& operator=(const EbpfTracer&) = delete;

  TraceLog run(const spawn::SpawnSpec& spec, const TraceOptions& options) override;

  struct Loaded;

 private:
  Loaded* loaded_ = nullptr;
};

// Where the kernel offsets are cached between runs (tmpfs, emptied at boot).
constexpr const char* k_offsets_cache_dir = "/run/bootmortem";

}  // namespace bootmortem::trace
