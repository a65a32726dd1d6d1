#include "evidence/preflight.h"

#include <algorithm>
#include <optional>
#include <cctype>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "config/datatypes.h"
#include "config/keys.h"
#include "config/python.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::evidence {

const std::vector<PreflightCheck>& preflight_checks() {
  static const std::vector<PreflightCheck> k = {
      {"user-missing", {"user", "message"}, true, "user= names a user the user database lacks"},
      {"command-not-found", {"command", "searched"}, true, "command='s program is not where supervisord looks"},
      {"command-not-executable", {"filename", "user", "why"}, true, "the program cannot be executed as its user"},
      {"interpreter-missing", {"filename", "interpreter"}, true, "a script's #! interpreter does not exist"},
      {"shebang-crlf", {"filename", "interpreter"}, true, "a script's #! line ends in a carriage return"},
      {"directory-missing", {"directory"}, true, "directory= does not exist"},
      {"directory-not-enterable", {"directory", "blocked", "user"}, true, "the user cannot enter directory="},
      {"logdir-missing", {"key", "path", "directory"}, true, "a log or pid file's directory does not exist"},
      {"logdir-unwritable", {"key", "path", "directory", "writer"}, true,
       "supervisord's user cannot write a log file's directory"},
      {"home-unset", {"user", "stack", "user_home", "home"}, false,
       "user= without HOME in environment= for a stack that keeps state under ~"},
      {"unknown-key-typo", {"key", "suggestion"}, true, "a key supervisor ignores, spelt like one it reads"},
      {"unknown-key", {"key"}, false, "a key supervisor ignores"},
      {"port-clash", {"port", "address", "other_program", "other_location"}, false,
       "two programs name the same port"},
  };
  return k;
}

const PreflightCheck* find_preflight_check(const std::string& id) {
  for (const auto& c : preflight_checks())
    if (id == c.id) return &c;
  return nullptr;
}

namespace {

// Who a check is about: known when the uid resolves.
struct Identity {
  bool known = false;
  uid_t uid = 0;
  std::vector<gid_t> groups;
  std::string name;
};

Identity identity_of(uid_t uid, const core::UserDb& users) {
  Identity id;
  id.known = true;
  id.uid = uid;
  if (auto pw = users.by_uid(uid)) {
    id.name = pw->name;
    id.groups = core::supervisor_groups(users, *pw);
  } else {
    id.name = "uid " + std::to_string(uid);
  }
  return id;
}

PreflightItem item(const char* check, core::Origin location, std::map<std::string, std::string> values) {
  const PreflightCheck* c = find_preflight_check(check);
  if (!c) throw std::logic_error(std::string("unknown pre-flight check ") + check);
  PreflightItem it{check, std::move(location), c->failure, std::move(values)};
  for (const auto& name : c->values) it.values.emplace(name, "");
  return it;
}

core::Origin origin_of(const std::map<std::string, core::Origin>& keys, const std::string& key,
                       const core::Origin& section) {
  auto it = keys.find(key);
  return it == keys.end() ? section : it->second;
}

std::string octal_mode(mode_t mode) { return fmt::format("{:04o}", mode & 07777); }

// The first directory from / down to dir (itself included) that id may not
// search (x), or "" when it may reach dir.
std::string blocked_component(const std::string& dir, const Identity& id, const core::FileSystem& fs) {
  if (!id.known || id.uid == 0) return "";
  std::string path;
  size_t pos = 0;
  const std::string norm = core::normalize_path(dir);
  while (true) {
    const size_t next = norm.find('/', pos + 1);
    path = norm.substr(0, next == std::string::npos ? norm.size() : next);
    if (path.empty()) path = "/";
    const auto st = fs.stat(path);
    if (!st || !core::may_access(*st, id.uid, id.groups, 01)) return path;
    if (next == std::string::npos) return "";
    pos = next;
  }
}

// A stack that keeps state under ~ (caches, config, user site): the first
// word of the command line or #! line that names one.
std::string home_stack(const std::vector<std::string>& words) {
  static const std::vector<std::string> names = {"gunicorn", "celery", "uwsgi", "node", "nodejs",
                                                 "npm",      "npx",    "git"};
  for (const auto& w : words) {
    const std::string base = core::basename(w);
    if (std::find(names.begin(), names.end(), base) != names.end()) return base;
    for (const char* prefix : {"python", "pip"})
      if (base.starts_with(prefix) &&
          base.find_first_not_of("0123456789.", std::string(prefix).size()) == std::string::npos)
        return base;
  }
  return "";
}

class Checker {
 public:
  explicit Checker(const PreflightContext& ctx) : ctx_(ctx) {
    const auto& sd = ctx.cfg.supervisord;
    if (!sd.user)
      writer_ = identity_of(0, ctx.users);
    else if (sd.uid)
      writer_ = identity_of(*sd.uid, ctx.users);
  }

  std::vector<PreflightItem> config() const {
    std::vector<PreflightItem> out;
    const auto& sd = ctx_.cfg.supervisord;
    auto at = [&](const std::string& key) { return origin_of(sd.key_origins, key, sd.source); };
    if (sd.user && !sd.uid) user_missing(*sd.user, at("user"), "", out);
    if (sd.directory) {
      const std::string dir = core::absolute_path(*sd.directory, ctx_.cwd);
      if (auto st = ctx_.fs.stat(dir); !st || !st->is_dir())
        out.push_back(item("directory-missing", at("directory"), {{"directory", dir}}));
    }
    if (sd.logfile != "syslog") log_dir("logfile", sd.logfile_path, at("logfile"), out);
    log_dir("pidfile", sd.pidfile_path, at("pidfile"), out);
    if (sd.childlogdir)
      log_dir("childlogdir", core::join_path(core::absolute_path(*sd.childlogdir, ctx_.cwd), "x"), at("childlogdir"),
              out);
    return out;
  }

  std::vector<PreflightItem> program(const config::ProcessConfig& p) const {
    std::vector<PreflightItem> out;
    auto at = [&](const std::string& key) { return origin_of(p.key_origins, key, p.source); };
    Identity id;
    if (p.user) {
      try {
        id = identity_of(config::name_to_uid(*p.user, ctx_.users), ctx_.users);
      } catch (const config::ValueError&) {
        user_missing(*p.user, at("user"), p.section, out);
      }
    } else {
      id = writer_;
    }
    // supervisord's own lookup, once: the command's checks and the stack's
    // words both read it.
    const auto cmd = spawn::lookup_command(p, ctx_.supervisord_env, ctx_.cwd, ctx_.fs);
    command(p, cmd, id, at("command"), out);
    if (p.directory) directory(*p.directory, id, at("directory"), out);
    for (const auto& [key, value] : {std::pair{"stdout_logfile", &p.stdout_logfile},
                                     std::pair{"stderr_logfile", &p.stderr_logfile}})
      if (*value != "AUTO" && *value != "NONE") log_dir(key, core::absolute_path(*value, ctx_.cwd), at(key), out);
    if (p.user && id.known && (!writer_.known || id.uid != writer_.uid) && !p.environment.get("HOME")) {
      std::string stack = home_stack(words_of(cmd));
      if (!stack.empty()) {
        auto pw = ctx_.users.by_uid(id.uid);
        out.push_back(item("home-unset", at("user"),
                           {{"user", *p.user},
                            {"stack", stack},
                            {"user_home", pw ? pw->home : ""},
                            {"home", ctx_.supervisord_env.get("HOME").value_or("")}}));
      }
    }
    for (const auto& [key, origin] : p.unknown_keys) {
      const std::string near = nearest_key(key, p.kind);
      if (!near.empty())
        out.push_back(item("unknown-key-typo", origin, {{"key", key}, {"suggestion", near}}));
      else
        out.push_back(item("unknown-key", origin, {{"key", key}}));
    }
    return out;
  }

 private:
  void user_missing(const std::string& user, core::Origin where, const std::string& section,
                    std::vector<PreflightItem>& out) const {
    std::string message;
    try {
      config::name_to_uid(user, ctx_.users);
    } catch (const config::ValueError& e) {
      message = e.what();
    }
    if (!section.empty()) message += " in section " + config::py_repr(section);
    out.push_back(item("user-missing", std::move(where), {{"user", user}, {"message", message}}));
  }

  // The words a stack is recognised by: the command line's, and the #! line's
  // of the program it runs (for `#!/usr/bin/env python3` too).
  std::vector<std::string> words_of(const spawn::CommandLookup& cmd) const {
    std::vector<std::string> words;
    if (!cmd.argv) return words;
    words = *cmd.argv;
    if (cmd.found && !cmd.found->is_dir())
      if (auto head = ctx_.fs.read_prefix(core::absolute_path(cmd.filename, ctx_.cwd), 256);
          head && head->starts_with("#!")) {
        auto line = config::py_split(head->substr(2, head->find('\n') == std::string::npos ? std::string::npos
                                                                                     : head->find('\n') - 2));
        words.insert(words.begin(), line.begin(), line.end());
      }
    return words;
  }

  // A command shlex cannot split is the text's error, not the host's.
  void command(const config::ProcessConfig& p, const spawn::CommandLookup& cmd, const Identity& id,
               const core::Origin& where, std::vector<PreflightItem>& out) const {
    if (!cmd.argv || cmd.argv->empty()) return;
    const std::string& program = cmd.argv->front();
    if (!cmd.found) {
      std::string searched;
      if (program.find('/') != std::string::npos) {
        searched = "there is no " + core::absolute_path(program, ctx_.cwd);
      } else {
        std::string path;
        for (const auto& dir : spawn::search_path(p.environment, ctx_.supervisord_env))
          path += (path.empty() ? "" : ":") + dir;
        searched = "no directory of PATH=" + path + " has it";
      }
      out.push_back(item("command-not-found", where, {{"command", program}, {"searched", searched}}));
      return;
    }
    const std::string file = core::absolute_path(cmd.filename, ctx_.cwd);
    const core::FileStat& st = *cmd.found;
    std::string why;
    if (st.is_dir())
      why = "it is a directory";
    else if (!st.any_exec_bit())
      why = "it has no execute bit (mode " + octal_mode(st.mode) + ")";
    else if (id.known && !core::may_access(st, id.uid, id.groups, 01))
      why = fmt::format("mode {}, owner uid {} gid {}: {} may not execute it", octal_mode(st.mode), st.uid, st.gid,
                        id.name);
    else if (std::string blocked = blocked_component(core::dirname(file), id, ctx_.fs); !blocked.empty())
      why = id.name + " may not search " + blocked;
    if (!why.empty()) {
      out.push_back(item("command-not-executable", where,
                         {{"filename", file}, {"user", id.known ? id.name : ""}, {"why", why}}));
      return;
    }
    bool crlf = false;
    const std::string interpreter = spawn::shebang_interpreter(ctx_.fs, file, crlf);
    if (crlf)
      out.push_back(item("shebang-crlf", where, {{"filename", file}, {"interpreter", interpreter}}));
    else if (!interpreter.empty() && interpreter.starts_with('/') && !ctx_.fs.stat(interpreter))
      out.push_back(item("interpreter-missing", where, {{"filename", file}, {"interpreter", interpreter}}));
  }

  void directory(const std::string& written, const Identity& id, const core::Origin& where,
                 std::vector<PreflightItem>& out) const {
    const std::string dir = core::absolute_path(written, ctx_.cwd);
    const auto st = ctx_.fs.stat(dir);
    if (!st || !st->is_dir()) {
      out.push_back(item("directory-missing", where, {{"directory", dir}}));
      return;
    }
    if (std::string blocked = blocked_component(dir, id, ctx_.fs); !blocked.empty())
      out.push_back(item("directory-not-enterable", where, {{"directory", dir}, {"blocked", blocked}, {"user", id.name}}));
  }

  // The directory supervisord creates path in: it must exist (supervisord
  // checks at parse time) and supervisord's user must write it.
  void log_dir(const std::string& key, const std::string& path, const core::Origin& where,
               std::vector<PreflightItem>& out) const {
    const std::string dir = core::dirname(path);
    const std::string shown = key == "childlogdir" ? dir : path;
    const auto st = ctx_.fs.stat(dir);
    if (!st || !st->is_dir()) {
      out.push_back(item("logdir-missing", where, {{"key", key}, {"path", shown}, {"directory", dir}}));
      return;
    }
    if (!writer_.known || writer_.uid == 0) return;
    if (!blocked_component(dir, writer_, ctx_.fs).empty() || !core::may_access(*st, writer_.uid, writer_.groups, 03))
      out.push_back(item("logdir-unwritable", where,
                         {{"key", key}, {"path", shown}, {"directory", dir}, {"writer", writer_.name}}));
  }

  const PreflightContext& ctx_;
  Identity writer_;  // supervisord's user (root unless [supervisord] user=)
};

bool same_address(const std::string& a, const std::string& b) {
  auto any = [](const std::string& h) { return h.empty() || h == "0.0.0.0" || h == "*" || h == "::" || h == "[::]"; };
  auto canon = [](const std::string& h) { return h == "localhost" ? std::string("127.0.0.1") : h; };
  return any(a) || any(b) || canon(a) == canon(b);
}

std::optional<int> port_number(const std::string& s) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int v = std::stoi(s);
  if (v < 1 || v > 65535) return std::nullopt;
  return v;
}

// "host:port", ":port", "port" (bare only when the option said it is one).
std::optional<std::pair<std::string, int>> address(const std::string& v, bool bare_ok) {
  if (v.starts_with("unix:") || v.starts_with("/")) return std::nullopt;
  const auto colon = v.rfind(':');
  if (colon == std::string::npos) {
    if (auto p = bare_ok ? port_number(v) : std::nullopt) return std::pair{std::string(), *p};
    return std::nullopt;
  }
  std::string host = v.substr(0, colon);
  auto p = port_number(v.substr(colon + 1));
  if (!p) return std::nullopt;
  // A loose guess: a host is empty, an address, a name with a dot, or a wildcard.
  if (!bare_ok && !host.empty() && host != "localhost" && host != "*" && host.find('.') == std::string::npos &&
      !host.starts_with("["))
    return std::nullopt;
  if (host.find('/') != std::string::npos) return std::nullopt;
  return std::pair{host, *p};
}

}  // namespace

std::vector<std::pair<std::string, int>> named_ports(const std::string& command, const core::Env& environment) {
  std::vector<std::pair<std::string, int>> out;
  auto add = [&](std::optional<std::pair<std::string, int>> a) {
    if (a && std::find(out.begin(), out.end(), *a) == out.end()) out.push_back(*a);
  };
  std::vector<std::string> argv;
  try {
    argv = config::shlex_split(command);
  } catch (const std::invalid_argument&) {
    argv = config::py_split(command);
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& t = argv[i];
    const bool has_next = i + 1 < argv.size();
    if ((t == "-b" || t == "--bind") && has_next) {
      add(address(argv[++i], true));
    } else if (t == "--port" && has_next) {
      if (auto p = port_number(argv[++i])) add(std::pair{std::string(), *p});
    } else if (t.starts_with("--bind=")) {
      add(address(t.substr(7), true));
    } else if (t.starts_with("-b") && t.size() > 2 && t[2] != '-') {
      add(address(t.substr(2), true));
    } else if (auto eq = t.rfind("port="); eq != std::string::npos && (eq == 0 || !std::isalnum(static_cast<unsigned char>(t[eq - 1])))) {
      if (auto p = port_number(t.substr(eq + 5))) add(std::pair{std::string(), *p});
    } else {
      add(address(t, false));
    }
  }
  if (auto v = environment.get("PORT"))
    if (auto p = port_number(*v)) add(std::pair{std::string(), *p});
  return out;
}

std::string nearest_key(const std::string& key, config::SectionKind kind) {
  // Optimal string alignment distance: a swap of two letters counts one.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[a.size()][b.size()];
  };
  std::string best;
  size_t best_d = 3;
  for (const auto& k : config::section_keys(kind)) {
    const size_t d = distance(key, k);
    if (d < best_d && d * 2 < key.size()) {
      best = k;
      best_d = d;
    }
  }
  return best;
}

PreflightResults preflight(const PreflightContext& ctx, const std::vector<const config::ProcessConfig*>& procs) {
  Checker checker(ctx);
  PreflightResults r;
  r.config = checker.config();
  for (const auto* p : procs) r.programs.push_back(checker.program(*p));

  // Ports named explicitly by two programs (sections) of the config.
  std::vector<std::vector<std::pair<std::string, int>>> ports;
  for (const auto& q : ctx.cfg.processes) ports.push_back(named_ports(q.command, q.environment));
  for (size_t i = 0; i < procs.size(); ++i) {
    const auto* p = procs[i];
    const auto& mine = ports[static_cast<size_t>(p - ctx.cfg.processes.data())];
    std::set<std::pair<int, std::string>> seen;
    for (size_t j = 0; j < ctx.cfg.processes.size(); ++j) {
      const auto& q = ctx.cfg.processes[j];
      if (q.section == p->section) continue;
      for (const auto& [host, port] : mine)
        for (const auto& [qhost, qport] : ports[j]) {
          if (port != qport || !same_address(host, qhost) || !seen.insert({port, q.section}).second) continue;
          r.programs[i].push_back(
              item("port-clash", origin_of(p->key_origins, "command", p->source),
                   {{"port", std::to_string(port)},
                    {"address", (host.empty() ? "*" : host) + ":" + std::to_string(port)},
                    {"other_program", q.name},
                    {"other_location", origin_of(q.key_origins, "command", q.source).str()}}));
        }
    }
  }
  return r;
}

}  // namespace bootmortem::evidence
