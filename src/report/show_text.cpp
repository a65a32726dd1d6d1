// `bootmortem show` for people: one line per process with what decides how it
// starts, then the environment= each one gets, then what could not be resolved.
#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <ostream>

#include "report/show.h"

namespace bootmortem::report {
namespace {

// shlex.quote(): a word that a shell (and supervisord's shlex.split) reads back.
std::string quote(const std::string& s) {
  if (s.empty()) return "''";
  const bool safe = std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("@%+=:,./-_").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (safe) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

std::string argv_text(const ShowRow& row) {
  if (!row.command.argv) return "(cannot split: " + row.command.parse_error + ") " + row.proc->command;
  if (row.command.argv->empty()) return "(empty command)";
  std::string out;
  for (const auto& a : *row.command.argv) out += (out.empty() ? "" : " ") + quote(a);
  return out;
}

std::string start_text(const config::ProcessConfig& p) {
  return std::string(p.autostart ? "auto" : "manual") + "/" + autorestart_name(p.autorestart);
}

struct Column {
  const char* title;
  std::string (*value)(const ShowRow&);
};

// The table's columns, left to right; the last one is not padded.
const Column k_columns[] = {
    {"PROCESS", [](const ShowRow& r) { return r.proc->namespec(); }},
    {"PRIO", [](const ShowRow& r) { return std::to_string(r.proc->priority); }},
    {"START", [](const ShowRow& r) { return start_text(*r.proc); }},
    {"USER", [](const ShowRow& r) { return r.proc->user.value_or("-"); }},
    {"DIRECTORY", [](const ShowRow& r) { return r.proc->directory.value_or("-"); }},
    {"UMASK", [](const ShowRow& r) { return r.proc->umask ? octal_mode(*r.proc->umask) : std::string("-"); }},
    {"EXECUTABLE", [](const ShowRow& r) { return r.command.found ? r.command.filename : std::string("(not found)"); }},
    {"COMMAND", argv_text},
};

void table(const std::vector<ShowRow>& rows, std::ostream& out) {
  constexpr size_t n = std::size(k_columns);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) width[c] = std::string_view(k_columns[c].title).size();
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (size_t c = 0; c < n; ++c) {
      line.push_back(k_columns[c].value(row));
      width[c] = std::max(width[c], line.back().size());
    }
  }
  auto print = [&](auto cell) {
    // Two spaces between columns; none after the last.
    for (size_t c = 0; c < n; ++c) fmt::print(out, "{:<{}}", cell(c), c + 1 < n ? width[c] + 2 : 0);
    out << "\n";
  };
  print([&](size_t c) { return std::string(k_columns[c].title); });
  for (const auto& line : cells) print([&](size_t c) { return line[c]; });
}

}  // namespace

void render_show_text(const std::vector<ShowRow>& rows, std::ostream& out) {
  if (rows.empty()) {
    out << "no programs\n";
    return;
  }
  table(rows, out);
  for (const auto& row : rows) {
    const auto& p = *row.proc;
    out << "\n" << p.namespec() << "  [" << p.section << "] " << p.source.str() << "\n";
    out << "  startsecs=" << p.startsecs << " startretries=" << p.startretries << " exitcodes=";
    for (size_t i = 0; i < p.exitcodes.size(); ++i) out << (i ? "," : "") << p.exitcodes[i];
    out << " stopsignal=" << stop_signal_name(p.stopsignal) << "\n";
    out << "  stdout_logfile=" << p.stdout_logfile << " stderr_logfile=" << p.stderr_logfile
        << (p.redirect_stderr ? " (redirect_stderr)" : "") << "\n";
    for (const auto& [k, v] : p.environment.entries()) out << "  env " << k << "=" << quote(v) << "\n";
  }
}

}  // namespace bootmortem::report
