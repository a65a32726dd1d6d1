// What a check worker hands its parent (run/together.h): a program's replay
// (trace::TraceLog) and a live supervisord's account of it
// (evidence::SupervisorView), as JSON, every field, byte for byte. A
// program's output, a path or an argument need not be UTF-8, and JSON text
// must be: a string that is not valid UTF-8 travels as {"hex": "..."}.
//
// A field added to TraceLog or SupervisorView must be added here too; the
// round-trip test (tests/unit/run/run_json_test.cpp) sets every field and
// checks the struct sizes it was written for.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "evidence/live_supervisor.h"
#include "run/base_env.h"
#include "trace/trace.h"

namespace bootmortem::run {

nlohmann::json trace_log_json(const trace::TraceLog& t);
nlohmann::json supervisor_view_json(const evidence::SupervisorView& v);
nlohmann::json program_run_json(const ProgramRun& r);

// The inverses; throw nlohmann::json::exception on a document they did not
// write (a missing field, a wrong type).
trace::TraceLog trace_log_from_json(const nlohmann::json& j);
evidence::SupervisorView supervisor_view_from_json(const nlohmann::json& j);
ProgramRun program_run_from_json(const nlohmann::json& j);

// A byte string as JSON and back: a JSON string when it is valid UTF-8, else
// {"hex": "..."}.
nlohmann::json bytes_json(const std::string& s);
std::string bytes_from_json(const nlohmann::json& j);

}  // namespace bootmortem::run
