// A summary of many reports as text (a terminal), Markdown (an incident
// ticket: a table of causes) and JSON ("bootmortem-summary/1").
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "report/json_text.h"
#include "report/markdown_text.h"
#include "report/summary.h"

namespace bootmortem::report {
namespace {

// Text and Markdown name at most this many hosts per cause; JSON names all.
constexpr size_t k_hosts_shown = 10;
constexpr size_t k_rows_shown = 50;

std::string plural(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string host_name(const Summary& s, size_t host) {
  return s.hosts[host].empty() ? "(unnamed host)" : s.hosts[host];
}

size_t host_count(const Summary& s, const std::vector<size_t>& ps) {
  std::set<size_t> h;
  for (size_t i : ps) h.insert(s.programs[i].host);
  return h.size();
}

// The programs by host, in order: "web-1" -> {"worker", "api"}.
std::vector<std::pair<std::string, std::vector<std::string>>> by_host(const Summary& s,
                                                                      const std::vector<size_t>& ps) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (size_t i : ps) {
    const auto& p = s.programs[i];
    std::string h = host_name(s, p.host);
    if (out.empty() || out.back().first != h) out.push_back({h, {}});
    out.back().second.push_back(p.program);
  }
  return out;
}

// "web-1 (worker, api), web-2 (worker) … and 26 more hosts"; each name
// through quote (Markdown puts it in code).
template <class Quote>
std::string where(const Summary& s, const std::vector<size_t>& ps, size_t limit, Quote quote) {
  const auto hosts = by_host(s, ps);
  std::string out;
  for (size_t i = 0; i < hosts.size() && i < limit; ++i) {
    std::string names;
    for (const auto& p : hosts[i].second) names += (names.empty() ? "" : ", ") + quote(p);
    out += (out.empty() ? "" : "; ") + quote(hosts[i].first) + " (" + names + ")";
  }
  if (hosts.size() > limit) out += fmt::format(" … and {} more", plural(hosts.size() - limit, "host", "hosts"));
  return out;
}

std::string headline(const Summary& s, const Summary::Groups& g) {
  const size_t failing = s.failing();
  std::set<size_t> failing_hosts, all_hosts;
  for (const auto& p : s.programs) {
    all_hosts.insert(p.host);
    if (!p.starts) failing_hosts.insert(p.host);
  }
  std::string line;
  if (failing == 0)
    line = s.programs.empty() ? "no program reports"
                              : fmt::format("every program starts ({} on {})", s.programs.size(),
                                            plural(all_hosts.size(), "host", "hosts"));
  else
    line = fmt::format("{} on {} {}: {}", plural(failing, "program", "programs"),
                       plural(failing_hosts.size(), "host", "hosts"), failing == 1 ? "fails" : "fail",
                       plural(g.causes.size(), "cause", "causes"));
  if (!g.unexplained.empty()) line += fmt::format(", {} unexplained", g.unexplained.size());
  if (!s.errors.empty()) {
    std::set<size_t> h;
    for (const auto& e : s.errors) h.insert(e.host);
    line += fmt::format("; bootmortem could not run on {}", plural(h.size(), "host", "hosts"));
  }
  return line;
}

std::string read_line(const Summary& s, const Summary::Groups& g) {
  std::string line = fmt::format("read {} from {}", plural(s.documents, "report", "reports"),
                                 plural(s.hosts.size(), "host", "hosts"));
  if (!g.starts.empty()) line += fmt::format("; {} {}", plural(g.starts.size(), "program", "programs"),
                                             g.starts.size() == 1 ? "starts" : "start");
  if (s.superseded) line += fmt::format("; {} replaced by a newer one", plural(s.superseded, "report", "reports"));
  if (!s.skipped.empty()) line += fmt::format("; {} skipped", plural(s.skipped.size(), "file", "files"));
  return line;
}

std::string variants_note(const SummaryCause& c, size_t programs) {
  const size_t variants = c.fix_variants();
  if (variants <= 1) return "";
  return fmt::format("the fix differs between programs ({} variants); this one is for {} of {}: each report has its "
                     "own",
                     variants, c.most_common().programs, programs);
}

std::string indented(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string program_state(const SummaryProgram& p) {
  std::string t = p.state.empty() ? "fails" : p.state;
  if (!p.exit.empty()) t += ", " + p.exit;
  return t;
}

void summary_text(const Summary& s, std::ostream& out) {
  const auto g = s.groups();
  out << "bootmortem summary: " << headline(s, g) << "\n" << read_line(s, g) << "\n";
  size_t n = 0;
  for (const auto& group : g.causes) {
    const auto& ps = group.programs;
    const auto& cause = s.causes[group.cause];
    const auto& fix = cause.most_common();
    out << fmt::format("\n{}. {}  [{}]\n", ++n, cause.title, cause.rule);
    out << fmt::format("   {} on {}; fix verified for {} of {}\n", plural(ps.size(), "program", "programs"),
                       plural(group.hosts, "host", "hosts"), group.verified, ps.size());
    if (!fix.text.empty()) out << "   fix: " << indented(fix.shown_text(), "        ").substr(8);
    if (!fix.patch.empty())
      out << "   patch" << (fix.one_patch ? "" : " of " + fix.patch_of + " (each report has its own)") << ":\n"
          << indented(fix.shown_patch(), "     ");
    if (fix.shows_placeholder()) out << "   ({program}: each program's name)\n";
    if (auto note = variants_note(cause, ps.size()); !note.empty()) out << "   " << note << "\n";
    out << "   on: " << where(s, ps, k_hosts_shown, [](const std::string& x) { return x; }) << "\n";
  }
  if (!g.unexplained.empty()) {
    out << fmt::format("\nunexplained: {} on {} (no rule names a cause; see each report)\n",
                       plural(g.unexplained.size(), "program", "programs"),
                       plural(host_count(s, g.unexplained), "host", "hosts"));
    for (size_t i = 0; i < g.unexplained.size() && i < k_rows_shown; ++i) {
      const auto& p = s.programs[g.unexplained[i]];
      out << "   " << host_name(s, p.host) << " " << p.program << ": " << program_state(p);
      if (!p.stderr_last.empty()) out << ": " << p.stderr_last;
      out << "\n";
    }
    if (g.unexplained.size() > k_rows_shown) out << fmt::format("   … and {} more\n", g.unexplained.size() - k_rows_shown);
  }
  if (!s.errors.empty()) {
    out << "\nbootmortem could not run:\n";
    for (const auto& e : s.errors) {
      out << "   " << host_name(s, e.host);
      if (!e.program.empty()) out << " " << e.program;
      out << ": " << (e.command.empty() ? "" : e.command + ": ") << e.error << "\n";
    }
  }
  if (!s.skipped.empty()) {
    out << "\nskipped:\n";
    for (const auto& k : s.skipped) out << "   " << k.source << ": " << k.why << "\n";
  }
}

void summary_markdown(const Summary& s, std::ostream& out) {
  using md::cell;
  using md::code;
  using md::unpiped;
  const auto g = s.groups();
  auto quote = [](const std::string& x) { return code(unpiped(x)); };
  out << "# bootmortem summary: " << headline(s, g) << "\n\n";
  out << read_line(s, g);
  if (!s.stamp.time.empty())
    out << "; made on " << code(s.stamp.hostname.empty() ? "?" : s.stamp.hostname) << " at " << s.stamp.time;
  out << ".\n\n";
  if (!g.causes.empty()) {
    out << "| # | Cause | Rule | Programs | Hosts | Fix verified | Where |\n"
        << "|---:|---|---|---:|---:|---:|---|\n";
    size_t n = 0;
    for (const auto& group : g.causes) {
      const auto& ps = group.programs;
      const auto& cause = s.causes[group.cause];
      out << fmt::format("| {} | {} | {} | {} | {} | {} of {} | {} |\n", ++n, unpiped(cause.title), cell(cause.rule),
                         ps.size(), group.hosts, group.verified, ps.size(), where(s, ps, 5, quote));
    }
    out << "\n";
    n = 0;
    for (const auto& group : g.causes) {
      const auto& ps = group.programs;
      const auto& cause = s.causes[group.cause];
      const auto& fix = cause.most_common();
      out << "## " << ++n << ". " << cause.title << "\n\n";
      out << "Rule " << code(cause.rule) << ": " << plural(ps.size(), "program", "programs") << " on "
          << plural(group.hosts, "host", "hosts") << ".\n\n";
      if (!fix.text.empty()) out << "**Fix:** " << fix.shown_text() << "\n\n";
      if (!fix.patch.empty()) {
        if (!fix.one_patch) out << "The patch of " << fix.patch_of << " (each report has its own):\n\n";
        md::block(out, "diff", fix.shown_patch());
      }
      if (fix.shows_placeholder()) out << "(" << code("{program}") << ": each program's name.)\n\n";
      if (auto note = variants_note(cause, ps.size()); !note.empty()) out << "Note: " << note << ".\n\n";
      out << "On: " << where(s, ps, k_hosts_shown, quote) << ".\n\n";
    }
  }
  if (!g.unexplained.empty()) {
    out << "## Unexplained\n\nNo rule names a cause; each report has the evidence.\n\n"
        << "| Host | Program | State | Last line on stderr |\n|---|---|---|---|\n";
    for (size_t i = 0; i < g.unexplained.size() && i < k_rows_shown; ++i) {
      const auto& p = s.programs[g.unexplained[i]];
      out << "| " << cell(host_name(s, p.host)) << " | " << cell(p.program) << " | " << unpiped(program_state(p))
          << " | " << (p.stderr_last.empty() ? "" : cell(p.stderr_last)) << " |\n";
    }
    if (g.unexplained.size() > k_rows_shown)
      out << "\n… and " << g.unexplained.size() - k_rows_shown << " more (the JSON summary lists all).\n";
    out << "\n";
  }
  if (!s.errors.empty()) {
    out << "## bootmortem could not run\n\n| Host | Program | Why |\n|---|---|---|\n";
    for (const auto& e : s.errors)
      out << "| " << cell(host_name(s, e.host)) << " | " << (e.program.empty() ? "" : cell(e.program)) << " | "
          << unpiped((e.command.empty() ? "" : e.command + ": ") + e.error) << " |\n";
    out << "\n";
  }
  if (!s.skipped.empty()) {
    out << "## Skipped\n\n";
    for (const auto& k : s.skipped) out << "- " << code(k.source) << ": " << k.why << "\n";
    out << "\n";
  }
}

// One JSON document written as it is made, indented as json_text indents:
// the summary of 20,000 programs is never a DOM of 20,000 objects.
class JsonStream {
 public:
  using json = nlohmann::ordered_json;
  explicit JsonStream(std::ostream& out) : out_(out) {}
  // A member (key) or an element (no key) holding a whole small value.
  void value(const char* key, const json& v) {
    next(key);
    std::string text = json_text(v);
    const std::string pad = "\n" + std::string(2 * firsts_.size(), ' ');
    for (size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + pad.size()))
      text.replace(i, 1, pad);
    out_ << text;
  }
  void open(const char* key, char bracket) {
    if (!firsts_.empty()) next(key);
    out_ << bracket;
    firsts_.push_back(true);
  }
  void close(char bracket) {
    const bool empty = firsts_.back();
    firsts_.pop_back();
    if (!empty) out_ << "\n" << std::string(2 * firsts_.size(), ' ');
    out_ << bracket;
    if (firsts_.empty()) out_ << "\n";
  }

 private:
  void next(const char* key) {
    if (!firsts_.back()) out_ << ",";
    firsts_.back() = false;
    out_ << "\n" << std::string(2 * firsts_.size(), ' ');
    if (key) out_ << json(key).dump() << ": ";
  }
  std::ostream& out_;
  std::vector<bool> firsts_;  // per open container: nothing written in it yet
};

void summary_json(const Summary& s, std::ostream& out) {
  using json = nlohmann::ordered_json;
  const auto g = s.groups();
  auto program = [&](size_t i) {
    const auto& p = s.programs[i];
    return json{{"host", host_name(s, p.host)}, {"program", p.program}, {"state", p.state},
                {"exit", p.exit},              {"verified", p.verified}, {"time", s.reports[p.report].time},
                {"report", s.reports[p.report].source}};
  };
  std::set<size_t> error_hosts;
  for (const auto& e : s.errors) error_hosts.insert(e.host);
  JsonStream w(out);
  w.open(nullptr, '{');
  w.value("schema", "bootmortem-summary/1");
  w.value("host", {{"hostname", s.stamp.hostname}, {"boot_id", s.stamp.boot_id}});
  w.value("time", s.stamp.time);
  w.value("headline", headline(s, g));
  w.value("totals", {{"reports", s.documents},
                     {"hosts", s.hosts.size()},
                     {"programs", s.programs.size()},
                     {"fail", s.failing()},
                     {"start", g.starts.size()},
                     {"causes", g.causes.size()},
                     {"unexplained", g.unexplained.size()},
                     {"error_hosts", error_hosts.size()},
                     {"superseded", s.superseded},
                     {"skipped", s.skipped.size()}});
  w.open("causes", '[');
  for (const auto& group : g.causes) {
    const auto& ps = group.programs;
    const auto& cause = s.causes[group.cause];
    json fixes = json::array();
    for (const auto& f : cause.fixes)
      if (f.programs)
        fixes.push_back({{"fix", f.shown_text()},
                         {"patch", f.shown_patch()},
                         {"patch_of", f.patch_of},
                         {"same_patch", f.one_patch},
                         {"programs", f.programs}});
    w.open(nullptr, '{');
    w.value("rule", cause.rule);
    w.value("title", cause.title);
    w.value("fix", cause.most_common().shown_text());
    w.value("patch", cause.most_common().shown_patch());
    w.value("programs", ps.size());
    w.value("hosts", group.hosts);
    w.value("verified", group.verified);
    w.value("fixes", fixes);
    w.open("which", '[');
    for (size_t i : ps) w.value(nullptr, program(i));
    w.close(']');
    w.close('}');
  }
  w.close(']');
  w.open("unexplained", '[');
  for (size_t i : g.unexplained) {
    json p = program(i);
    p["stderr_last"] = s.programs[i].stderr_last;
    w.value(nullptr, p);
  }
  w.close(']');
  w.open("errors", '[');
  for (const auto& e : s.errors)
    w.value(nullptr, {{"host", host_name(s, e.host)},
                      {"command", e.command},
                      {"program", e.program.empty() ? json(nullptr) : json(e.program)},
                      {"error", e.error},
                      {"time", e.time},
                      {"report", e.source}});
  w.close(']');
  w.open("starts", '[');
  for (size_t i : g.starts) w.value(nullptr, program(i));
  w.close(']');
  w.open("skipped", '[');
  for (const auto& k : s.skipped) w.value(nullptr, {{"file", k.source}, {"why", k.why}});
  w.close(']');
  w.close('}');
}

}  // namespace

void render_summary(const Summary& s, Format f, std::ostream& out) {
  switch (f) {
    case Format::Markdown: summary_markdown(s, out); break;
    case Format::Json: summary_json(s, out); break;
    default: summary_text(s, out); break;
  }
}

}  // namespace bootmortem::report
