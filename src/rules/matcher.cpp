#include "rules/matcher.h"

#include <algorithm>

#include "rules/names.h"
#include "rules/patch.h"
#include "rules/trace_text.h"

namespace bootmortem::rules {
namespace {

using Captures = std::map<std::string, std::string>;
constexpr size_t k_max_cited_per_condition = 4;
// The most a syscall's position can add to a rule's confidence: enough to
// order two syscall-proven causes by which failed last before the exit,
// never enough to lift a weak rule over a strong one.
constexpr double k_position_bonus = 0.1;

// The file a failed call was about: its path, or for bind/connect on a Unix
// socket the socket's path (the tracer keeps that in addr, "/run/app.sock";
// abstract sockets start with '@' and name no file).
const std::string& subject_path(const trace::FailedSyscall& s) {
  return s.path.empty() && !s.addr.empty() && s.addr[0] == '/' ? s.addr : s.path;
}

// Everything about the evidence that is the same for every rule, computed
// once per match() call: each text field run through its RE2::Set, each
// failed syscall's path through the path set.
struct Prepared {
  const evidence::Evidence& ev;
  const PatternTables& tables;
  std::string text[static_cast<int>(TextField::Count)];
  std::vector<bool> text_hits[static_cast<int>(TextField::Count)];
  std::vector<std::vector<bool>> path_hits;  // per failed syscall
  std::map<uint64_t, size_t> rank;           // seq -> position among failures

  Prepared(const evidence::Evidence& e, const PatternTables& t) : ev(e), tables(t) {
    auto field = [](TextField f) { return static_cast<int>(f); };
    text[field(TextField::Stderr)] = stream_text(ev.trace.err);
    text[field(TextField::Stdout)] = stream_text(ev.trace.out);
    text[field(TextField::Output)] =
        text[field(TextField::Stderr)] + "\n" + text[field(TextField::Stdout)];
    if (ev.trace.spawnerr)
      text[field(TextField::Spawnerr)] = *ev.trace.spawnerr;
    else if (ev.spec.spawnerr)
      text[field(TextField::Spawnerr)] = *ev.spec.spawnerr;
    for (int i = 0; i < field(TextField::Count); ++i) text_hits[i] = tables.text[i].matching(text[i]);
    for (const auto& s : ev.trace.failed) path_hits.push_back(tables.path.matching(subject_path(s)));
    std::vector<uint64_t> seqs;
    for (const auto& s : ev.trace.failed) seqs.push_back(s.seq);
    std::sort(seqs.begin(), seqs.end());
    for (size_t i = 0; i < seqs.size(); ++i) rank[seqs[i]] = i;
  }

  std::string value(const std::string& name) const {
    auto it = ev.values.find(name);
    return it == ev.values.end() ? "" : it->second;
  }
};

// "/root/" and "/root" name the same directory; "/" would put every path
// "under" it, which says nothing, so it matches none.
bool path_under(const std::string& path, std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir == "/" || path.empty()) return false;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// The line of text around pos, for citing what a regex matched.
std::string line_at(const std::string& text, size_t pos) {
  if (pos < text.size() && text[pos] == '\n') ++pos;  // a match may start at a line break
  size_t b = 0;
  if (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl != std::string::npos) b = nl + 1;
  }
  size_t e = text.find('\n', pos);
  std::string line = text.substr(b, (e == std::string::npos ? text.size() : e) - b);
  size_t lead = line.find_first_not_of(" \t");
  line = lead == std::string::npos ? "" : line.substr(lead);
  if (line.size() > 200) line = line.substr(0, 197) + "...";
  return line;
}

struct Outcome {
  Captures captures;
  std::vector<const trace::FailedSyscall*> syscalls;  // matched by conditions
  std::vector<std::string> citations;                 // non-syscall evidence
  std::optional<uint64_t> last_seq;                   // latest matched syscall
  std::optional<core::Origin> location;               // a matched pre-flight item's config line
};

bool syscall_matches(const Prepared& p, const SyscallCond& c, size_t i) {
  const auto& s = p.ev.trace.failed[i];
  if (!c.calls.empty() && std::find(c.calls.begin(), c.calls.end(), s.call) == c.calls.end())
    return false;
  if (!c.errnos.empty() && std::find(c.errnos.begin(), c.errnos.end(), s.err) == c.errnos.end())
    return false;
  if (c.path.set() && (subject_path(s).empty() || !p.path_hits[i][c.path.index])) return false;
  if (c.path_not.set() && !subject_path(s).empty() && p.path_hits[i][c.path_not.index]) return false;
  if (!c.under.empty() && !path_under(subject_path(s), p.value(c.under))) return false;
  if (c.port_below >= 0 && (s.port < 0 || s.port >= c.port_below)) return false;
  if (c.port_at_least >= 0 && (s.port < 0 || s.port < c.port_at_least)) return false;
  return true;
}

std::vector<size_t> syscall_matches(const Prepared& p, const SyscallCond& c) {
  std::vector<size_t> out;
  for (size_t i = 0; i < p.ev.trace.failed.size(); ++i)
    if (syscall_matches(p, c, i)) out.push_back(i);
  return out;
}

// Evaluates one condition set; fills out only when every condition holds.
bool evaluate(const Prepared& p, const Conditions& c, Outcome& out) {
  Outcome o;
  const auto& t = p.ev.trace;
  if (c.fails && (*c.fails != (t.verdict == trace::Verdict::Fails))) return false;
  if (!c.exit_codes.empty()) {
    if (!t.exit_code ||
        std::find(c.exit_codes.begin(), c.exit_codes.end(), *t.exit_code) == c.exit_codes.end())
      return false;
    o.citations.push_back("exit status " + std::to_string(*t.exit_code));
  }
  for (const auto& f : c.facts) {
    auto it = p.ev.facts.find(f.name);
    bool v = it != p.ev.facts.end() && it->second;
    if (v != f.want) return false;
    if (f.want && *fact_citation(f.name))
      o.citations.push_back(Template::parse(fact_citation(f.name), {}).fill({&p.ev.values}));
  }
  for (int i = 0; i < static_cast<int>(TextField::Count); ++i) {
    const auto& ref = c.text[i];
    if (!ref.set()) continue;
    if (!p.text_hits[i][ref.index]) return false;
    std::string matched;
    p.tables.text[i].captures(ref.index, p.text[i], &o.captures, &matched);
    size_t pos = p.text[i].find(matched);
    o.citations.push_back(std::string(text_field_name(static_cast<TextField>(i))) + ": " +
                          line_at(p.text[i], pos == std::string::npos ? 0 : pos));
  }
  if (!c.preflight.empty()) {
    // The first item of the check: `check --static` matches one item at a time.
    auto it = std::find_if(p.ev.preflight.begin(), p.ev.preflight.end(),
                           [&](const evidence::PreflightItem& i) { return i.check == c.preflight; });
    if (it == p.ev.preflight.end()) return false;
    for (const auto& [k, v] : it->values) o.captures[k] = v;
    o.location = it->location;
    if (it->location.line > 0) o.citations.push_back("config: " + it->location.str());
  }
  for (const auto& sc : c.syscalls) {
    auto hits = syscall_matches(p, sc);
    if (hits.empty()) return false;
    // The failure closest to the exit is the likeliest to have ended it.
    const auto& s = t.failed[*std::max_element(hits.begin(), hits.end(), [&](size_t a, size_t b) {
      return t.failed[a].seq < t.failed[b].seq;
    })];
    o.captures["call"] = s.call;
    o.captures["errno"] = core::errno_name(s.err);
    o.captures["path"] = s.path;
    o.captures["path2"] = s.path2;
    o.captures["addr"] = s.addr;
    o.captures["port"] = s.port >= 0 ? std::to_string(s.port) : "";
    if (sc.path.set()) p.tables.path.captures(sc.path.index, subject_path(s), &o.captures);
    if (!o.last_seq || s.seq > *o.last_seq) o.last_seq = s.seq;
    for (size_t i = 0; i < hits.size() && i < k_max_cited_per_condition; ++i)
      o.syscalls.push_back(&t.failed[hits[hits.size() - 1 - i]]);
  }
  // Captures of an earlier set (the rule's top level) win over later ones.
  for (auto& [k, v] : o.captures) out.captures.emplace(k, v);
  out.syscalls.insert(out.syscalls.end(), o.syscalls.begin(), o.syscalls.end());
  out.citations.insert(out.citations.end(), o.citations.begin(), o.citations.end());
  if (o.last_seq && (!out.last_seq || *o.last_seq > *out.last_seq)) out.last_seq = o.last_seq;
  if (o.location && !out.location) out.location = o.location;
  return true;
}

// A word for /bin/sh: as it is when it needs no quoting, else in single quotes.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Captures shell_quoted(const Captures& in) {
  Captures out;
  for (const auto& [k, v] : in) out.emplace(k, shell_word(v));
  return out;
}

// {login_env.X} for every such hole of the rule: the login's value of the
// variable X names (a capture or value holding a name), else of X itself.
Captures login_scope(const evidence::Evidence& ev, const Rule& r,
                     const std::vector<const Captures*>& scopes) {
  Captures out;
  std::vector<const Template*> templates{&r.cause, &r.fix};
  for (const auto& a : r.set_env) templates.insert(templates.end(), {&a.name, &a.value});
  for (const auto* list : {&r.set_program, &r.set_supervisord})
    for (const auto& a : *list) templates.push_back(&a.value);
  for (const auto& c : r.run) templates.push_back(&c);
  const std::string prefix = k_login_env_prefix;
  for (const auto* t : templates)
    for (const auto& name : t->names()) {
      if (!name.starts_with(prefix)) continue;
      std::string var = name.substr(prefix.size());
      for (const auto* scope : scopes)
        if (auto it = scope->find(var); it != scope->end()) {
          var = it->second;
          break;
        }
      out[name] = ev.login.env.get(var).value_or("");
    }
  return out;
}

// Where a code-scanning annotation points: the line of the first key the
// fix changes that the section already has (environment= for set_env, a
// [rule.set] key), else the section header. [supervisord] keys and
// commands have no line of the program's to point at.
core::Origin finding_location(const spawn::SpawnSpec& spec, const Rule& r) {
  std::vector<std::string> keys;
  if (!r.set_env.empty()) keys.push_back("environment");
  for (const auto& a : r.set_program) keys.push_back(a.key);
  for (const auto& key : keys)
    if (auto it = spec.key_origins.find(key); it != spec.key_origins.end() && it->second.line > 0)
      return it->second;
  return spec.source;
}

std::optional<Finding> apply(const Prepared& p, const Rule& r) {
  Outcome o;
  if (!evaluate(p, r.all, o)) return std::nullopt;
  if (!r.any.empty()) {
    // Captures come from the first alternative that holds; every one that
    // holds adds its evidence.
    bool any = false;
    for (const auto& alt : r.any) any = evaluate(p, alt, o) || any;
    if (!any) return std::nullopt;
  }
  for (const auto& c : r.cite)
    for (size_t i : syscall_matches(p, c)) o.syscalls.push_back(&p.ev.trace.failed[i]);

  Finding f;
  f.rule = r.id;
  f.title = r.title;
  f.family = r.family;
  f.confidence = r.confidence;
  f.score = r.confidence;
  f.location = o.location ? *o.location : finding_location(p.ev.spec, r);
  if (o.last_seq && !p.rank.empty())
    f.score += k_position_bonus * static_cast<double>(p.rank.at(*o.last_seq) + 1) /
               static_cast<double>(p.rank.size());

  Captures engine;
  Captures login = login_scope(p.ev, r, {&o.captures, &p.ev.values});
  const std::vector<const Captures*> scopes{&o.captures, &p.ev.values, &login};
  std::string file = p.value("config_file");
  if (file.empty()) file = p.ev.spec.source.file;
  std::string section = p.ev.spec.section.empty() ? p.value("section") : p.ev.spec.section;
  auto unknown = [&](const std::string& what) {
    if (f.plan.unverifiable.empty())
      f.plan.unverifiable = "the value of " + what + " is not known: neither the program's environment nor " +
                            "the user's login has it, so the patch holds a placeholder";
  };
  if (!r.set_env.empty()) {
    Assignments env;
    for (const auto& a : r.set_env) {
      std::string name = a.name.fill(scopes);
      std::string value = a.value.fill(scopes);
      if (value.empty()) {
        unknown(name);
        value = "<" + name + ">";
      }
      env.push_back({name, value});
    }
    auto edit = environment_edit(p.ev.config_text, file, p.ev.spec.source.line, section, env);
    f.config_line = edit.config_line;
    f.patch = edit.patch;
    engine[k_config_line] = f.config_line;
    f.plan.config.push_back({file, section, "environment", env_assignments(env), p.ev.spec.source.line});
  }
  std::string text = p.ev.config_text;
  for (const auto& a : r.set_program) {
    std::string value = a.value.fill(scopes);
    if (value.empty()) {
      unknown(a.key + "=");
      value = "<" + a.key + ">";
    }
    ConfigChange c{file, section, a.key, value, p.ev.spec.source.line};
    if (auto changed = apply_change(text, c)) text = *changed;
    engine[k_config_line] += (engine[k_config_line].empty() ? "" : "\n") + a.key + "=" + value;
    f.plan.config.push_back(std::move(c));
  }
  if (!r.set_program.empty()) {
    f.config_line = engine[k_config_line];
    f.patch = unified_diff(file, split_lines(p.ev.config_text), split_lines(text));
  }
  for (const auto& a : r.set_supervisord) {
    std::string value = a.value.fill(scopes);
    if (value.empty()) {
      unknown(a.key + "=");
      value = "<" + a.key + ">";
    }
    // The main config's [supervisord]; run/verify knows which file that is.
    f.plan.config.push_back({"", "supervisord", a.key, value, 0});
    if (f.config_line.empty()) f.config_line = a.key + "=" + value;
  }
  if (!r.run.empty()) {
    Captures quoted_captures = shell_quoted(o.captures), quoted_values = shell_quoted(p.ev.values),
             quoted_login = shell_quoted(login);
    for (const auto& c : r.run)
      f.plan.commands.push_back(c.fill({&quoted_captures, &quoted_values, &quoted_login}));
    for (const auto& c : r.changes)
      if (std::string path = c.fill(scopes); !path.empty()) f.plan.paths.push_back(path);
  }
  if (r.unverifiable) f.plan.unverifiable = r.unverifiable->fill(scopes);
  f.cause = r.cause.fill({&o.captures, &p.ev.values, &engine, &login});
  f.fix = r.fix.fill({&o.captures, &p.ev.values, &engine, &login});

  std::sort(o.syscalls.begin(), o.syscalls.end(),
            [](const auto* a, const auto* b) { return a->seq < b->seq; });
  o.syscalls.erase(std::unique(o.syscalls.begin(), o.syscalls.end()), o.syscalls.end());
  for (const auto* s : o.syscalls) f.evidence.push_back(syscall_line(*s, false));
  for (const auto& c : o.citations)
    if (std::find(f.evidence.begin(), f.evidence.end(), c) == f.evidence.end())
      f.evidence.push_back(c);
  return f;
}

}  // namespace

std::vector<Finding> match_rules(const std::vector<Rule>& rules, const PatternTables& tables,
                                 const evidence::Evidence& ev) {
  Prepared p(ev, tables);
  std::vector<Finding> out;
  for (const auto& r : rules)
    if (auto f = apply(p, r)) out.push_back(std::move(*f));
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.rule < b.rule;
  });
  return out;
}

}  // namespace bootmortem::rules
