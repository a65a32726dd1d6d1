#include "evidence/supervisor_log.h"

#include <csignal>
#include <cstring>
#include <fmt/format.h>

#include "core/signals.h"

namespace bootmortem::evidence {
namespace {

// A message supervisord writes about a process: the name sits between the
// prefix and name_end (nullptr: the message names no process).
struct Pattern {
  LogEventKind kind;
  const char* name;
  const char* prefix;
  const char* name_end;
};

constexpr Pattern k_patterns[] = {
    {LogEventKind::SupervisordStarted, "supervisord_started", "supervisord started with pid ", nullptr},
    {LogEventKind::Spawned, "spawned", "spawned: '", "' with pid "},
    {LogEventKind::Success, "success", "success: ", " entered RUNNING state"},
    {LogEventKind::Exited, "exited", "exited: ", " ("},
    {LogEventKind::GaveUp, "gave_up", "gave up: ", " entered FATAL state"},
    {LogEventKind::Spawnerr, "spawnerr", "spawnerr: ", nullptr},
    {LogEventKind::Stopped, "stopped", "stopped: ", " ("},
    {LogEventKind::Killing, "killing", "killing '", "' ("},
};

constexpr const char* k_levels[] = {"CRIT", "ERRO", "WARN", "INFO", "DEBG", "TRAC", "BLAT"};

bool digits(const std::string& s, size_t at, size_t n) {
  for (size_t i = at; i < at + n; ++i)
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  return true;
}

int num(const std::string& s, size_t at, size_t n) { return std::atoi(s.substr(at, n).c_str()); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD HH:MM:SS,mmm LEVEL message": fills time, ms, level, message.
bool parse_prefix(const std::string& line, LogEvent& e) {
  if (line.size() < 29 || !digits(line, 0, 4) || line[4] != '-' || !digits(line, 5, 2) ||
      line[7] != '-' || !digits(line, 8, 2) || line[10] != ' ' || !digits(line, 11, 2) ||
      line[13] != ':' || !digits(line, 14, 2) || line[16] != ':' || !digits(line, 17, 2) ||
      line[19] != ',' || !digits(line, 20, 3) || line[23] != ' ' || line[28] != ' ')
    return false;
  const std::string level = line.substr(24, 4);
  bool known = false;
  for (const char* l : k_levels) known = known || level == l;
  if (!known) return false;
  e.time = line.substr(0, 23);
  e.level = level;
  e.message = line.substr(29);
  int64_t days = days_from_civil(num(line, 0, 4), num(line, 5, 2), num(line, 8, 2));
  e.ms = (((days * 24 + num(line, 11, 2)) * 60 + num(line, 14, 2)) * 60 + num(line, 17, 2)) * 1000 +
         num(line, 20, 3);
  return true;
}

// "exit status 3" / "terminated by SIGSEGV (core dumped)" (decode_wait_status).
void decode_how(const std::string& how, LogEvent& e) {
  if (how.starts_with("exit status ") && digits(how, 12, 1)) e.status = std::atoi(how.c_str() + 12);
  if (how.starts_with("terminated by ")) {
    std::string sig = how.substr(14);
    e.signal = sig.substr(0, sig.find(' '));
  }
}

bool match(const Pattern& p, LogEvent& e) {
  const std::string& m = e.message;
  if (!m.starts_with(p.prefix)) return false;
  const size_t from = std::strlen(p.prefix);
  std::string rest = m.substr(from);
  if (p.name_end) {
    size_t end = m.find(p.name_end, from);
    if (end == std::string::npos || end == from) return false;
    e.process = m.substr(from, end - from);
    rest = m.substr(end + std::strlen(p.name_end));
  }
  e.kind = p.kind;
  switch (p.kind) {
    case LogEventKind::SupervisordStarted:
    case LogEventKind::Spawned:
    case LogEventKind::Killing:
      e.pid = std::atoi(rest.c_str());
      break;
    case LogEventKind::Exited: {  // "<how>; expected)" or "<how>; not expected)"
      size_t semi = rest.rfind("; ");
      if (semi == std::string::npos) return false;
      e.expected = rest.compare(semi + 2, std::string::npos, "expected)") == 0;
      decode_how(rest.substr(0, semi), e);
      break;
    }
    case LogEventKind::Stopped:
      decode_how(rest.substr(0, rest.rfind(')')), e);
      break;
    default:
      break;
  }
  return true;
}

bool ends_episode(LogEventKind k) { return k == LogEventKind::GaveUp || k == LogEventKind::Stopped; }

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

const char* log_event_name(LogEventKind k) {
  for (const auto& p : k_patterns)
    if (p.kind == k) return p.name;
  return "?";
}

std::vector<LogEvent> parse_supervisord_log(const std::string& text) {
  std::vector<LogEvent> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    LogEvent e;
    // Continuation lines of a multi-line record have no prefix: skipped.
    if (!parse_prefix(line, e)) continue;
    // A DEBG record is the child's own output echoed, never a state change.
    if (e.level == "DEBG") continue;
    for (const auto& p : k_patterns)
      if (match(p, e)) {
        out.push_back(std::move(e));
        break;
      }
  }
  return out;
}

std::vector<LogEvent> process_history(const std::vector<LogEvent>& all, const HistoryQuery& q) {
  size_t from = 0;
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].kind == LogEventKind::SupervisordStarted && (q.supervisord_pid == 0 || all[i].pid == q.supervisord_pid))
      from = i + 1;
  auto ours = [&](const LogEvent& e) {
    if (e.kind != LogEventKind::Spawnerr) return !e.process.empty() && e.process == q.process;
    const std::string spawnerr = e.message.substr(std::strlen("spawnerr: "));
    if (spawnerr.find("'" + q.process + "'") != std::string::npos) return true;
    for (const auto& t : q.spawnerr_texts)
      if (!t.empty() && spawnerr == t) return true;
    return false;
  };
  std::vector<LogEvent> out;
  for (size_t i = from; i < all.size(); ++i)
    if (ours(all[i])) out.push_back(all[i]);
  if (out.size() > q.max_events) out.erase(out.begin(), out.end() - static_cast<long>(q.max_events));
  return out;
}

std::string approx_duration(int64_t ms) {
  return ms < 100 ? fmt::format("~{} ms", ms) : fmt::format("~{:.1f} s", static_cast<double>(ms) / 1000.0);
}

std::string summarize_history(const std::vector<LogEvent>& h) {
  if (h.empty()) return "";
  // The latest episode: after the last FATAL or stop that is not the end.
  size_t begin = 0, earlier_fatal = 0;
  for (size_t i = h.size() - 1; i-- > 0;)
    if (ends_episode(h[i].kind)) {
      begin = i + 1;
      break;
    }
  for (size_t i = 0; i < begin; ++i) earlier_fatal += h[i].kind == LogEventKind::GaveUp;

  size_t spawns = 0, exits = 0, races = 0, after_running = 0, spawnerrs = 0;
  int64_t lived = 0, spawned_at = -1, success_at = -1;
  std::vector<std::string> outcomes;
  std::string last_spawnerr;
  for (size_t i = begin; i < h.size(); ++i) {
    const LogEvent& e = h[i];
    switch (e.kind) {
      case LogEventKind::Spawned: ++spawns, spawned_at = e.ms, success_at = -1; break;
      case LogEventKind::Success: success_at = e.ms; break;
      case LogEventKind::Spawnerr: ++spawnerrs, last_spawnerr = e.message.substr(10); break;
      case LogEventKind::Exited:
        ++exits;
        if (spawned_at >= 0) lived += e.ms - spawned_at;
        // §9: reaping lags up to a poll timeout, so a child that died at once
        // can be logged "success:" and "exited:" in the same breath.
        if (success_at >= 0 && e.ms - success_at <= 50) ++races;
        else if (success_at >= 0) ++after_running;
        outcomes.push_back(e.status ? "status " + std::to_string(*e.status)
                                    : e.signal ? *e.signal : std::string("an unknown cause"));
        spawned_at = success_at = -1;
        break;
      default: break;
    }
  }

  std::string s;
  if (spawns == 0 && spawnerrs > 0) {
    s = "supervisord could not spawn it" + (spawnerrs > 1 ? " " + std::to_string(spawnerrs) + " times" : "") +
        " (" + last_spawnerr + ")";
  } else {
    s = "supervisord saw " + plural(spawns, "start", "starts");
    const int64_t span = h.back().ms - h[begin].ms;
    if (spawns > 1 && span > 0) s += fmt::format(" in {:.1f} s", static_cast<double>(span) / 1000.0);
  }
  if (!outcomes.empty()) {
    bool same = true;
    for (const auto& o : outcomes) same = same && o == outcomes.front();
    const bool sig = !outcomes.front().starts_with("status") && outcomes.front() != "an unknown cause";
    std::string who = exits == 1 ? (spawns <= 1 ? "it" : "one") : exits == spawns ? "each" : std::to_string(exits);
    if (same)
      s += ", " + who + (sig ? " was killed by " : " exited with ") + outcomes.front();
    else {
      s += ", exits: ";
      for (size_t i = 0; i < outcomes.size(); ++i) s += (i ? ", " : "") + outcomes[i];
    }
    if (spawns > 0) s += " after " + approx_duration(lived / static_cast<int64_t>(exits));
  }
  if (spawns > 0 && spawnerrs > 0) s += ", " + plural(spawnerrs, "spawn error", "spawn errors") + " (" + last_spawnerr + ")";
  switch (h.back().kind) {
    case LogEventKind::GaveUp: s += ", then FATAL"; break;
    case LogEventKind::Stopped: s += ", then it was stopped"; break;
    case LogEventKind::Success: s += "; the last one is RUNNING"; break;
    case LogEventKind::Spawned: s += "; the last one is still starting"; break;
    default: break;
  }
  std::vector<std::string> notes;
  if (after_running)
    notes.push_back(exits == after_running
                        ? std::string("every exit came after RUNNING, past startsecs: none counted as a failed start")
                        : std::to_string(after_running) + " of " + std::to_string(exits) +
                              " exits came after RUNNING, past startsecs: not counted as failed starts");
  if (races)
    notes.push_back(plural(races, "'success:' line", "'success:' lines") +
                    " came just before an exit: supervisord's reaping lag, not a healthy start");
  for (size_t i = 0; i < notes.size(); ++i) s += (i ? "; " : " (") + notes[i] + (i + 1 == notes.size() ? ")" : "");
  if (earlier_fatal) s += "; " + plural(earlier_fatal, "earlier FATAL", "earlier FATALs") + " since supervisord started";
  return s;
}

LogHistory history_from_log(const std::string& text, HistoryQuery q, size_t keep) {
  auto all = parse_supervisord_log(text);
  bool has_start = false;
  for (const auto& e : all) has_start = has_start || (e.kind == LogEventKind::SupervisordStarted && e.pid == q.supervisord_pid);
  if (!has_start) q.supervisord_pid = 0;
  // The summary needs the whole episode; the report keeps only the latest lines.
  q.max_events = all.size();
  LogHistory h;
  h.events = process_history(all, q);
  h.summary = summarize_history(h.events);
  if (h.events.size() > keep) h.events.erase(h.events.begin(), h.events.end() - static_cast<long>(keep));
  return h;
}

std::optional<int> signal_by_name(const std::string& name) {
  for (int sig = 1; sig < NSIG; ++sig)
    if (const char* a = core::signal_abbrev(sig); a && (name == a || name == std::string("SIG") + a)) return sig;
  return std::nullopt;
}

std::string signal_name(int sig) {
  const char* abbrev = core::signal_abbrev(sig);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
}

}  // namespace bootmortem::evidence
