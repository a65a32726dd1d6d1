#include <unistd.h>

#include <cerrno>

#include "core/error.h"
#include "trace/caps.h"
#include "trace/ebpf_tracer.h"
#include "trace/trace.h"

namespace bootmortem::trace {

TracerChoice choose_tracer(TracerKind wanted) {
  TracerChoice c;
  switch (wanted) {
    case TracerKind::Ptrace:
      c.tracer = std::make_unique<PtraceTracer>();
      c.why = "chosen with --tracer ptrace";
      c.name = "ptrace";
      return c;
    case TracerKind::Ebpf:
      if (const std::string missing = ebpf_missing_caps(own_caps()); !missing.empty())
        throw core::SystemError("eBPF", EPERM,
                                "no " + missing + " in the effective capability set (a container?); "
                                "--tracer ptrace works without them");
      c.tracer = std::make_unique<EbpfTracer>();  // its refusal is the error
      c.why = "chosen with --tracer ebpf";
      c.name = "ebpf";
      return c;
    case TracerKind::Auto:
      break;
  }
  c.name = "ptrace";
  if (geteuid() != 0) {
    c.tracer = std::make_unique<PtraceTracer>();
    c.why = "eBPF needs root (CAP_BPF, CAP_PERFMON); fell back to ptrace";
    return c;
  }
  // Root in a container: the capabilities say no before the kernel does.
  const Caps caps = own_caps();
  if (const std::string missing = ebpf_missing_caps(caps); !missing.empty()) {
    c.tracer = std::make_unique<PtraceTracer>();
    c.why = "no " + missing + " in the effective capability set (a container?): ptrace";
    if (ptrace_stops(0, caps).stops == PtraceStops::EverySyscall) c.why += " without a seccomp filter";
    return c;
  }
  try {
    c.tracer = std::make_unique<EbpfTracer>();
    c.why = "default: the kernel accepted the eBPF programs";
    c.name = "ebpf";
  } catch (const core::SystemError& e) {
    c.tracer = std::make_unique<PtraceTracer>();
    c.why = std::string("eBPF refused (") + e.what() + "); fell back to ptrace";
  }
  return c;
}

}  // namespace bootmortem::trace
