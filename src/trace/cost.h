// What tracing took from a traced run, as a share of that run: what decides
// whether its verdict is checked untraced (run/confirm.h), and what every
// report shows.
#pragma once

#include <cstdint>
#include <optional>

#include "trace/trace.h"

namespace bootmortem::trace {

// How long the traced run itself lasted: its after_ms, or the one kept when
// an untraced run's verdict replaced it.
inline int64_t traced_ms(const TraceLog& t) {
  return t.untraced && t.untraced->decided ? t.untraced->traced_after_ms : t.after_ms;
}

// The tracer's time (cost->ns) over the traced run's length; nullopt when
// the cost is unknown or the run has no length.
inline std::optional<double> cost_share(const TraceLog& t) {
  const int64_t ms = traced_ms(t);
  if (!t.cost || ms <= 0) return std::nullopt;
  return static_cast<double>(t.cost->ns) / (static_cast<double>(ms) * 1e6);
}

}  // namespace bootmortem::trace
