#include "rules/fixtures.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "evidence/supervisor_log.h"
#include "rules/names.h"
#include "rules/toml_text.h"

namespace bootmortem::rules {
namespace {

// What a case is made of before make_evidence derives facts and values, so a
// fixture that sets env.HOME = "/root" gets home_not_users_home like a real
// replay would, and facts added to evidence later apply to old fixtures too.
struct Draft {
  spawn::SpawnSpec spec;
  trace::TraceLog trace;
  login::LoginEnv login;
};

const char* k_default_command = "/srv/app/venv/bin/gunicorn -b 0.0.0.0:8000 app:application";
const char* k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

using Keys = std::set<std::string>;
const Keys k_top_keys = {"rule", "positive", "negative"};
const Keys k_case_keys = {
    "note",    "expect_top", "expect_absent", "expect_none", "verdict",  "exit_code",
    "signal",  "after_ms",   "spawnerr",      "stderr",      "stdout",   "user",
    "uid",     "user_home",  "command",       "directory",   "cwd",      "env",
    "unset_env", "login_env", "facts",        "values",      "syscall",  "preflight"};
const Keys k_syscall_keys = {"call", "errno", "path", "path2", "args", "addr", "port", "pid", "count"};

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void set_identity(Draft& d, const std::string& user, uid_t uid, const std::string& home) {
  auto& s = d.spec;
  s.user = user;
  s.uid = uid;
  s.gid = uid;
  s.groups = {static_cast<gid_t>(uid)};
  s.user_home = home;
  s.switch_user = uid != 0;
  for (core::Env* env : {&s.env, &d.login.env}) {
    env->set("HOME", home);
    env->set("USER", user);
    env->set("LOGNAME", user);
  }
}

Draft base_draft() {
  Draft d;
  auto& s = d.spec;
  s.name = "app";
  s.section = "program:app";
  s.source = {"/etc/supervisor/conf.d/app.conf", 1};
  s.argv = split_words(k_default_command);
  s.filename = s.argv[0];
  s.base.source = spawn::BaseEnvSource::LiveSupervisord;
  s.base.observed = true;
  s.base.pid = 1;
  s.user_shell = "/bin/bash";
  s.directory = "/srv/app";
  s.cwd = "/srv/app";
  for (core::Env* env : {&s.env, &d.login.env}) {
    env->set("PATH", k_default_path);
    env->set("LANG", "C.UTF-8");
  }
  set_identity(d, "app", 1001, "/home/app");
  s.env.set("SUPERVISOR_ENABLED", "1");
  s.env.set("SUPERVISOR_PROCESS_NAME", "app");
  d.login.method = "fixture";
  d.login.env.set("SHELL", "/bin/bash");

  d.trace.backend = "fixture";
  d.trace.verdict = trace::Verdict::Fails;
  d.trace.main_pid = 1000;
  d.trace.exit_code = 1;
  d.trace.after_ms = 300;
  d.trace.processes = 1;
  return d;
}

// The section as a config file, so rules with set_env produce their patch.
std::string config_text(const spawn::SpawnSpec& s) {
  std::string cmd;
  for (const auto& a : s.argv) cmd += (cmd.empty() ? "" : " ") + a;
  std::string text = "[" + s.section + "]\ncommand=" + cmd + "\n";
  if (s.directory) text += "directory=" + *s.directory + "\n";
  if (s.switch_user) text += "user=" + s.user + "\n";
  return text;
}

struct Reader {
  std::string file;

  core::Origin at(const toml::node& n) const { return {file, static_cast<int>(n.source().begin.line)}; }
  [[noreturn]] void fail(const toml::node& n, const std::string& msg) const {
    throw core::InputError(at(n), msg);
  }

  void check_keys(const toml::table& t, const Keys& known, const char* what) const {
    for (const auto& [key, node] : t)
      if (!known.count(std::string(key.str())))
        throw core::InputError(core::Origin{file, static_cast<int>(key.source().begin.line)},
                               "unknown field '" + std::string(key.str()) + "' in " + what);
  }
  std::string str(const toml::node& n, const std::string& key) const {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    fail(n, "'" + key + "' must be a string");
  }
  int64_t integer(const toml::node& n, const std::string& key) const {
    if (auto v = n.value<int64_t>(); v && n.is_integer()) return *v;
    fail(n, "'" + key + "' must be an integer");
  }
  std::vector<std::string> strs(const toml::node& n, const std::string& key) const {
    if (n.is_string()) return {str(n, key)};
    const auto* arr = n.as_array();
    if (!arr) fail(n, "'" + key + "' must be a list of strings");
    std::vector<std::string> out;
    for (const auto& e : *arr) out.push_back(str(e, key));
    return out;
  }
  const toml::table& table(const toml::node& n, const std::string& key) const {
    if (const auto* t = n.as_table()) return *t;
    fail(n, "'" + key + "' must be a table");
  }

  trace::FailedSyscall syscall(const toml::node& n, uint64_t seq) const {
    const auto& t = table(n, "syscall");
    check_keys(t, k_syscall_keys, "a syscall");
    trace::FailedSyscall s;
    s.pid = 1000;
    s.seq = seq;
    s.at_ms = static_cast<int64_t>(seq) * 2;
    const auto* call = t.get("call");
    const auto* err = t.get("errno");
    if (!call || !err) fail(n, "a syscall needs 'call' and 'errno'");
    s.call = str(*call, "call");
    s.err = core::errno_from_name(str(*err, "errno"));
    if (s.err < 0) fail(*err, "unknown errno '" + str(*err, "errno") + "'");
    for (auto [key, out] : {std::pair{"path", &s.path}, std::pair{"path2", &s.path2},
                            std::pair{"args", &s.args}, std::pair{"addr", &s.addr}})
      if (const auto* v = t.get(key)) *out = str(*v, key);
    if (const auto* v = t.get("port")) s.port = static_cast<int>(integer(*v, "port"));
    if (const auto* v = t.get("pid")) s.pid = static_cast<int>(integer(*v, "pid"));
    if (const auto* v = t.get("count")) s.count = static_cast<uint64_t>(integer(*v, "count"));
    return s;
  }

  // Identity first: env defaults (HOME, USER, LOGNAME) follow the user.
  void apply_identity(const toml::table& t, Draft& d) const {
    std::string user = d.spec.user, home = d.spec.user_home;
    uid_t uid = d.spec.uid;
    if (const auto* v = t.get("user")) user = str(*v, "user");
    if (const auto* v = t.get("uid")) uid = static_cast<uid_t>(integer(*v, "uid"));
    if (const auto* v = t.get("user_home")) home = str(*v, "user_home");
    set_identity(d, user, uid, home);
  }

  void apply(const toml::table& t, Draft& d) const {
    auto& s = d.spec;
    auto& tr = d.trace;
    apply_identity(t, d);
    if (const auto* v = t.get("command")) {
      s.argv = split_words(str(*v, "command"));
      if (s.argv.empty()) fail(*v, "'command' is empty");
      s.filename = s.argv[0];
    }
    if (const auto* v = t.get("directory")) s.directory = s.cwd = str(*v, "directory");
    if (const auto* v = t.get("cwd")) s.cwd = str(*v, "cwd");
    if (const auto* v = t.get("env"))
      for (const auto& [k, val] : table(*v, "env")) s.env.set(std::string(k.str()), str(val, "env"));
    if (const auto* v = t.get("unset_env"))
      for (const auto& name : strs(*v, "unset_env")) s.env.erase(name);
    if (const auto* v = t.get("login_env"))
      for (const auto& [k, val] : table(*v, "login_env"))
        d.login.env.set(std::string(k.str()), str(val, "login_env"));

    if (const auto* v = t.get("verdict")) {
      std::string verdict = str(*v, "verdict");
      if (verdict != "fails" && verdict != "starts") fail(*v, "'verdict' must be \"fails\" or \"starts\"");
      if (verdict == "starts") {
        tr.verdict = trace::Verdict::Starts;
        tr.exit_code.reset();
        tr.after_ms = s.startsecs * 1000;
      }
    }
    if (const auto* v = t.get("exit_code")) tr.exit_code = static_cast<int>(integer(*v, "exit_code"));
    if (const auto* v = t.get("signal")) {
      int sig = v->is_integer() ? static_cast<int>(integer(*v, "signal"))
                                : evidence::signal_by_name(str(*v, "signal")).value_or(-1);
      if (sig < 1) fail(*v, "unknown signal '" + str(*v, "signal") + "'");
      tr.exit_signal = sig;
      tr.exit_code.reset();
    }
    if (const auto* v = t.get("after_ms")) tr.after_ms = integer(*v, "after_ms");
    if (const auto* v = t.get("spawnerr")) tr.spawnerr = str(*v, "spawnerr");
    for (auto [key, out] : {std::pair{"stderr", &tr.err}, std::pair{"stdout", &tr.out}})
      if (const auto* v = t.get(key)) {
        out->head = str(*v, key);
        out->total = out->head.size();
      }
    if (const auto* v = t.get("syscall")) {
      const auto* arr = v->as_array();
      if (!arr) fail(*v, "'syscall' must be [[positive.syscall]] tables");
      for (const auto& e : *arr) tr.failed.push_back(syscall(e, tr.failed.size() + 1));
      tr.failed_total = tr.failed.size();
    }
  }

  // preflight = { check = "user-missing", user = "appuser" }: one
  // pre-flight item at line 3 of the section's file, the check's other
  // values "".
  void preflight(const toml::table& t, evidence::Evidence& ev) const {
    const auto* v = t.get("preflight");
    if (!v) return;
    const auto& tab = table(*v, "preflight");
    const auto* check = tab.get("check");
    if (!check) fail(*v, "'preflight' needs 'check'");
    const auto* known = evidence::find_preflight_check(str(*check, "check"));
    if (!known) fail(*check, "unknown pre-flight check '" + str(*check, "check") + "'");
    evidence::PreflightItem item{known->id, {ev.spec.source.file, 3}, known->failure, {}};
    for (const auto& name : known->values) item.values[name] = "";
    for (const auto& [k, val] : tab) {
      const std::string name(k.str());
      if (name == "check") continue;
      if (!item.values.count(name)) fail(val, "pre-flight check '" + item.check + "' has no value '" + name + "'");
      item.values[name] = str(val, name);
    }
    ev.preflight.push_back(std::move(item));
  }

  // Facts and values a case states outright win over derived ones.
  void override(const toml::table& t, evidence::Evidence& ev) const {
    if (const auto* v = t.get("facts"))
      for (auto name : strs(*v, "facts")) {
        bool want = name.empty() || name[0] != '!';
        if (!want) name.erase(0, 1);
        if (!is_fact(name)) fail(*v, "unknown fact '" + name + "'");
        ev.facts[name] = want;
      }
    if (const auto* v = t.get("values"))
      for (const auto& [k, val] : table(*v, "values")) {
        std::string name(k.str());
        if (!is_value(name)) fail(val, "unknown value '" + name + "'");
        ev.values[name] = str(val, name);
      }
  }

  FixtureCase one_case(const toml::node& n, bool positive, const std::string& rule) const {
    const char* what = positive ? "[positive]" : "[negative]";
    const auto& t = table(n, positive ? "positive" : "negative");
    check_keys(t, k_case_keys, what);
    FixtureCase c;
    c.positive = positive;
    c.origin = at(n);
    if (const auto* v = t.get("note")) c.note = str(*v, "note");
    if (const auto* v = t.get("expect_top")) c.expect_top = str(*v, "expect_top");
    if (const auto* v = t.get("expect_absent")) c.expect_absent = strs(*v, "expect_absent");
    if (const auto* v = t.get("expect_none")) {
      if (!v->is_boolean()) fail(*v, "'expect_none' must be true or false");
      c.expect_none = *v->value<bool>();
    }
    // The file's rule is what a case is about unless it says otherwise.
    if (positive && c.expect_top.empty()) c.expect_top = rule;
    if (!positive && c.expect_absent.empty() && !c.expect_none && !rule.empty())
      c.expect_absent = {rule};
    if (positive && c.expect_top.empty())
      fail(n, "[positive] needs 'expect_top' (or a top-level 'rule')");
    if (!positive && c.expect_absent.empty() && !c.expect_none)
      fail(n, "[negative] needs 'expect_absent' or 'expect_none' (or a top-level 'rule')");

    Draft d = base_draft();
    apply(t, d);
    std::string text = config_text(d.spec);
    c.evidence = evidence::make_evidence(std::move(d.spec), std::move(d.trace), std::move(d.login));
    c.evidence.config_text = text;
    override(t, c.evidence);
    preflight(t, c.evidence);
    return c;
  }
};

}  // namespace

evidence::Evidence fixture_base_evidence() {
  Draft d = base_draft();
  std::string text = config_text(d.spec);
  auto ev = evidence::make_evidence(std::move(d.spec), std::move(d.trace), std::move(d.login));
  ev.config_text = text;
  return ev;
}

Fixture parse_fixture(const std::string& text, const std::string& origin) {
  toml::table root = parse_toml(text, origin);
  Reader r{origin};
  r.check_keys(root, k_top_keys, "a fixture file");
  Fixture f;
  f.file = origin;
  if (const auto* v = root.get("rule")) f.rule = r.str(*v, "rule");
  for (bool positive : {true, false}) {
    const auto* node = root.get(positive ? "positive" : "negative");
    if (!node) continue;
    if (const auto* arr = node->as_array()) {  // [[positive]]: several cases
      for (const auto& e : *arr) f.cases.push_back(r.one_case(e, positive, f.rule));
    } else {
      f.cases.push_back(r.one_case(*node, positive, f.rule));
    }
  }
  if (f.cases.empty())
    throw core::InputError(core::Origin{origin, 1}, "fixture has no [positive] or [negative] case");
  return f;
}

std::vector<Fixture> load_fixture_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->path().extension() == ".toml") files.push_back(it->path());
  if (ec) throw core::InputError(core::Origin{dir, 0}, "cannot list fixtures: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Fixture> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw core::InputError(core::Origin{f.string(), 0}, "cannot read fixture file");
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back(parse_fixture(text.str(), f.string()));
  }
  return out;
}

}  // namespace bootmortem::rules
