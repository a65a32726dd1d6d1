// What tracing took from the program as JSON, the same object in
// "bootmortem/1" (under trace) and "bootmortem-trace/1": null when unknown.
#pragma once

#include <nlohmann/json.hpp>

#include "trace/cost.h"
#include "trace/trace.h"

namespace bootmortem::report {

// ns: the tracer's time (ptrace: in its stops, a lower bound; eBPF: in its
// programs on the tree's own events); events: ptrace's stops, eBPF's events
// handled; share: ns over the traced run's length (null when it had none);
// machine_ns and machine_runs: eBPF's programs over every process's calls,
// only when the kernel's statistics gave them.
inline nlohmann::ordered_json tracing_cost_json(const trace::TraceLog& t) {
  if (!t.cost) return nullptr;
  const auto share = trace::cost_share(t);
  nlohmann::ordered_json j = {{"ns", t.cost->ns},
                              {"events", t.cost->events},
                              {"share", share ? nlohmann::ordered_json(*share) : nlohmann::ordered_json(nullptr)},
                              {"traced_ms", trace::traced_ms(t)}};
  if (t.cost->machine_ns >= 0) {
    j["machine_ns"] = t.cost->machine_ns;
    j["machine_runs"] = t.cost->machine_runs;
  }
  return j;
}

}  // namespace bootmortem::report
