// The on-call view: verdict, then the top finding's cause and fix with the
// line to paste, all on the first screen; then the rest and the evidence.
#include <algorithm>
#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <ostream>

#include "report/env.h"
#include "report/logs.h"
#include "report/supervisor.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

constexpr auto k_good = fmt::emphasis::bold | fmt::fg(fmt::terminal_color::green);
constexpr auto k_bad = fmt::emphasis::bold | fmt::fg(fmt::terminal_color::red);
constexpr auto k_cause = fmt::emphasis::bold | fmt::fg(fmt::terminal_color::yellow);
constexpr auto k_bold = fmt::text_style(fmt::emphasis::bold);

// Text in a style when colour is on, as it is when off.
struct Style {
  bool on;
  std::string operator()(fmt::text_style ts, std::string_view s) const {
    return on ? fmt::format(ts, "{}", s) : std::string(s);
  }
  std::string bold(std::string_view s) const { return (*this)(k_bold, s); }
};

// Each line of text indented, for multi-line blocks (patches, stderr).
void indented(std::ostream& out, const std::string& text, const std::string& pad) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    fmt::print(out, "{}{}\n", pad, std::string_view(text).substr(start, nl - start));
    start = nl + 1;
  }
}

// Whether a finding's fix was replayed, in a few words.
std::string proof(const rules::Finding& f) {
  if (f.verified == true) return "verified";
  if (f.verified == false) return "did not verify";
  return "not verified";
}

void top_finding(const View& v, const Style& st, std::ostream& out) {
  const auto& f = v.r.findings.front();
  fmt::print(out, "{} ({}, confidence {:.2f}): {}\n", st(k_cause, "Cause"), f.rule, f.confidence,
             f.title);
  fmt::print(out, "  {}\n\n", f.cause);
  fmt::print(out, "{}{}:\n  {}\n", st(k_good, "Fix"), f.verification.empty() ? "" : " (" + proof(f) + ")",
             f.fix);
  if (!f.verification.empty())
    fmt::print(out, "  {}: {}\n", st(f.verified == true ? k_good : k_bold, "Proof"),
               sentence(f.verification));
  if (!f.config_line.empty()) {
    std::string section = v.r.ev.spec.section.empty() ? "the program's section" : "[" + v.r.ev.spec.section + "]";
    fmt::print(out, "  Line for {}:\n    {}\n", section, st.bold(f.config_line));
  }
  if (!f.evidence.empty()) {
    fmt::print(out, "\n{}:\n", st.bold("Because"));
    for (const auto& e : f.evidence) fmt::print(out, "  - {}\n", e);
  }
  // The proven fix's combined patch (below) holds this one.
  const bool combined = v.r.remedy && !v.r.remedy->patches.empty() && v.r.remedy->rules.front() == f.rule;
  if (!f.patch.empty() && !combined) {
    fmt::print(out, "\n{}:\n", st.bold("Patch"));
    indented(out, f.patch, "  ");
  }
}

void other_findings(const View& v, const Style& st, std::ostream& out) {
  if (v.r.findings.size() < 2) return;
  fmt::print(out, "\n{}:\n", st.bold("Other findings"));
  for (size_t i = 1; i < v.r.findings.size(); ++i) {
    const auto& f = v.r.findings[i];
    fmt::print(out, "  {}. {} ({}, confidence {:.2f})\n", i + 1, f.title, f.rule, f.confidence);
    fmt::print(out, "     {}\n     Fix: {}\n", f.cause, f.fix);
    if (!f.verification.empty())
      fmt::print(out, "     {}{}\n", f.round > 1 ? "Revealed by the fix above; " : "", sentence(f.verification));
  }
}

// The fix as proven, in the order to apply it: every cause of the chain, the
// commands that change files, the combined patch.
void remedy(const View& v, const Style& st, std::ostream& out) {
  if (!v.r.remedy || v.r.remedy->rules.empty()) return;
  const auto& m = *v.r.remedy;
  fmt::print(out, "\n{} ({}; {} verification replay{}, {} ms):\n  {}\n",
             m.verified ? st(k_good, "Proven fix") : st.bold("Best fix tried (not verified)"),
             fmt::join(m.rules, ", then "), m.replays, m.replays == 1 ? "" : "s", m.ms, sentence(m.outcome));
  if (!m.commands.empty()) {
    out << "  Run, in order, as root:\n";
    for (const auto& c : m.commands) fmt::print(out, "    {}\n", c);
  }
  for (const auto& [file, diff] : m.patches) {
    fmt::print(out, "  Patch for {} (--patch-out FILE writes it; patch -p0 < FILE):\n", file);
    indented(out, diff, "    ");
  }
}

void syscalls(const View& v, const Style& st, std::ostream& out) {
  const auto& t = v.r.ev.trace;
  if (t.failed.empty()) return;
  fmt::print(out, "\n{} ({} distinct", st.bold("Failed system calls"), t.failed.size());
  if (t.failed_total) fmt::print(out, ", {} in all", t.failed_total);
  out << "):\n";
  const auto& n = v.notable;
  size_t skip = n.size() > k_text_syscalls ? n.size() - k_text_syscalls : 0;
  if (skip) fmt::print(out, "  ({} earlier ones not shown; --format json lists all)\n", skip);
  for (size_t i = skip; i < n.size(); ++i) fmt::print(out, "  {}\n", rules::syscall_line(n[i], true));
  if (v.lookups_hidden)
    fmt::print(out, "  ({} lookups of files that do not exist (ENOENT, ENOTDIR) not shown; --format json lists all)\n",
               v.lookups_hidden);
  if (t.failed_dropped) fmt::print(out, "  ({} more not recorded)\n", t.failed_dropped);
}

void env_diff(const View& v, const Style& st, std::ostream& out) {
  const auto& d = v.r.ev.env_diff;
  if (d.empty()) return;
  const auto& method = v.r.ev.login.method;
  fmt::print(out, "\n{}{}:\n", st.bold("Environment, spawn vs login"), method.empty() ? "" : " (" + method + ")");
  env_diff_text(d, out);
}

// supervisord's log lines about the program under a title, the latest.
void history_block(const std::string& title, const std::vector<evidence::LogEvent>& h, const Style& st,
                   std::ostream& out) {
  if (h.empty()) return;
  fmt::print(out, "\n{}:\n", st.bold(title));
  if (h.size() > k_history_lines)
    fmt::print(out, "  ({} earlier lines not shown; --format json lists them)\n", h.size() - k_history_lines);
  for (const auto& line : history_lines(h, k_history_lines)) fmt::print(out, "  {}\n", line);
}

// supervisord's own lines about the program; its log tails when there was no replay.
void supervisor_history(const View& v, const Style& st, std::ostream& out) {
  const auto& s = v.r.ev.supervisor;
  if (!s) return;
  history_block(supervisor_history_title(v), s->history, st, out);
  if (s->replayed || v.r.ev.logs) return;  // explain shows the files it read itself
  for (const auto& [label, tail] : {std::pair{"stderr", &s->stderr_tail}, {"stdout", &s->stdout_tail}}) {
    std::string t = rules::last_lines(*tail, k_tail_lines);
    if (t.empty()) continue;
    fmt::print(out, "\n{}:\n", st.bold(fmt::format("{} log (from {}, last {} lines)", label, s->tails_from, k_tail_lines)));
    indented(out, t, "  | ");
  }
}

// explain: the files read instead of a replay, the lines that matched, and
// supervisord's history when none runs.
void log_files(const View& v, const Style& st, std::ostream& out) {
  const auto& logs = v.r.ev.logs;
  if (!logs) return;
  history_block(logs_history_title(v), logs->history, st, out);
  fmt::print(out, "\n{}:\n", st.bold("Log files read (nothing was run)"));
  for (const auto& row : logs_file_rows(*logs)) fmt::print(out, "  {}\n", row);
  const size_t matched = logs_matched_count(*logs);
  if (matched == 0) return;
  fmt::print(out, "\n{}:\n", st.bold("Lines the rule pack's patterns matched (first and last few of each)"));
  for (const auto& row : logs_matched_rows(*logs, k_matched_lines)) fmt::print(out, "  {}\n", row);
  if (matched > k_matched_lines)
    fmt::print(out, "  ({} more not shown; --format json lists them)\n", matched - k_matched_lines);
}

}  // namespace

void render_text(const View& v, const RenderOptions& o, std::ostream& out) {
  Style st{o.color};
  fmt::print(out, "{}\n", st(v.starts ? k_good : k_bad, v.verdict_line));
  if (o.quiet) return;
  // supervisord's own account first when one was read; then what it does
  // with the program over time.
  for (const auto& line : supervisor_lead(v)) fmt::print(out, "{}\n", line);
  for (const auto& line : logs_lead(v)) fmt::print(out, "{}\n", line);
  for (const auto& line : v.outcome_lead) fmt::print(out, "{}\n", line);
  out << "\n";
  if (!v.r.findings.empty()) {
    top_finding(v, st, out);
    remedy(v, st, out);
  }
  else if (!v.starts)
    fmt::print(out, "{}\n", v.r.ev.logs ? logs_no_finding(v) : "No rule explains this failure; below is what bootmortem saw.");
  other_findings(v, st, out);
  syscalls(v, st, out);
  env_diff(v, st, out);
  supervisor_history(v, st, out);
  log_files(v, st, out);
  const auto& t = v.r.ev.trace;
  fmt::print(out, "\n{}: {}{}\n", st.bold("Base environment"), v.base_env, base_env_origin(v));
  fmt::print(out, "{}: {}{}{}\n", st.bold("Trace"), t.backend, t.backend_why.empty() ? "" : ", " + t.backend_why,
             t.backend_note.empty() ? "" : " (" + t.backend_note + ")");
  if (auto lost = trace_not_kept(t); !lost.empty()) fmt::print(out, "  {}\n", lost);
  if (auto cost = tracing_cost_text(t); !cost.empty()) fmt::print(out, "  Tracing cost: {}\n", cost);
  if (auto checked = untraced_text(t); !checked.empty())
    fmt::print(out, "  Verdict checked without a tracer: {}\n", checked);
  for (const auto& [label, tail] : {std::pair{"stderr", &v.stderr_tail}, {"stdout", &v.stdout_tail}}) {
    if (tail->empty()) continue;
    fmt::print(out, "\n{}:\n", st.bold(fmt::format("{} (last {} lines)", label, k_tail_lines)));
    indented(out, *tail, "  | ");
  }
}

void render_check_text(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                       std::ostream& out) {
  Style st{o.color};
  auto mark = [&](const View& v) { return v.starts ? st(k_good, "ok  ") : st(k_bad, "FAIL"); };
  if (o.quiet) {
    for (const auto& v : views) fmt::print(out, "{}  {}\n", mark(v), v.verdict_line);
    return;
  }
  const auto starts =
      static_cast<size_t>(std::count_if(views.begin(), views.end(), [](const View& v) { return v.starts; }));
  const size_t fail = views.size() - starts;
  fmt::print(out, "{}: {} program{}, {} start{}, {} fail{}\n", st.bold("bootmortem check " + config_path),
             views.size(), views.size() == 1 ? "" : "s", starts, starts == 1 ? "s" : "", fail, fail == 1 ? "s" : "");
  for (const auto& v : views) {
    fmt::print(out, "  {}  {}\n", mark(v), v.verdict_line);
    if (v.starts) continue;
    const auto& f = v.r.findings;
    fmt::print(out, "        {}", f.empty() ? "no rule explains it" : f.front().title + " [" + f.front().rule + "]");
    if (!f.empty() && !f.front().verification.empty()) fmt::print(out, "; fix {}", proof(f.front()));
    out << "\n";
  }
  for (const auto& v : views) {
    if (v.starts) continue;
    fmt::print(out, "\n{}\n", st.bold("── " + v.program + " ──"));
    render_text(v, o, out);
  }
}

void render_static_text(const StaticReport& c, const RenderOptions& o, std::ostream& out) {
  Style st{o.color};
  auto mark = [&](bool fails) { return fails ? st(k_bad, "FAIL") : st(k_good, "ok  "); };
  auto counts = [](const std::vector<StaticResult>& rs) {
    const auto failures = static_cast<size_t>(std::count_if(rs.begin(), rs.end(), [](auto& r) { return r.failure; }));
    const size_t warnings = rs.size() - failures;
    if (rs.empty()) return std::string("no problem found");
    return fmt::format("{} failure{}, {} warning{}", failures, failures == 1 ? "" : "s", warnings,
                       warnings == 1 ? "" : "s");
  };
  auto first = [](const std::vector<StaticResult>& rs) {
    for (const auto& r : rs)
      if (r.failure) return r.finding.location.str() + ": " + r.finding.title;
    return std::string();
  };
  const bool config_fails = any_failure(c.config);
  if (o.quiet) {
    if (!c.config.empty())
      fmt::print(out, "{}  [supervisord]{}\n", mark(config_fails), config_fails ? ": " + first(c.config) : "");
    for (const auto& p : c.programs)
      fmt::print(out, "{}  {}{}\n", mark(p.fails()), p.name, p.fails() ? ": " + first(p.results) : "");
    return;
  }
  const auto fail = static_cast<size_t>(
      std::count_if(c.programs.begin(), c.programs.end(), [](const StaticProgram& p) { return p.fails(); }));
  fmt::print(out, "{}: {} program{}, {} pass, {} fail (nothing was run)\n",
             st.bold("bootmortem check --static " + c.config_path), c.programs.size(),
             c.programs.size() == 1 ? "" : "s", c.programs.size() - fail, fail);
  fmt::print(out, "  {}  [supervisord]: {}\n", mark(config_fails), counts(c.config));
  for (const auto& p : c.programs) fmt::print(out, "  {}  {}: {}\n", mark(p.fails()), p.name, counts(p.results));
  auto results = [&](const std::string& heading, const std::vector<StaticResult>& rs) {
    if (rs.empty()) return;
    fmt::print(out, "\n{}\n", st.bold("── " + heading + " ──"));
    for (const auto& r : rs) {
      const auto& f = r.finding;
      fmt::print(out, "{} {}: {} [{}]\n", r.failure ? st(k_bad, "FAIL") : st(k_cause, "warn"), f.location.str(),
                 f.title, f.rule);
      if (!f.cause.empty()) indented(out, f.cause, "     ");
      if (!f.fix.empty()) indented(out, "Fix: " + f.fix, "     ");
    }
  };
  results("[supervisord]", c.config);
  for (const auto& p : c.programs) results(p.name, p.results);
  bool refuses = std::any_of(c.config.begin(), c.config.end(), [](const StaticResult& r) { return r.refuses; });
  for (const auto& p : c.programs)
    refuses = refuses || std::any_of(p.results.begin(), p.results.end(), [](const StaticResult& r) { return r.refuses; });
  if (refuses)
    fmt::print(out, "\nsupervisord on this host would refuse the whole config at the first user= or log directory "
                    "problem above (it stops at one); each is listed here with its line.\n");
}

}  // namespace bootmortem::report
