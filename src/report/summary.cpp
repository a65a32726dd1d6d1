// Reading many reports for `bootmortem summarize`: each document is skimmed
// (report/json_skim.h) of the members no summary reads, then parsed, one at
// a time, so a report's stderr, failed calls and evidence are never parsed
// and never sit in memory.
#include "report/summary.h"

#include "report/json_skim.h"
#include "rules/trace_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

namespace bootmortem::report {
namespace {

using json = nlohmann::json;

// The members a summary reads, at any depth of a report; every other
// member (stderr but its end, failed calls, evidence, the environment...)
// is skimmed away unparsed.
const Names k_kept_keys = {"schema",  "host",   "hostname", "boot_id", "time",  "programs", "program",
                           "verdict", "exit",   "code",     "signal",  "outcome", "state",  "findings",
                           "rule",    "title",  "fix",      "patch",   "verified", "stderr_tail", "command",
                           "error"};
// stderr: its last line is all a summary shows.
const Names k_tail_keys = {"stderr_tail"};
// A document larger than this is not a report (a report's streams are
// bounded to 128 KiB each).
constexpr size_t k_max_document = 256u << 20;

// The last non-empty line of a stream's tail, at most 240 bytes of it.
std::string last_line(const std::string& s) {
  std::string line = rules::last_lines(s.substr(0, s.find_last_not_of("\r\n") + 1), 1);
  if (line.size() > 240) line = "…" + line.substr(line.size() - 240);
  return line;
}

constexpr std::string_view k_program = "{program}";

std::string replaced(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
  return s;
}

// s with each occurrence of name that stands as a word of its own (not
// inside a longer name: "web" in "webapp" or "web-2" stays) as {program}.
std::string as_placeholder(std::string s, std::string_view name) {
  if (name.empty()) return s;
  auto part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
  for (size_t i = s.find(name); i != std::string::npos; i = s.find(name, i + 1)) {
    const size_t end = i + name.size();
    if ((i > 0 && part(s[i - 1])) || (end < s.size() && part(s[end]))) continue;
    s.replace(i, name.size(), k_program);
    i += k_program.size() - 1;
  }
  return s;
}

// A fix with the program's name as {program} (and a group member's own
// name, after its "group:"), so that the same fix of differently named
// programs is one.
std::string unnamed(const std::string& text, const std::string& program) {
  std::string out = as_placeholder(text, program);
  if (const size_t colon = program.find(':'); colon != std::string::npos)
    out = as_placeholder(out, std::string_view(program).substr(colon + 1));
  return out;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& member(const json& j, const char* key) {
  static const json k_null;
  auto it = j.find(key);
  return it != j.end() ? *it : k_null;
}

// "exit status 3", "SIGSEGV", "" from a report's "exit".
std::string exit_text(const json& exit) {
  if (!exit.is_object()) return "";
  const json& sig = member(exit, "signal");
  if (sig.is_string()) return sig.get<std::string>();
  const json& code = member(exit, "code");
  if (code.is_number_integer()) return "exit status " + std::to_string(code.get<long long>());
  return "";
}

// A stream's top-level JSON documents, one at a time, each skimmed: read
// in chunks until the document in hand is whole (a document that spans
// chunks is skimmed again with more, the reads growing as it does).
class DocumentReader {
 public:
  enum class Next { Document, End, CutShort, NotJson, TooLarge };
  explicit DocumentReader(std::istream& in) : in_(in) {}

  // The next document's skimmed text, and the byte of the stream it
  // begins at.
  Next next(std::string& kept, size_t& at) {
    drop(done_);
    done_ = 0;
    for (;;) {
      const std::string_view buf(data_.get() + head_, size_ - head_);
      const Skim sk = skim_document(buf, 0, k_skim, kept);
      const size_t begin = sk.begin;
      at = base_ + begin;
      switch (sk.result) {
        case Skim::Result::Done: done_ = sk.end; return Next::Document;
        case Skim::Result::NotJson: at = base_ + sk.at; return Next::NotJson;
        case Skim::Result::TooLarge: return Next::TooLarge;
        case Skim::Result::Incomplete: break;
      }
      if (eof_) return begin == buf.size() ? Next::End : Next::CutShort;
      if (buf.size() > k_max_document) return Next::TooLarge;
      drop(begin);
      // What is left to the front, then room for a chunk, or for as much
      // again as a document that spans chunks has so far.
      std::memmove(data_.get(), data_.get() + head_, size_ - head_);
      size_ -= head_;
      head_ = 0;
      const size_t want = std::max(k_chunk, size_);
      if (size_ + want > capacity_) {
        capacity_ = size_ + want;
        std::unique_ptr<char[]> bigger(new char[capacity_]);  // not zeroed
        std::memcpy(bigger.get(), data_.get(), size_);
        data_ = std::move(bigger);
      }
      in_.read(data_.get() + size_, static_cast<std::streamsize>(want));
      size_ += static_cast<size_t>(in_.gcount());
      if (in_.gcount() == 0) eof_ = true;
    }
  }

 private:
  static constexpr size_t k_chunk = 1 << 20;
  static inline const SkimOptions k_skim{&k_kept_keys, &k_tail_keys, 320};
  void drop(size_t n) {
    head_ += n;
    base_ += n;
  }
  std::istream& in_;
  // The bytes read and not yet dropped; not a std::string, which would
  // zero each chunk before it is read into.
  std::unique_ptr<char[]> data_;
  size_t head_ = 0, size_ = 0, capacity_ = 0;  // unread: [head_, size_)
  size_t base_ = 0;  // the stream's byte at data_[head_]
  size_t done_ = 0;  // the end of the document last returned: dropped on the next call
  bool eof_ = false;
};

}  // namespace

std::string SummaryCause::Fix::shown_text() const { return one_name ? replaced(text, k_program, name) : text; }
std::string SummaryCause::Fix::shown_patch() const { return one_name ? replaced(patch, k_program, name) : patch; }
bool SummaryCause::Fix::shows_placeholder() const {
  return !one_name && (text.find(k_program) != std::string::npos || patch.find(k_program) != std::string::npos);
}

const SummaryCause::Fix& SummaryCause::most_common() const {
  return *std::max_element(fixes.begin(), fixes.end(),
                           [](const Fix& a, const Fix& b) { return a.programs < b.programs; });
}

size_t SummaryCause::fix_variants() const {
  return std::count_if(fixes.begin(), fixes.end(), [](const Fix& f) { return f.programs > 0; });
}

size_t Summary::host_index(const std::string& hostname) {
  auto [it, added] = host_ix_.emplace(hostname, hosts.size());
  if (added) hosts.push_back(hostname);
  return it->second;
}

size_t Summary::cause_index(const std::string& rule, const std::string& title) {
  auto [it, added] = cause_ix_.emplace(rule, causes.size());
  if (added) causes.push_back(SummaryCause{rule, title, {}});
  return it->second;
}

void Summary::add_program(SummaryProgram p, const std::string& rule, const std::string& title,
                          const std::string& fix, const std::string& patch) {
  if (!p.starts && !rule.empty()) {
    p.cause = cause_index(rule, title);
    auto& fixes = causes[p.cause].fixes;
    const std::string text = unnamed(fix, p.program), diff = unnamed(patch, p.program);
    auto it = std::find_if(fixes.begin(), fixes.end(), [&](const SummaryCause::Fix& f) { return f.text == text; });
    if (it == fixes.end())
      it = fixes.insert(fixes.end(), SummaryCause::Fix{text, diff, 0, p.program, p.program + " on " + hosts[p.host]});
    p.fix = static_cast<size_t>(it - fixes.begin());
    ++it->programs;
    it->one_name = it->one_name && it->name == p.program;
    it->one_patch = it->one_patch && it->patch == diff;
  }
  // The same program on the same host twice (the playbook run again): the
  // newer report stands. A host with no name cannot be told apart: kept.
  if (hosts[p.host].empty()) {
    programs.push_back(std::move(p));
    return;
  }
  auto [slot, added] = program_ix_.emplace(std::make_pair(p.host, p.program), programs.size());
  if (added) {
    programs.push_back(std::move(p));
    return;
  }
  ++superseded;
  SummaryProgram& old = programs[slot->second];
  SummaryProgram& drop = reports[p.report].time < reports[old.report].time ? p : old;
  if (drop.cause != SummaryProgram::k_none) --causes[drop.cause].fixes[drop.fix].programs;
  if (&drop == &old) old = std::move(p);
}

void Summary::add_document(const json& doc, const std::string& source) {
  if (!doc.is_object() || !member(doc, "schema").is_string()) {
    skip(source, "not a bootmortem report (no \"schema\")");
    return;
  }
  const std::string schema = doc["schema"].get<std::string>();
  const std::string hostname = str(member(doc, "host"), "hostname");
  const std::string time = str(doc, "time");
  auto program = [&](const json& r) {
    SummaryProgram p;
    p.host = host_index(hostname);
    p.program = str(r, "program");
    p.report = reports.size() - 1;
    p.starts = str(r, "verdict") == "starts";
    p.state = str(member(r, "outcome"), "state");
    p.exit = exit_text(member(r, "exit"));
    if (!p.starts) p.stderr_last = redact_text(last_line(str(r, "stderr_tail")));
    std::string rule, title, fix, patch;
    const json& findings = member(r, "findings");
    if (findings.is_array() && !findings.empty() && findings[0].is_object()) {
      const json& f = findings[0];
      rule = str(f, "rule");
      title = str(f, "title");
      fix = redact_text(str(f, "fix"));
      patch = redact_text(str(f, "patch"));
      p.verified = member(f, "verified") == true;
    }
    add_program(std::move(p), rule, title, fix, patch);
  };
  if (schema == "bootmortem/1") {
    reports.push_back({source, time});
    program(doc);
  } else if (schema == "bootmortem-check/1") {
    const json& list = member(doc, "programs");
    if (!list.is_array()) {
      skip(source, "a bootmortem-check/1 report without \"programs\"");
      return;
    }
    reports.push_back({source, time});
    for (const auto& r : list)
      if (r.is_object()) program(r);
  } else if (schema == "bootmortem-error/1") {
    errors.push_back(SummaryError{host_index(hostname), str(doc, "command"), str(doc, "program"),
                                  redact_text(str(doc, "error")), time, source});
  } else {
    skip(source, "schema \"" + schema + "\" is not one summarize reads (bootmortem/1, bootmortem-check/1, "
                 "bootmortem-error/1)");
    return;
  }
  ++documents;
}

void Summary::read(std::istream& in, const std::string& source) {
  DocumentReader docs(in);
  std::string text;
  for (size_t n = 1;; ++n) {
    size_t at = 0;
    const auto next = docs.next(text, at);
    // Several documents in one stream are told apart by their number.
    const std::string where = n == 1 ? source : source + " (document " + std::to_string(n) + ")";
    switch (next) {
      case DocumentReader::Next::End:
        if (n == 1) skip(source, "empty");
        return;
      case DocumentReader::Next::CutShort:
        // A file cut short (a full disk, a copy interrupted), not one of another kind.
        skip(where, "cut short: the input ends inside the document that begins at byte " + std::to_string(at));
        return;
      case DocumentReader::Next::NotJson:
        skip(where, "not JSON at byte " + std::to_string(at));
        return;
      case DocumentReader::Next::TooLarge:
        skip(where, "the document at byte " + std::to_string(at) + " is over " +
                        std::to_string(k_max_document >> 20) + " MiB: not a report");
        return;
      case DocumentReader::Next::Document: break;
    }
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
      skip(where, "not JSON: the document at byte " + std::to_string(at) + " does not parse");
    else
      add_document(doc, where);
  }
}

Summary::Groups Summary::groups() const {
  Groups g;
  std::vector<std::vector<size_t>> by_cause(causes.size());
  for (size_t i = 0; i < programs.size(); ++i) {
    const auto& p = programs[i];
    if (p.starts) g.starts.push_back(i);
    else if (p.cause == SummaryProgram::k_none) g.unexplained.push_back(i);
    else by_cause[p.cause].push_back(i);
  }
  auto by_host = [&](size_t a, size_t b) {
    const auto &x = programs[a], &y = programs[b];
    return hosts[x.host] != hosts[y.host] ? hosts[x.host] < hosts[y.host] : x.program < y.program;
  };
  for (auto* list : {&g.starts, &g.unexplained}) std::sort(list->begin(), list->end(), by_host);
  for (size_t c = 0; c < causes.size(); ++c) {
    if (by_cause[c].empty()) continue;  // every program of it was superseded
    Summary::CauseGroup group{c, std::move(by_cause[c])};
    std::sort(group.programs.begin(), group.programs.end(), by_host);
    for (size_t n = 0; n < group.programs.size(); ++n) {
      const auto& p = programs[group.programs[n]];
      // Sorted by host: a new host is a change of host.
      if (n == 0 || p.host != programs[group.programs[n - 1]].host) ++group.hosts;
      group.verified += p.verified;
    }
    g.causes.push_back(std::move(group));
  }
  // The cause of most programs first, then of most hosts, then by rule.
  std::stable_sort(g.causes.begin(), g.causes.end(), [&](const CauseGroup& a, const CauseGroup& b) {
    if (a.programs.size() != b.programs.size()) return a.programs.size() > b.programs.size();
    if (a.hosts != b.hosts) return a.hosts > b.hosts;
    return causes[a.cause].rule < causes[b.cause].rule;
  });
  return g;
}

size_t Summary::failing() const {
  return std::count_if(programs.begin(), programs.end(), [](const SummaryProgram& p) { return !p.starts; });
}

int exit_code(const Summary& s) {
  bool failing = !s.errors.empty(), unexplained = false;
  for (const auto& p : s.programs) {
    failing |= !p.starts;
    unexplained |= !p.starts && p.cause == SummaryProgram::k_none;
  }
  return unexplained ? 3 : failing ? 1 : 0;
}

}  // namespace bootmortem::report
