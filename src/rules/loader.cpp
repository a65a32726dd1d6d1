#include "rules/loader.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>

#include <toml++/toml.h>

#include "evidence/preflight.h"
#include "rules/names.h"
#include "rules/toml_text.h"

namespace bootmortem::rules {
namespace {

// glibc picks the variant (stat → newfstatat, open → openat...), so rules
// name a family and match what the trace actually saw.
const std::vector<std::pair<std::string, std::vector<std::string>>>& families() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> k = {
      {"@open", {"open", "openat", "openat2", "creat"}},
      {"@stat", {"stat", "lstat", "newfstatat", "fstatat64", "statx"}},
      {"@mkdir", {"mkdir", "mkdirat"}},
      {"@access", {"access", "faccessat", "faccessat2"}},
      {"@unlink", {"unlink", "unlinkat", "rmdir"}},
      {"@rename", {"rename", "renameat", "renameat2"}},
      {"@link", {"link", "linkat", "symlink", "symlinkat"}},
      {"@chdir", {"chdir", "fchdir"}},
      {"@exec", {"execve", "execveat"}},
      {"@chmod", {"chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat"}},
  };
  return k;
}

const std::set<std::string>& other_calls() {
  static const std::set<std::string> k = {
      "readlink", "readlinkat", "truncate", "utimensat", "statfs", "getxattr", "lgetxattr",
      "bind",     "connect",    "listen",   "socket",    "accept",  "accept4",  "mmap",
      "mprotect", "setuid",     "setgid",   "setgroups", "setresuid", "setresgid", "kill",
      "inotify_add_watch", "mount", "prctl", "ptrace",   "setrlimit", "prlimit64", "clone",
      "clone3",   "fork",       "vfork",    "sendto",    "recvfrom"};
  return k;
}

using Keys = std::set<std::string>;
const Keys k_condition_keys = {"exit_code", "stderr", "stdout",  "output",
                               "spawnerr",  "verdict", "facts", "syscall", "preflight"};
const Keys k_rule_keys = {"id",  "title", "family",  "confidence", "cause",
                          "fix", "set_env", "any",   "cite", "set", "set_supervisord",
                          "run", "changes", "unverifiable"};
const Keys k_syscall_keys = {"call", "errno", "path", "path_not", "under", "port_below", "port_at_least"};

const std::pair<const char*, TextField> k_text_keys[] = {
    {"stderr", TextField::Stderr},
    {"stdout", TextField::Stdout},
    {"output", TextField::Output},
    {"spawnerr", TextField::Spawnerr},
};

// Parsing state for one file: its name for origins, the rule being read for
// messages, the tables patterns go into.
struct Reader {
  std::string file;
  PatternTables& tables;
  std::string rule_id;

  core::Origin at(const toml::source_region& src) const {
    return {file, static_cast<int>(src.begin.line)};
  }
  [[noreturn]] void fail(const toml::source_region& src, const std::string& msg) const {
    throw core::InputError(at(src), rule_id.empty() ? msg : "rule '" + rule_id + "': " + msg);
  }

  void check_keys(const toml::table& t, const Keys& a, const Keys& b, const char* what) const {
    for (const auto& [key, node] : t)
      if (!a.count(std::string(key.str())) && !b.count(std::string(key.str())))
        fail(key.source(), "unknown field '" + std::string(key.str()) + "' in " + what);
  }

  std::string string(const toml::node& n, const char* key) const {
    if (auto s = n.value<std::string>()) return *s;
    fail(n.source(), std::string("'") + key + "' must be a string");
  }

  // A string or an array of strings.
  std::vector<std::string> strings(const toml::node& n, const char* key) const {
    if (n.is_string()) return {*n.value<std::string>()};
    std::vector<std::string> out;
    const auto* arr = n.as_array();
    if (!arr) fail(n.source(), std::string("'") + key + "' must be a list of strings");
    for (const auto& e : *arr) out.push_back(string(e, key));
    return out;
  }

  std::vector<int> ints(const toml::node& n, const char* key) const {
    std::vector<int> out;
    auto one = [&](const toml::node& e) {
      auto v = e.value<int64_t>();
      if (!v || !e.is_integer()) fail(e.source(), std::string("'") + key + "' must be integers");
      out.push_back(static_cast<int>(*v));
    };
    if (const auto* arr = n.as_array())
      for (const auto& e : *arr) one(e);
    else
      one(n);
    return out;
  }

  SyscallCond syscall(const toml::node& n) const {
    const auto* t = n.as_table();
    if (!t) fail(n.source(), "'syscall' must be a table ([rule.syscall])");
    check_keys(*t, k_syscall_keys, {}, "a syscall condition");
    if (t->empty()) fail(n.source(), "empty syscall condition");
    SyscallCond c;
    c.origin = at(n.source());
    if (const auto* v = t->get("call"))
      for (const auto& name : strings(*v, "call")) {
        if (const auto* fam = call_family(name))
          c.calls.insert(c.calls.end(), fam->begin(), fam->end());
        else if (is_known_call(name))
          c.calls.push_back(name);
        else
          fail(v->source(), "unknown syscall '" + name + "'");
      }
    if (const auto* v = t->get("errno"))
      for (const auto& name : strings(*v, "errno")) {
        int e = core::errno_from_name(name);
        if (e < 0) fail(v->source(), "unknown errno '" + name + "'");
        c.errnos.push_back(e);
      }
    if (const auto* v = t->get("path"))
      c.path.index = tables.path.add(string(*v, "path"), at(v->source()), &c.path.captures);
    if (const auto* v = t->get("path_not")) {
      c.path_not.index = tables.path.add(string(*v, "path_not"), at(v->source()), &c.path_not.captures);
      if (!c.path_not.captures.empty()) fail(v->source(), "'path_not' cannot capture: nothing it matches is used");
    }
    if (const auto* v = t->get("under")) {
      c.under = string(*v, "under");
      if (!is_value(c.under)) fail(v->source(), "unknown value '" + c.under + "' in 'under'");
    }
    for (auto [key, out] : {std::pair{"port_below", &c.port_below}, std::pair{"port_at_least", &c.port_at_least}})
      if (const auto* v = t->get(key)) {
        auto p = v->value<int64_t>();
        if (!v->is_integer() || *p < 1 || *p > 65536)
          fail(v->source(), std::string("'") + key + "' must be an integer in 1..65536");
        *out = static_cast<int>(*p);
      }
    return c;
  }

  Conditions conditions(const toml::table& t) const {
    Conditions c;
    c.origin = at(t.source());
    if (const auto* v = t.get("exit_code")) c.exit_codes = ints(*v, "exit_code");
    if (const auto* v = t.get("verdict")) {
      std::string s = string(*v, "verdict");
      if (s != "fails" && s != "starts") fail(v->source(), "'verdict' must be \"fails\" or \"starts\"");
      c.fails = s == "fails";
    }
    if (const auto* v = t.get("facts"))
      for (auto name : strings(*v, "facts")) {
        bool want = name.empty() || name[0] != '!';
        if (!want) name.erase(0, 1);
        if (!is_fact(name)) fail(v->source(), "unknown fact '" + name + "'");
        c.facts.push_back({name, want});
      }
    for (const auto& [key, field] : k_text_keys)
      if (const auto* v = t.get(key)) {
        auto& ref = c.text[static_cast<int>(field)];
        ref.index = tables.text[static_cast<int>(field)].add(string(*v, key), at(v->source()),
                                                              &ref.captures);
      }
    if (const auto* v = t.get("preflight")) {
      c.preflight = string(*v, "preflight");
      if (!evidence::find_preflight_check(c.preflight))
        fail(v->source(), "unknown pre-flight check '" + c.preflight + "'");
    }
    if (const auto* v = t.get("syscall")) {
      if (const auto* arr = v->as_array())
        for (const auto& e : *arr) c.syscalls.push_back(syscall(e));
      else
        c.syscalls.push_back(syscall(*v));
    }
    return c;
  }

  // Every hole must be filled by a capture the rule always sets, or by a value.
  void check_template(const Template& tpl, const std::set<std::string>& captures,
                      bool config_line_ok) const {
    for (const auto& name : tpl.names()) {
      if (captures.count(name) || is_value(name)) continue;
      if (name.starts_with(k_login_env_prefix)) continue;  // a variable's login value
      if (name == k_config_line && config_line_ok) continue;
      std::string why = name == k_config_line ? " ({config_line} needs a [rule.set_env] or [rule.set] table)"
                                              : "";
      throw core::InputError(tpl.origin(), "rule '" + rule_id + "': template names '{" + name +
                                               "}', which is neither a capture of this rule nor "
                                               "an evidence value" + why);
    }
  }

  // A table's entries in the order written (toml++ keeps keys sorted).
  std::vector<std::pair<const toml::key*, const toml::node*>> written_order(const toml::node& v,
                                                                            const char* field) const {
    const auto* table = v.as_table();
    if (!table) fail(v.source(), std::string("'") + field + "' must be a table ([rule." + field + "])");
    std::vector<std::pair<const toml::key*, const toml::node*>> entries;
    for (const auto& [key, node] : *table) entries.push_back({&key, &node});
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      const auto &x = a.first->source().begin, &y = b.first->source().begin;
      return x.line != y.line ? x.line < y.line : x.column < y.column;
    });
    return entries;
  }

  Template tpl(const toml::table& t, const char* key) const {
    const auto* v = t.get(key);
    if (!v) fail(t.source(), std::string("missing '") + key + "'");
    return Template::parse(string(*v, key), at(v->source()));
  }

  Rule rule(const toml::node& n) {
    const auto* t = n.as_table();
    if (!t) fail(n.source(), "each [[rule]] must be a table");
    rule_id.clear();
    Rule r;
    r.origin = at(t->source());
    const auto* id = t->get("id");
    if (!id) fail(t->source(), "rule without 'id'");
    r.id = string(*id, "id");
    if (r.id.empty() || !std::all_of(r.id.begin(), r.id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }))
      fail(id->source(), "rule id '" + r.id + "' must be lower-case letters, digits and '-'");
    rule_id = r.id;
    check_keys(*t, k_rule_keys, k_condition_keys, "a rule");
    for (auto [key, out] : {std::pair{"title", &r.title}, std::pair{"family", &r.family}}) {
      const auto* v = t->get(key);
      if (!v) fail(t->source(), std::string("missing '") + key + "'");
      *out = string(*v, key);
    }
    const auto* conf = t->get("confidence");
    if (!conf) fail(t->source(), "missing 'confidence'");
    auto cv = conf->value<double>();
    if (!cv || *cv < 0 || *cv > 1) fail(conf->source(), "'confidence' must be a number in 0..1");
    r.confidence = *cv;

    r.all = conditions(*t);
    if (const auto* v = t->get("any")) {
      const auto* arr = v->as_array();
      if (!arr || !arr->is_array_of_tables()) fail(v->source(), "'any' must be [[rule.any]] tables");
      for (const auto& e : *arr) {
        check_keys(*e.as_table(), k_condition_keys, {}, "[[rule.any]]");
        if (e.as_table()->empty()) fail(e.source(), "empty [[rule.any]]");
        r.any.push_back(conditions(*e.as_table()));
      }
    }
    if (const auto* v = t->get("cite")) {
      const auto* arr = v->as_array();
      if (!arr || !arr->is_array_of_tables()) fail(v->source(), "'cite' must be [[rule.cite]] tables");
      for (const auto& e : *arr) r.cite.push_back(syscall(e));
    }
    bool has_condition = !r.all.exit_codes.empty() || r.all.fails || !r.all.facts.empty() || !r.all.preflight.empty() ||
                         !r.all.syscalls.empty() || !r.any.empty() ||
                         std::any_of(std::begin(r.all.text), std::end(r.all.text),
                                     [](const PatternRef& p) { return p.set(); });
    if (!has_condition) fail(t->source(), "rule has no conditions, so it would match everything");

    if (const auto* v = t->get("set_env"))
      for (const auto& [key, node] : written_order(*v, "set_env")) {
        std::string name(key->str());
        bool capture = name.size() > 2 && name.front() == '{' && name.back() == '}';
        std::string bare = capture ? name.substr(1, name.size() - 2) : name;
        if (bare.empty() || std::isdigit(static_cast<unsigned char>(bare[0])) ||
            !std::all_of(bare.begin(), bare.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
          fail(key->source(), "'" + name + "' is not an environment variable name (or a {capture})");
        r.set_env.push_back({Template::parse(name, at(key->source())),
                             Template::parse(string(*node, name.c_str()), at(node->source()))});
      }
    for (auto [field, out] : {std::pair{"set", &r.set_program}, std::pair{"set_supervisord", &r.set_supervisord}})
      if (const auto* v = t->get(field))
        for (const auto& [key, node] : written_order(*v, field)) {
          std::string name(key->str());
          if (name == "environment") fail(key->source(), "environment= is changed with [rule.set_env]");
          if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
              }))
            fail(key->source(), "'" + name + "' is not a supervisor config key");
          out->push_back({name, Template::parse(string(*node, name.c_str()), at(node->source()))});
        }
    for (auto [field, out] : {std::pair{"run", &r.run}, std::pair{"changes", &r.changes}})
      if (const auto* v = t->get(field)) {
        const auto* arr = v->as_array();
        if (!arr) fail(v->source(), std::string("'") + field + "' must be an array of strings");
        for (const auto& e : *arr) out->push_back(Template::parse(string(e, field), at(e.source())));
      }
    if (!r.run.empty() && r.changes.empty())
      fail(t->source(), "'run' needs 'changes': the paths its commands change, to replay them in a throwaway copy");
    if (const auto* v = t->get("unverifiable")) r.unverifiable = Template::parse(string(*v, "unverifiable"), at(v->source()));
    r.cause = tpl(*t, "cause");
    r.fix = tpl(*t, "fix");

    std::set<std::string> captures;
    for (const auto& name : r.all.capture_names()) captures.insert(name);
    if (!r.any.empty()) {
      // A name only some alternatives set would be blank when another fires.
      auto first = r.any[0].capture_names();
      std::set<std::string> common(first.begin(), first.end());
      for (const auto& alt : r.any) {
        auto names = alt.capture_names();
        std::set<std::string> here(names.begin(), names.end()), keep;
        std::set_intersection(common.begin(), common.end(), here.begin(), here.end(),
                              std::inserter(keep, keep.begin()));
        common = keep;
      }
      captures.insert(common.begin(), common.end());
    }
    check_template(r.cause, captures, !r.set_env.empty() || !r.set_program.empty());
    check_template(r.fix, captures, !r.set_env.empty() || !r.set_program.empty());
    for (const auto& a : r.set_env) {
      check_template(a.name, captures, false);
      check_template(a.value, captures, false);
    }
    for (const auto* list : {&r.set_program, &r.set_supervisord})
      for (const auto& a : *list) check_template(a.value, captures, false);
    for (const auto* list : {&r.run, &r.changes})
      for (const auto& c : *list) check_template(c, captures, false);
    if (r.unverifiable) check_template(*r.unverifiable, captures, false);
    rule_id.clear();
    return r;
  }
};

}  // namespace

std::vector<std::string> Conditions::capture_names() const {
  std::vector<std::string> out;
  for (const auto& ref : text) out.insert(out.end(), ref.captures.begin(), ref.captures.end());
  for (const auto& s : syscalls) {
    out.insert(out.end(), s.path.captures.begin(), s.path.captures.end());
    const auto& builtin = syscall_capture_names();
    out.insert(out.end(), builtin.begin(), builtin.end());
  }
  if (const auto* check = evidence::find_preflight_check(preflight))
    out.insert(out.end(), check->values.begin(), check->values.end());
  return out;
}

void PatternTables::seal() {
  for (auto& t : text) t.seal();
  path.seal();
}

bool is_known_call(const std::string& name) {
  if (other_calls().count(name)) return true;
  for (const auto& [fam, calls] : families())
    if (std::find(calls.begin(), calls.end(), name) != calls.end()) return true;
  return false;
}

const std::vector<std::string>* call_family(const std::string& name) {
  for (const auto& [fam, calls] : families())
    if (fam == name) return &calls;
  return nullptr;
}

toml::table parse_toml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw core::InputError(core::Origin{origin, static_cast<int>(e.source().begin.line)},
                           std::string(e.description()));
  }
}

std::vector<Rule> load_rules(const std::string& text, const std::string& origin,
                             PatternTables& tables) {
  toml::table root = parse_toml(text, origin);
  Reader reader{origin, tables, {}};
  for (const auto& [key, node] : root)
    if (key.str() != "rule")
      reader.fail(key.source(), "unknown top-level field '" + std::string(key.str()) +
                                    "' (rules are [[rule]] tables)");
  std::vector<Rule> out;
  const auto* rules = root.get("rule");
  if (!rules) return out;
  const auto* arr = rules->as_array();
  if (!arr || !arr->is_array_of_tables())
    reader.fail(rules->source(), "'rule' must be [[rule]] tables");
  for (const auto& n : *arr) out.push_back(reader.rule(n));
  return out;
}

}  // namespace bootmortem::rules
