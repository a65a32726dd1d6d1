// Converters of supervisor/datatypes.py (4.2.5). Messages are supervisor's,
// including its odd spots ("not a valid port number: '<v>' " ends in a space).
#include "config/datatypes.h"

#include <array>
#include <limits>
#include <string_view>

#include "config/python.h"

namespace bootmortem::config {

namespace {

constexpr std::array<std::string_view, 4> kTruthy{"yes", "true", "on", "1"};
constexpr std::array<std::string_view, 4> kFalsy{"no", "false", "off", "0"};

template <size_t N>
bool one_of(const std::string& s, const std::array<std::string_view, N>& set) {
  for (auto v : set)
    if (s == v) return true;
  return false;
}

// Every attribute of Python's signal module that starts with "SIG", on Linux
// x86-64 (dir(signal)). signal_number() looks names up there and accepts only
// numbers in this list, so 35..63 are rejected although they are real-time
// signals, and SIG_DFL / SIG_BLOCK (0) pass.
struct SignalName {
  std::string_view name;
  int number;
};
constexpr std::array<SignalName, 41> kSignals{{
    {"SIG_DFL", 0},    {"SIG_BLOCK", 0},   {"SIG_UNBLOCK", 1}, {"SIGHUP", 1},      {"SIG_IGN", 1},
    {"SIG_SETMASK", 2}, {"SIGINT", 2},     {"SIGQUIT", 3},     {"SIGILL", 4},      {"SIGTRAP", 5},
    {"SIGIOT", 6},     {"SIGABRT", 6},     {"SIGBUS", 7},      {"SIGFPE", 8},      {"SIGKILL", 9},
    {"SIGUSR1", 10},   {"SIGSEGV", 11},    {"SIGUSR2", 12},    {"SIGPIPE", 13},    {"SIGALRM", 14},
    {"SIGTERM", 15},   {"SIGSTKFLT", 16},  {"SIGCLD", 17},     {"SIGCHLD", 17},    {"SIGCONT", 18},
    {"SIGSTOP", 19},   {"SIGTSTP", 20},    {"SIGTTIN", 21},    {"SIGTTOU", 22},    {"SIGURG", 23},
    {"SIGXCPU", 24},   {"SIGXFSZ", 25},    {"SIGVTALRM", 26},  {"SIGPROF", 27},    {"SIGWINCH", 28},
    {"SIGIO", 29},     {"SIGPOLL", 29},    {"SIGPWR", 30},     {"SIGSYS", 31},     {"SIGRTMIN", 34},
    {"SIGRTMAX", 64},
}};

struct LevelName {
  std::string_view name;
  int level;
};
constexpr std::array<LevelName, 7> kLevels{{
    {"critical", 50}, {"error", 40}, {"warn", 30}, {"info", 20}, {"debug", 10}, {"trace", 5}, {"blather", 3}}};

}  // namespace

std::string process_or_group_name(const std::string& name) {
  const std::string s = py_strip(name);
  for (char c : std::string_view(" :/"))
    if (s.find(c) != std::string::npos)
      throw ValueError("Invalid name: " + py_repr(name) + " because of character: " + py_repr(std::string(1, c)));
  return s;
}

long long integer(const std::string& value) { return py_int_or_throw(value); }

bool boolean(const std::string& value) {
  const std::string s = py_lower(value);
  if (one_of(s, kTruthy)) return true;
  if (one_of(s, kFalsy)) return false;
  throw ValueError("not a valid boolean value: " + py_repr(value));
}

namespace {

// str.split(","): every piece, empty ones included.
std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const auto comma = value.find(',', start);
    out.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::vector<std::string> list_of_strings(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  for (const auto& item : split_commas(value)) out.push_back(py_strip(item));
  return out;
}

std::vector<int> list_of_exitcodes(const std::string& value) {
  std::vector<int> out;
  if (value.empty()) return out;
  for (const auto& item : split_commas(value)) {  // int() strips each item itself
    const auto v = py_int(item, 10);
    if (!v || *v < 0 || *v > 255) throw ValueError("not a valid list of exit codes: " + py_repr(value));
    out.push_back(static_cast<int>(*v));
  }
  return out;
}

mode_t octal_type(const std::string& value) {
  const auto v = py_int(value, 8);
  if (!v) throw ValueError(value + " can not be converted to an octal type");
  return static_cast<mode_t>(*v);
}

long long byte_size(const std::string& value) {
  const std::string v = py_lower(value);
  struct Suffix {
    std::string_view text;
    long long factor;
  };
  for (const Suffix& s : {Suffix{"kb", 1024LL}, Suffix{"mb", 1024LL * 1024}, Suffix{"gb", 1024LL * 1024 * 1024}}) {
    const auto u = utf8_decode(v);  // v[-2:] counts code points
    if (u.size() >= 2 && utf8_encode(u.substr(u.size() - 2)) == s.text) {
      // Python multiplies without limit; pinned like py_int rather than overflowing.
      const long long n = py_int_or_throw(utf8_encode(u.substr(0, u.size() - 2)));
      constexpr long long k_limit = std::numeric_limits<long long>::max();
      if (n > k_limit / s.factor) return k_limit;
      if (n < -k_limit / s.factor) return -k_limit;
      return n * s.factor;
    }
  }
  return py_int_or_throw(v);
}

int signal_number(const std::string& value) {
  int num = 0;
  if (const auto v = py_int(value, 10)) {
    num = static_cast<int>(*v);
    if (*v < 0 || *v > 64) num = -1;
  } else {
    std::string name = py_upper(py_strip(value));
    if (!name.starts_with("SIG")) name = "SIG" + name;
    bool found = false;
    for (const auto& s : kSignals)
      if (s.name == name) {
        num = s.number;
        found = true;
        break;
      }
    if (!found) throw ValueError("value " + py_repr(value) + " is not a valid signal name");
  }
  for (const auto& s : kSignals)
    if (s.number == num) return num;
  throw ValueError("value " + py_repr(value) + " is not a valid signal number");
}

AutoRestart auto_restart(const std::string& value) {
  const std::string v = py_lower(value);
  if (one_of(v, kTruthy)) return AutoRestart::True;
  if (one_of(v, kFalsy)) return AutoRestart::False;
  if (v == "unexpected") return AutoRestart::Unexpected;
  throw ValueError("invalid 'autorestart' value " + py_repr(v));
}

int logging_level(const std::string& value) {
  const std::string v = py_lower(value);
  for (const auto& l : kLevels)
    if (l.name == v) return l.level;
  throw ValueError("bad logging level name " + py_repr(value));
}

uid_t name_to_uid(const std::string& name, const core::UserDb& users) {
  if (const auto id = py_int(name, 10)) {
    // Past uid_t the cast would wrap (4294967296 -> 0, root); Python's
    // getpwuid() finds no such user there.
    if (*id < 0 || *id > std::numeric_limits<uid_t>::max() || !users.by_uid(static_cast<uid_t>(*id)))
      throw ValueError("Invalid user id " + name);
    return static_cast<uid_t>(*id);
  }
  const auto pw = users.by_name(name);
  if (!pw) throw ValueError("Invalid user name " + name);
  return pw->uid;
}

gid_t name_to_gid(const std::string& name, const core::UserDb& users) {
  if (const auto id = py_int(name, 10)) {
    if (*id < 0 || *id > std::numeric_limits<gid_t>::max() || !users.group_by_gid(static_cast<gid_t>(*id)))
      throw ValueError("Invalid group id " + name);
    return static_cast<gid_t>(*id);
  }
  for (const auto& g : users.all_groups())
    if (g.name == name) return g.gid;
  throw ValueError("Invalid group name " + name);
}

std::pair<uid_t, gid_t> colon_separated_user_group(const std::string& value, const core::UserDb& users) {
  try {
    const auto colon = value.find(':');
    if (colon == std::string::npos) return {name_to_uid(value, users), static_cast<gid_t>(-1)};
    return {name_to_uid(value.substr(0, colon), users), name_to_gid(value.substr(colon + 1), users)};
  } catch (const ValueError&) {
    throw ValueError("Invalid user:group definition " + value);
  }
}

std::pair<std::string, int> inet_address(const std::string& value) {
  auto port_number = [](const std::string& s) {
    const long long v = integer(s);
    if (v < 1) throw ValueError(std::to_string(v) + " is below lower bound (1)");
    if (v > 0xffff) throw ValueError(std::to_string(v) + " is above upper bound (65535)");
    return static_cast<int>(v);
  };
  std::string host;
  int port = 0;
  const auto colon = value.rfind(':');
  if (colon != std::string::npos) {
    host = py_lower(value.substr(0, colon));
    const std::string p = value.substr(colon + 1);
    if (p.empty()) throw ValueError("no port number specified in ''");
    port = port_number(p);
  } else {
    try {
      port = port_number(value);
    } catch (const ValueError&) {
      throw ValueError("not a valid port number: " + py_repr(value) + " ");
    }
  }
  if (host == "*") host.clear();
  return {host, port};
}

std::string existing_directory(const std::string& value, const PathCheck& check) {
  const std::string nv = py_expanduser(value, check.home);
  if (!check.fs) return nv;
  const auto st = check.fs->stat(core::absolute_path(nv, check.cwd));
  if (st && st->is_dir()) return nv;
  throw ValueError(value + " is not an existing directory");
}

std::string existing_dirpath(const std::string& value, const PathCheck& check) {
  const std::string nv = py_expanduser(value, check.home);
  const std::string dir = py_dirname(nv);
  if (dir.empty() || !check.fs) return nv;  // a bare file name needs no directory
  const auto st = check.fs->stat(core::absolute_path(dir, check.cwd));
  if (st && st->is_dir()) return nv;
  throw ValueError("The directory named as part of the path " + value + " does not exist");
}

std::string logfile_name(const std::string& value, const PathCheck& check) {
  const std::string v = py_lower(value);
  if (v == "none" || v == "off") return "NONE";
  if (v == "auto") return "AUTO";
  if (v == "syslog") return "SYSLOG";
  return existing_dirpath(value, check);
}

}  // namespace bootmortem::config
