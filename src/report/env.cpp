// The env report, and the grouped diff table the diagnose report shares.
// Groups follow the failure catalog's families, so a reader sees "identity"
// (H), "search paths" and "runtimes" (X), "locale" (L) and the login's own
// variables (V) as the rules do.
#include "report/env.h"

#include <algorithm>
#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/json_text.h"
#include "report/stamp_json.h"
#include "report/view.h"

namespace bootmortem::report {
namespace {

using json = nlohmann::ordered_json;

struct Group {
  const char* kind;
  const char* title;
};

// In the order shown. "session" is not here: it is one line at the end.
const Group k_groups[] = {
    {"identity", "Identity (user= does not change these)"},
    {"search-path", "Search paths"},
    {"runtime", "Runtimes"},
    {"locale", "Locale"},
    {"xdg", "XDG directories"},
    {"other", "Other variables (the login's own, from a profile or /etc/environment)"},
};

// A value column wider than this does not widen the table for the others.
constexpr size_t k_max_col = 40;

// Identity reads best in the order people say it; the rest keep the
// login's order.
const std::vector<std::string> k_identity_order = {"HOME", "USER", "LOGNAME", "SHELL"};

size_t rank(const evidence::EnvDiff& d) {
  auto it = std::find(k_identity_order.begin(), k_identity_order.end(), d.name);
  return static_cast<size_t>(it - k_identity_order.begin());
}

bool is_list(const evidence::EnvDiff& d) { return evidence::is_list_var(d.name) && d.spawn && d.login; }

std::string bolded(const std::string& s, bool on) { return on ? fmt::format(fmt::emphasis::bold, "{}", s) : s; }

json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json diff_json(const std::vector<evidence::EnvDiff>& diff) {
  json out = json::array();
  for (const auto& d : diff) {
    json j = {{"name", d.name}, {"kind", d.kind}, {"spawn", opt(d.spawn)}, {"login", opt(d.login)}};
    if (evidence::is_list_var(d.name)) {
      j["missing"] = d.missing;
      j["extra"] = d.extra;
    }
    out.push_back(j);
  }
  return out;
}

json env_json(const core::Env& env) {
  json out = json::object();
  for (const auto& [k, v] : env.entries()) out[k] = v;
  return out;
}

std::string user_line(const EnvReport& r) {
  return r.spec.user + " (uid " + std::to_string(r.spec.uid) + ")";
}

void render_text(const EnvReport& r, const RenderOptions& o, std::ostream& out) {
  fmt::print(out, "{}\n\n",
             bolded(r.spec.name + ": the environment supervisord would give it, against a login of " + user_line(r),
                    o.color));
  out << "  Login:  " << r.login.method << "\n";
  out << "  Base:   " << base_env_text(r.spec.base) << "\n";
  out << "  Config: " << r.config_path << "\n\n";
  if (r.diff.empty()) {
    out << "No difference: the child would get what a login of " << r.spec.user << " has.\n";
    return;
  }
  env_diff_text(r.diff, out, o.color);
  std::string facts;
  for (const auto& name : evidence::env_fact_names())
    if (r.facts.count(name) && r.facts.at(name) && name != "login_captured") facts += (facts.empty() ? "" : ", ") + name;
  if (!facts.empty()) out << "\nFacts for rules: " << facts << "\n";
}

void render_markdown(const EnvReport& r, std::ostream& out) {
  out << "# " << r.spec.name << ": environment, spawn vs login\n\n";
  out << "- User: `" << user_line(r) << "`\n- Login environment from: `" << r.login.method
      << "`\n- Base environment: " << base_env_text(r.spec.base) << "\n- Config: `" << r.config_path << "`\n\n";
  out << "```\n";
  env_diff_text(r.diff, out);
  out << "```\n";
}

void render_json(const EnvReport& r, std::ostream& out) {
  json facts = json::object(), values = json::object();
  for (const auto& [k, v] : r.facts) facts[k] = v;
  for (const auto& [k, v] : r.values) values[k] = v;
  json base = {{"source", spawn::base_env_source_name(r.spec.base.source)},
               {"observed", r.spec.base.observed}};
  json j = headed("bootmortem-env/1", r.stamp);
  j.update(json{
      {"program", r.spec.name},
      {"config", r.config_path},
      {"user", r.spec.user},
      {"uid", r.spec.uid},
      {"login", {{"method", r.login.method}, {"captured", r.login.captured}}},
      {"base_env", base},
      {"env_diff", diff_json(r.diff)},
      {"facts", facts},
      {"values", values},
      {"spawn_env", env_json(r.spec.env)},
      {"login_env", env_json(r.login.env)},
  });
  out << json_text(j) << "\n";
}

core::Env redact_env(const core::Env& env) {
  core::Env out;
  for (const auto& [k, v] : env.entries()) out.set(k, redact_value(k, v));
  return out;
}

// Every string the env report shows, masked.
EnvReport redacted(EnvReport r) {
  r.diff = redact_env_diff(std::move(r.diff));
  r.spec.env = redact_env(r.spec.env);
  r.login.env = redact_env(r.login.env);
  for (auto& [k, v] : r.values) v = redact_text(v);
  r.config_path = redact_text(r.config_path);
  return r;
}

}  // namespace

std::vector<evidence::EnvDiff> redact_env_diff(std::vector<evidence::EnvDiff> diff) {
  for (auto& d : diff) {
    if (d.spawn) d.spawn = redact_value(d.name, *d.spawn);
    if (d.login) d.login = redact_value(d.name, *d.login);
    // Entries from the masked values: split first, a URL's credentials
    // (https://u:pw@host) would no longer look like one.
    if (evidence::is_list_var(d.name)) evidence::compare_lists(d);
  }
  return diff;
}

void env_diff_text(const std::vector<evidence::EnvDiff>& diff, std::ostream& out, bool bold) {
  size_t wn = 4, ws = 5;
  for (const auto& d : diff) {
    if (d.kind == "session") continue;
    wn = std::max(wn, d.name.size());
    if (!is_list(d)) ws = std::max(ws, std::min(k_max_col, shown(d.spawn).size()));
  }
  fmt::print(out, "    {:<{}}  {:<{}}  login\n", "name", wn, "spawn", ws);
  for (const auto& g : k_groups) {
    bool any = std::any_of(diff.begin(), diff.end(), [&](const auto& d) { return d.kind == g.kind; });
    if (!any) continue;
    fmt::print(out, "  {}:\n", bolded(g.title, bold));
    std::vector<const evidence::EnvDiff*> rows;
    for (const auto& d : diff)
      if (d.kind == g.kind) rows.push_back(&d);
    std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) { return rank(*a) < rank(*b); });
    for (const auto* row : rows) {
      const auto& d = *row;
      if (!is_list(d)) {
        fmt::print(out, "    {:<{}}  {:<{}}  {}\n", d.name, wn, shown(d.spawn), ws, shown(d.login));
        continue;
      }
      // Lists read better as what each side lacks than as two long values.
      std::string lead = fmt::format("    {:<{}}  ", d.name, wn);
      const std::string cont(lead.size(), ' ');
      if (!d.missing.empty()) {
        fmt::print(out, "{}the spawn lacks {} (the login has them)\n", lead, fmt::join(d.missing, ", "));
        lead = cont;
      }
      if (!d.extra.empty()) {
        fmt::print(out, "{}only the spawn has {}\n", lead, fmt::join(d.extra, ", "));
        lead = cont;
      }
      if (d.missing.empty() && d.extra.empty()) out << lead << "same entries, in another order\n";
    }
  }
  std::vector<std::string> session;
  for (const auto& d : diff)
    if (d.kind == "session") session.push_back(d.name);
  if (!session.empty())
    fmt::print(out, "  A login session's own (no service needs them): {}\n", fmt::join(session, ", "));
}

EnvReport make_env_report(spawn::SpawnSpec spec, login::LoginEnv login, std::string config_path) {
  EnvReport r;
  r.config_path = std::move(config_path);
  r.diff = evidence::diff_env(spec.env, login.env);
  evidence::add_env_facts(r.diff, spec.env, login, r.facts, r.values);
  r.spec = std::move(spec);
  r.login = std::move(login);
  return r;
}

void render_env(const EnvReport& r, Format f, const RenderOptions& o, std::ostream& out) {
  const EnvReport shown_r = o.redact ? redacted(r) : r;
  switch (f) {
    case Format::Text: render_text(shown_r, o, out); break;
    case Format::Markdown: render_markdown(shown_r, out); break;
    case Format::Json: render_json(shown_r, out); break;
    case Format::Junit: throw core::InputError("env: no junit format (it runs nothing to pass or fail)");
    case Format::Sarif: throw core::InputError("env: no sarif format (it finds nothing to annotate)");
  }
}

}  // namespace bootmortem::report
