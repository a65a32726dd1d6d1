// The on-call view: verdict, then the top finding's cause and fix with the
// line to paste, all on the first screen; then the rest and the evidence.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "report/env.h"
#include "report/logs.h"
#include "report/supervisor.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

struct Style {
  bool on;
  std::string operator()(const char* code, const std::string& s) const {
    return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  }
  std::string bold(const std::string& s) const { return (*this)("1", s); }
};

std::string confidence(double c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", c);
  return buf;
}

// Each line of text indented, for multi-line blocks (patches, stderr).
void indented(std::ostream& out, const std::string& text, const std::string& pad) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out << pad << text.substr(start, nl - start) << "\n";
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
  out << st("1;33", "Cause") << " (" << f.rule << ", confidence " << confidence(f.confidence)
      << "): " << f.title << "\n";
  out << "  " << f.cause << "\n\n";
  out << st("1;32", "Fix") << (f.verification.empty() ? "" : " (" + proof(f) + ")") << ":\n  " << f.fix << "\n";
  if (!f.verification.empty()) out << "  " << (f.verified == true ? st("1;32", "Proof") : st.bold("Proof")) << ": " << sentence(f.verification) << "\n";
  if (!f.config_line.empty()) {
    std::string section = v.r.ev.spec.section.empty() ? "the program's section" : "[" + v.r.ev.spec.section + "]";
    out << "  Line for " << section << ":\n    " << st("1", f.config_line) << "\n";
  }
  if (!f.evidence.empty()) {
    out << "\n" << st.bold("Because") << ":\n";
    for (const auto& e : f.evidence) out << "  - " << e << "\n";
  }
  // The proven fix's combined patch (below) holds this one.
  const bool combined = v.r.remedy && !v.r.remedy->patches.empty() && v.r.remedy->rules.front() == f.rule;
  if (!f.patch.empty() && !combined) {
    out << "\n" << st.bold("Patch") << ":\n";
    indented(out, f.patch, "  ");
  }
}

void other_findings(const View& v, const Style& st, std::ostream& out) {
  if (v.r.findings.size() < 2) return;
  out << "\n" << st.bold("Other findings") << ":\n";
  for (size_t i = 1; i < v.r.findings.size(); ++i) {
    const auto& f = v.r.findings[i];
    out << "  " << i + 1 << ". " << f.title << " (" << f.rule << ", confidence "
        << confidence(f.confidence) << ")\n";
    out << "     " << f.cause << "\n";
    out << "     Fix: " << f.fix << "\n";
    if (!f.verification.empty()) out << "     " << (f.round > 1 ? "Revealed by the fix above; " : "") << sentence(f.verification) << "\n";
  }
}

// The fix as proven, in the order to apply it: every cause of the chain, the
// commands that change files, the combined patch.
void remedy(const View& v, const Style& st, std::ostream& out) {
  if (!v.r.remedy || v.r.remedy->rules.empty()) return;
  const auto& m = *v.r.remedy;
  out << "\n" << (m.verified ? st("1;32", "Proven fix") : st.bold("Best fix tried (not verified)"));
  std::string chain;
  for (const auto& id : m.rules) chain += (chain.empty() ? "" : ", then ") + id;
  out << " (" << chain << "; " << m.replays << " verification replay" << (m.replays == 1 ? "" : "s") << ", "
      << m.ms << " ms):\n  " << sentence(m.outcome) << "\n";
  if (!m.commands.empty()) {
    out << "  Run, in order, as root:\n";
    for (const auto& c : m.commands) out << "    " << c << "\n";
  }
  for (const auto& [file, diff] : m.patches) {
    out << "  Patch for " << file << " (--patch-out FILE writes it; patch -p0 < FILE):\n";
    indented(out, diff, "    ");
  }
}

void syscalls(const View& v, const Style& st, std::ostream& out) {
  const auto& t = v.r.ev.trace;
  if (t.failed.empty()) return;
  out << "\n" << st.bold("Failed system calls") << " (" << t.failed.size() << " distinct";
  if (t.failed_total) out << ", " << t.failed_total << " in all";
  out << "):\n";
  const auto& n = v.notable;
  size_t skip = n.size() > k_text_syscalls ? n.size() - k_text_syscalls : 0;
  if (skip) out << "  (" << skip << " earlier ones not shown; --format json lists all)\n";
  for (size_t i = skip; i < n.size(); ++i) out << "  " << rules::syscall_line(n[i], true) << "\n";
  if (v.lookups_hidden)
    out << "  (" << v.lookups_hidden
        << " lookups of files that do not exist (ENOENT, ENOTDIR) not shown; --format json lists all)\n";
  if (t.failed_dropped) out << "  (" << t.failed_dropped << " more not recorded)\n";
}

void env_diff(const View& v, const Style& st, std::ostream& out) {
  const auto& d = v.r.ev.env_diff;
  if (d.empty()) return;
  out << "\n" << st.bold("Environment, spawn vs login");
  if (!v.r.ev.login.method.empty()) out << " (" << v.r.ev.login.method << ")";
  out << ":\n";
  env_diff_text(d, out);
}

// supervisord's log lines about the program under a title, the latest.
void history_block(const std::string& title, const std::vector<evidence::LogEvent>& h, const Style& st,
                   std::ostream& out) {
  if (h.empty()) return;
  out << "\n" << st.bold(title) << ":\n";
  if (h.size() > k_history_lines)
    out << "  (" << h.size() - k_history_lines << " earlier lines not shown; --format json lists them)\n";
  for (const auto& line : history_lines(h, k_history_lines)) out << "  " << line << "\n";
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
    out << "\n" << st.bold(std::string(label) + " log (from " + s->tails_from + ", last " + std::to_string(k_tail_lines) + " lines)") << ":\n";
    indented(out, t, "  | ");
  }
}

// explain: the files read instead of a replay, the lines that matched, and
// supervisord's history when none runs.
void log_files(const View& v, const Style& st, std::ostream& out) {
  const auto& logs = v.r.ev.logs;
  if (!logs) return;
  history_block(logs_history_title(v), logs->history, st, out);
  out << "\n" << st.bold("Log files read (nothing was run)") << ":\n";
  for (const auto& row : logs_file_rows(*logs)) out << "  " << row << "\n";
  const size_t matched = logs_matched_count(*logs);
  if (matched == 0) return;
  out << "\n" << st.bold("Lines the rule pack's patterns matched (first and last few of each)") << ":\n";
  for (const auto& row : logs_matched_rows(*logs, k_matched_lines)) out << "  " << row << "\n";
  if (matched > k_matched_lines)
    out << "  (" << matched - k_matched_lines << " more not shown; --format json lists them)\n";
}

}  // namespace

void render_text(const View& v, const RenderOptions& o, std::ostream& out) {
  Style st{o.color};
  out << st(v.starts ? "1;32" : "1;31", v.verdict_line) << "\n";
  // supervisord's own account first when one was read; then what it does
  // with the program over time.
  for (const auto& line : supervisor_lead(v)) out << line << "\n";
  for (const auto& line : logs_lead(v)) out << line << "\n";
  for (const auto& line : v.outcome_lead) out << line << "\n";
  out << "\n";
  if (!v.r.findings.empty()) {
    top_finding(v, st, out);
    remedy(v, st, out);
  }
  else if (!v.starts)
    out << (v.r.ev.logs ? logs_no_finding(v) : "No rule explains this failure; below is what bootmortem saw.") << "\n";
  other_findings(v, st, out);
  syscalls(v, st, out);
  env_diff(v, st, out);
  supervisor_history(v, st, out);
  log_files(v, st, out);
  out << "\n" << st.bold("Base environment") << ": " << v.base_env << base_env_origin(v) << "\n";
  out << st.bold("Trace") << ": " << v.r.ev.trace.backend;
  if (!v.r.ev.trace.backend_why.empty()) out << ", " << v.r.ev.trace.backend_why;
  if (!v.r.ev.trace.backend_note.empty()) out << " (" << v.r.ev.trace.backend_note << ")";
  out << "\n";
  if (auto lost = trace_not_kept(v.r.ev.trace); !lost.empty()) out << "  " << lost << "\n";
  for (const auto& [label, tail] : {std::pair{"stderr", &v.stderr_tail}, {"stdout", &v.stdout_tail}}) {
    if (tail->empty()) continue;
    out << "\n" << st.bold(std::string(label) + " (last " + std::to_string(k_tail_lines) + " lines)") << ":\n";
    indented(out, *tail, "  | ");
  }
}

void render_check_text(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                       std::ostream& out) {
  Style st{o.color};
  const auto starts =
      static_cast<size_t>(std::count_if(views.begin(), views.end(), [](const View& v) { return v.starts; }));
  const size_t fail = views.size() - starts;
  out << st.bold("bootmortem check " + config_path) << ": " << views.size()
      << (views.size() == 1 ? " program, " : " programs, ") << starts << (starts == 1 ? " starts, " : " start, ")
      << fail << (fail == 1 ? " fails" : " fail") << "\n";
  for (const auto& v : views) {
    out << "  " << (v.starts ? st("1;32", "ok  ") : st("1;31", "FAIL")) << "  " << v.verdict_line << "\n";
    if (v.starts) continue;
    const auto& f = v.r.findings;
    out << "        " << (f.empty() ? "no rule explains it" : f.front().title + " [" + f.front().rule + "]");
    if (!f.empty() && !f.front().verification.empty()) out << "; fix " << proof(f.front());
    out << "\n";
  }
  for (const auto& v : views) {
    if (v.starts) continue;
    out << "\n" << st.bold("── " + v.program + " ──") << "\n";
    render_text(v, o, out);
  }
}

}  // namespace bootmortem::report
