// Renders a diagnosis to text, Markdown, JSON, JUnit XML or SARIF. Renderers only
// write to a stream; they know nothing about tracing.
#pragma once

#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "core/host.h"
#include "evidence/evidence.h"
#include "rules/rules.h"

namespace bootmortem::report {

enum class Format { Text, Markdown, Json, Junit, Sarif };

// The fix as proven by replays (run/verify): the findings whose fixes,
// applied together in this order, the last replay judged; one unified diff
// per config file it changes, and the commands that change files, in order.
struct Remedy {
  std::vector<std::string> rules;  // in the order their fixes were applied
  std::vector<std::pair<std::string, std::string>> patches;  // file, diff
  std::vector<std::string> commands;
  bool verified = false;           // the program then reached RUNNING and held
  std::string outcome;             // what the last replay showed
  int replays = 0;                 // verification replays run for the report
  int64_t ms = 0;                  // and what they took together
};

struct Report {
  evidence::Evidence ev;
  std::vector<rules::Finding> findings;
  std::string config_path;
  // Set when fixes were replayed (diagnose and check, unless --no-verify).
  std::optional<Remedy> remedy;
  // The host and the time of the run; empty for a program of a check (its
  // CheckReport's stamp names them) and in tests.
  core::Stamp stamp;
};

struct RenderOptions {
  bool redact = true;
  bool color = false;
  // -q, text only: the verdict line alone; check's, a line per program (ok
  // or FAIL, and its verdict line) and no summary, which a CI log greps.
  bool quiet = false;
  // SARIF: the directory its artifact URIs are relative to (the checkout a
  // code-scanning upload annotates); a file outside it gets an absolute
  // file:// URI. Empty: the current directory.
  std::string base_dir{};
  // SARIF under check --root: the root filesystem's absolute path on this
  // host. The config's paths are the root's, relative to its "/", and the
  // log's base URI is the root's directory.
  std::string root_dir{};
};

// DESIGN.md's contract: 0 starts, 1 fails with a cause, 3 fails unexplained.
int exit_code(const Report& r);

void render(const Report& r, Format f, const RenderOptions& o, std::ostream& out);

// `bootmortem check`: the programs of one config, each replayed, in the
// order supervisord starts them.
struct CheckReport {
  std::string config_path;
  std::string root;  // check --root: the staged root filesystem config_path is in; "" for the host
  std::vector<Report> programs;
  core::Stamp stamp;
};

// 0 when every program starts; 3 when one fails and no rule explains it;
// else 1 (some fail, each with a cause).
int exit_code(const CheckReport& c);

// Text and Markdown: a line per program, then the report of each that
// fails. JSON: "bootmortem-check/1", each program's "bootmortem/1" object
// in "programs". JUnit: a testcase per program. SARIF: a result per finding
// (report/sarif.cpp).
void render(const CheckReport& c, Format f, const RenderOptions& o, std::ostream& out);

// `check --static`: one result of the pre-flight, the pack's finding for
// it; finding.location is the config line it is about.
struct StaticResult {
  rules::Finding finding;
  bool failure = true;   // false: a warning
  bool refuses = false;  // supervisord here would refuse the whole config for it (user=, log directories)
};

// Whether any of the results is a failure (not only warnings).
bool any_failure(const std::vector<StaticResult>& results);

struct StaticProgram {
  std::string name;
  std::string section;
  core::Origin source;  // the section header
  std::vector<StaticResult> results;
  bool fails() const;
};

// The config's own results ([supervisord]: log and pid directories, user=),
// then each program's, in supervisord's start order.
struct StaticReport {
  std::string config_path;
  std::string root;  // check --static --root: the root filesystem config_path is in; "" for this host
  std::vector<StaticResult> config;
  std::vector<StaticProgram> programs;
  core::Stamp stamp;
};

// 1 when any result is a failure, else 0.
int exit_code(const StaticReport& c);

// Text and Markdown: a line per program, then its results at file:line.
// JSON: "bootmortem-check-static/1". JUnit: a testcase per program (and one
// for [supervisord]), a failure when it has a failing result.
void render(const StaticReport& c, Format f, const RenderOptions& o, std::ostream& out);

// `--format json` when bootmortem itself could not run (exit 2): a
// "bootmortem-error/1" document naming the host, the time, the command, the
// program (when one was named) and the one-line error, so that a fleet's
// reports account for every host (`bootmortem summarize`).
void render_error_json(const core::Stamp& stamp, const std::string& command, const std::string& program,
                       const std::string& error, std::ostream& out);

// Secret-looking variable names (PASSWORD, TOKEN, SECRET, KEY, ...).
bool secret_name(const std::string& name);
// The value as a report may show it: masked when the name is secret, URL
// credentials masked always (postgres://user:***@host).
std::string redact_value(const std::string& name, const std::string& value);
// Credentials inside any free text (stderr, args): URL passwords masked.
std::string redact_text(const std::string& text);

}  // namespace bootmortem::report
