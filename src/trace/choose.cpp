#include <unistd.h>

#include "trace/trace.h"

namespace bootmortem::trace {

TracerChoice choose_tracer(TracerKind wanted) {
  TracerChoice c;
  c.tracer = std::make_unique<PtraceTracer>();
  c.why = wanted == TracerKind::Ptrace ? "chosen with --tracer ptrace" : "the only backend built";
  return c;
}

}  // namespace bootmortem::trace
