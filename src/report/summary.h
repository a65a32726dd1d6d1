// `bootmortem summarize`: many hosts' reports, one answer. Reads
// "bootmortem/1" (diagnose, explain), "bootmortem-check/1" and
// "bootmortem-error/1" documents from streams, keeps a few fields of each
// program (never a whole document), and groups the failing programs by
// cause: the top finding's rule, its fix once, how many programs on how many
// hosts. A document of another schema, or one cut short, is named and
// skipped. Memory: a small record per program and per group, whatever the
// reports hold (stderr, syscalls and evidence are skipped while parsing).
#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "report/report.h"

namespace bootmortem::report {

// One program on one host, from its report.
struct SummaryProgram {
  size_t host = 0;          // index into Summary::hosts
  std::string program;
  size_t report = 0;        // index into Summary::reports: its file and time
  bool starts = false;
  std::string state;        // outcome.state: FATAL, BACKOFF, EXITED, RUNNING...
  std::string exit;         // "exit status 3", "SIGSEGV", "" when unknown
  std::string stderr_last;  // the last line it wrote to stderr (redacted)
  size_t cause = k_none;    // index into Summary::causes; k_none: unexplained (or starts)
  size_t fix = 0;           // index into that cause's fixes
  bool verified = false;    // the top finding's fix was replayed and the program then held
  static constexpr size_t k_none = static_cast<size_t>(-1);
};

// One cause: a rule, and every failing program whose top finding it is.
struct SummaryCause {
  std::string rule, title;
  // Each distinct fix and how many programs it is for: the same cause on
  // many hosts usually has one. Fixes that differ only by the program they
  // name ("In [program:web] add: ...") are one: kept with {program} in its
  // place, and shown with the name when all had one. Its patch is the first
  // program's; another program's (another file, other lines around the
  // change) is in its own report.
  struct Fix {
    std::string text, patch;  // the program's name as {program}
    size_t programs = 0;
    std::string name;         // the first program's
    std::string patch_of;     // "web on web-1": whose patch it is
    bool one_name = true;     // every program of it has that name
    bool one_patch = true;    // and the same patch
    std::string shown_text() const;
    std::string shown_patch() const;
    bool shows_placeholder() const;  // {program} is in what is shown
  };
  std::vector<Fix> fixes;
  const Fix& most_common() const;  // the first of the most common
  size_t fix_variants() const;     // fixes for at least one program
};

// A document read: where from, and its time (a newer report of the same
// program on the same host replaces an older one).
struct SummaryReport {
  std::string source, time;
};

struct SummaryError {
  size_t host = 0;
  std::string command, program, error, time, source;
};

struct SummarySkip {
  std::string source, why;
};

class Summary {
 public:
  // Every document in the stream (one, or several concatenated: JSON Lines,
  // `cat *.json`); source names it in skips and errors. A document that
  // does not parse ends the stream's reading: what follows cannot be found.
  void read(std::istream& in, const std::string& source);
  // A file that could not be read at all.
  void skip(const std::string& source, const std::string& why) { skipped.push_back({source, why}); }

  std::vector<std::string> hosts;  // hostnames, in the order first seen
  std::vector<SummaryReport> reports;
  std::vector<SummaryCause> causes;
  std::vector<SummaryProgram> programs;
  std::vector<SummaryError> errors;
  std::vector<SummarySkip> skipped;
  core::Stamp stamp;      // where and when the summary was made
  size_t documents = 0;   // read and summarized
  size_t superseded = 0;  // program reports replaced by a newer one of the same program on the same host

  // Indices into programs, grouped: each cause's (most programs first), the
  // unexplained failures, and those that start.
  struct CauseGroup {
    size_t cause = 0;             // index into causes
    std::vector<size_t> programs;  // by host, then name
    size_t hosts = 0;             // how many hosts they are on
    size_t verified = 0;          // how many had their fix proven by a replay
  };
  struct Groups {
    std::vector<CauseGroup> causes;
    std::vector<size_t> unexplained, starts;
  };
  Groups groups() const;
  size_t failing() const;

 private:
  size_t host_index(const std::string& hostname);
  size_t cause_index(const std::string& rule, const std::string& title);
  void add_program(SummaryProgram p, const std::string& rule, const std::string& title, const std::string& fix,
                   const std::string& patch);
  void add_document(const nlohmann::json& doc, const std::string& source);
  std::map<std::string, size_t> host_ix_, cause_ix_;
  std::map<std::pair<size_t, std::string>, size_t> program_ix_;  // (host, program) -> programs index
};

// 0 when every program starts and every host was diagnosed; 3 when a failure
// is unexplained; else 1.
int exit_code(const Summary& s);

// Text: the causes, each with its fix once and where; the unexplained; the
// hosts where bootmortem could not run; the files skipped. Markdown: the
// same with a table of causes, for an incident ticket. JSON:
// "bootmortem-summary/1". (JUnit and SARIF are per-program formats: not here.)
void render_summary(const Summary& s, Format f, std::ostream& out);

}  // namespace bootmortem::report
