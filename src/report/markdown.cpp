// A ticket attachment: self-contained, readable as plain text, every
// machine string in code so Markdown does not eat its characters.
#include <algorithm>
#include <fmt/format.h>
#include <ostream>

#include "report/logs.h"
#include "report/markdown_text.h"
#include "report/supervisor.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

using md::block;
using md::cell;
using md::code;
using md::unpiped;

// The ticket says which machine and when: "On `web-1`, 2026-12-07T20:40:00Z."
void host_line(const core::Stamp& s, std::ostream& out) {
  if (s.hostname.empty() && s.time.empty()) return;
  out << "On " << code(s.hostname.empty() ? "?" : s.hostname);
  if (!s.boot_id.empty()) out << " (boot " << code(s.boot_id) << ")";
  if (!s.time.empty()) out << ", " << s.time;
  out << ".\n\n";
}

std::string confidence(double c) { return fmt::format("{:.2f}", c); }

void finding(std::ostream& out, const rules::Finding& f, const char* level) {
  out << level << " " << f.title << "\n\n";
  out << "Rule " << code(f.rule) << ", confidence " << confidence(f.confidence) << ".\n\n";
  out << f.cause << "\n\n";
  out << "**Fix:** " << f.fix << "\n\n";
  if (!f.verification.empty())
    out << (f.verified == true ? "**Verified:** " : f.verified == false ? "**Did not verify:** " : "**Not verified:** ")
        << f.verification << "\n\n";
  if (!f.config_line.empty()) block(out, "ini", f.config_line);
  if (!f.patch.empty()) block(out, "diff", f.patch);
  if (!f.evidence.empty()) {
    out << "Evidence:\n\n";
    for (const auto& e : f.evidence) out << "- " << code(e) << "\n";
    out << "\n";
  }
}

// supervisord's log lines about the program under a title, all of them.
void history_block(std::ostream& out, const std::string& title, const std::vector<evidence::LogEvent>& h) {
  if (h.empty()) return;
  out << title << ":\n\n";
  std::string lines;
  for (const auto& l : history_lines(h, h.size())) lines += l + "\n";
  block(out, "", lines);
}

// supervisord's own account, right under the verdict: what it saw is what the
// ticket's reader saw too.
void supervisor_section(const View& v, std::ostream& out) {
  const auto& s = v.r.ev.supervisor;
  if (!s) return;
  out << "## supervisord\n\n";
  for (const auto& line : supervisor_lead(v)) out << line << "\n\n";
  history_block(out, supervisor_history_title(v), s->history);
  if (s->replayed || v.r.ev.logs) return;  // explain shows the files it read itself
  for (const auto& [label, tail] : {std::pair{"stderr", &s->stderr_tail}, {"stdout", &s->stdout_tail}}) {
    std::string t = rules::last_lines(*tail, k_tail_lines);
    if (t.empty()) continue;
    out << label << " log (from " << s->tails_from << ", last " << k_tail_lines << " lines):\n\n";
    block(out, "", t);
  }
}

// explain: what was read instead of a replay, right under the verdict.
void logs_section(const View& v, std::ostream& out) {
  const auto& logs = v.r.ev.logs;
  if (!logs) return;
  out << "## Not replayed: evidence from log files\n\n";
  for (const auto& line : logs_lead(v)) out << line << "\n\n";
  for (const auto& row : logs_file_rows(*logs)) out << "- " << code(row) << "\n";
  out << "\n";
  history_block(out, logs_history_title(v), logs->history);
  if (const size_t matched = logs_matched_count(*logs)) {
    out << "Lines the rule pack's patterns matched (first and last few of each):\n\n";
    std::string lines;
    for (const auto& row : logs_matched_rows(*logs, matched)) lines += row + "\n";
    block(out, "", lines);
  }
}

}  // namespace

void render_markdown(const View& v, std::ostream& out) {
  const auto& ev = v.r.ev;
  out << "# bootmortem: " << v.program << " " << (v.starts ? "starts" : "fails") << "\n\n";
  host_line(v.r.stamp, out);
  out << "**" << v.verdict_line << "**\n\n";
  for (const auto& line : v.outcome_lead) out << line << "\n\n";
  if (!ev.spec.section.empty()) {
    out << "Section " << code("[" + ev.spec.section + "]");
    if (!ev.spec.source.file.empty()) out << " in " << code(ev.spec.source.str());
    out << ", run as " << code(ev.spec.user) << " (uid " << ev.spec.uid << ").\n\n";
  }
  supervisor_section(v, out);
  logs_section(v, out);

  if (v.r.findings.empty()) {
    out << "## Root cause\n\n"
        << (v.starts   ? "The program starts; no rule reported a problem.\n\n"
            : ev.logs ? logs_no_finding(v) + "\n\n"
                      : "No rule explains this failure; the evidence below is what bootmortem saw.\n\n");
  } else {
    out << "## Root cause\n\n";
    finding(out, v.r.findings.front(), "###");
    if (v.r.remedy && !v.r.remedy->rules.empty()) {
      const auto& m = *v.r.remedy;
      std::string chain;
      for (const auto& id : m.rules) chain += (chain.empty() ? "" : ", then ") + code(id);
      out << (m.verified ? "## Proven fix\n\n" : "## Best fix tried (not verified)\n\n") << "Causes, in order: " << chain
          << ". " << m.replays << " verification replay" << (m.replays == 1 ? "" : "s") << ", " << m.ms << " ms: "
          << m.outcome << "\n\n";
      if (!m.commands.empty()) {
        std::string cmds;
        for (const auto& c : m.commands) cmds += c + "\n";
        out << "Run, in order, as root:\n\n";
        block(out, "sh", cmds);
      }
      for (const auto& [file, diff] : m.patches) {
        out << "Patch for " << code(file) << ":\n\n";
        block(out, "diff", diff);
      }
    }
  }
  if (v.r.findings.size() > 1) {
    out << "## Other findings\n\n";
    for (size_t i = 1; i < v.r.findings.size(); ++i) finding(out, v.r.findings[i], "###");
  }

  if (!ev.trace.failed.empty()) {
    out << "## Failed system calls\n\n";
    std::string lines;
    for (const auto& s : v.notable) lines += rules::syscall_line(s, true) + "\n";
    if (!lines.empty()) block(out, "", lines);
    if (v.lookups_hidden)
      out << v.lookups_hidden
          << " lookups of files that do not exist (ENOENT, ENOTDIR) are left out; the JSON report lists them.\n\n";
  }
  if (!ev.env_diff.empty()) {
    out << "## Environment: spawn vs login\n\n";
    if (!ev.login.method.empty()) out << "Login environment from " << code(ev.login.method) << ".\n\n";
    out << "| Variable | spawn | login | kind |\n|---|---|---|---|\n";
    for (const auto& d : ev.env_diff)
      out << "| " << cell(d.name) << " | " << cell(shown(d.spawn)) << " | " << cell(shown(d.login))
          << " | " << d.kind << " |\n";
    out << "\n";
  }

  out << (ev.logs ? "## Program (not replayed)\n\n" : "## Replay\n\n");
  std::string argv;
  for (const auto& a : ev.spec.argv) argv += (argv.empty() ? "" : " ") + a;
  out << "- Command: " << code(argv) << "\n";
  out << "- User: " << code(ev.spec.user) << " (uid " << ev.spec.uid << ", gid " << ev.spec.gid << ")\n";
  out << "- Working directory: " << code(ev.spec.cwd) << ", umask " << code(v.umask) << "\n";
  out << "- Base environment: " << v.base_env << base_env_origin(v) << "\n";
  out << "- Trace: " << ev.trace.backend;
  if (!ev.trace.backend_why.empty()) out << ", " << ev.trace.backend_why;
  if (!ev.trace.backend_note.empty()) out << " (" << ev.trace.backend_note << ")";
  if (auto lost = trace_not_kept(ev.trace); !lost.empty()) out << "; " << lost;
  out << "\n";
  if (auto cost = tracing_cost_text(ev.trace); !cost.empty()) out << "- Tracing cost: " << cost << "\n";
  if (auto checked = untraced_text(ev.trace); !checked.empty())
    out << "- Verdict checked without a tracer: " << checked << "\n";
  out << "\n";

  for (const auto& [label, tail] : {std::pair{"stderr", &v.stderr_tail}, {"stdout", &v.stdout_tail}}) {
    if (tail->empty()) continue;
    out << "## " << label << " (last " << k_tail_lines << " lines)\n\n";
    block(out, "", *tail);
  }
}

void render_check_markdown(const std::vector<View>& views, const std::string& config_path, const core::Stamp& stamp,
                           std::ostream& out) {
  out << "# bootmortem check: " << code(config_path) << "\n\n";
  host_line(stamp, out);
  out << "| program | verdict | cause |\n|---|---|---|\n";
  for (const auto& v : views) {
    const auto& f = v.r.findings;
    const std::string cause = v.starts    ? ""
                              : f.empty() ? "no rule explains it"
                                          : unpiped(f.front().title) + " (" + code(f.front().rule) + ")";
    out << "| " << cell(v.program) << " | " << (v.starts ? "starts" : "**fails**") << " | " << cause << " |\n";
  }
  for (const auto& v : views) {
    if (v.starts) continue;
    out << "\n";
    render_markdown(v, out);
  }
}

void render_static_markdown(const StaticReport& c, std::ostream& out) {
  out << "# bootmortem check --static: " << code(c.config_path) << "\n\n";
  host_line(c.stamp, out);
  out << "| program | result | config line | problem |\n|---|---|---|---|\n";
  auto rows = [&](const std::string& program, const std::vector<StaticResult>& rs) {
    if (rs.empty()) out << "| " << cell(program) << " | ok | | |\n";
    for (const auto& r : rs)
      out << "| " << cell(program) << " | " << (r.failure ? "**fails**" : "warning") << " | "
          << code(r.finding.location.str()) << " | " << unpiped(r.finding.title) << " (" << code(r.finding.rule)
          << ") |\n";
  };
  rows("[supervisord]", c.config);
  for (const auto& p : c.programs) rows(p.name, p.results);
  auto details = [&](const std::string& program, const std::vector<StaticResult>& rs) {
    for (const auto& r : rs) {
      out << "\n## " << program << ": " << r.finding.title << "\n\n";
      out << code(r.finding.location.str()) << " (" << (r.failure ? "fails" : "warning") << ")\n\n";
      if (!r.finding.cause.empty()) out << r.finding.cause << "\n\n";
      if (!r.finding.fix.empty()) out << "**Fix:** " << r.finding.fix << "\n";
    }
  };
  details("[supervisord]", c.config);
  for (const auto& p : c.programs) details(p.name, p.results);
}

}  // namespace bootmortem::report
