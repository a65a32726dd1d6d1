// SARIF 2.1.0 (OASIS), the static-analysis log that GitHub code scanning,
// Azure DevOps and editors' SARIF viewers read: one run; a result per
// finding, pointing at the config line the finding is about (the key its fix
// changes, else the program's section header), so a pull request that breaks
// a program gets the annotation on the line that breaks it.
//
// Levels: a failing program's top finding, the findings its replayed fix
// applied and those revealed once earlier fixes were applied are errors; its
// other findings (less likely explanations) warnings; findings of a program
// that starts notes. A failing program no rule explains is one error of the
// rule "unexplained-failure" at its section header.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <system_error>

#include "report/json_text.h"
#include "report/view.h"

namespace bootmortem::report {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* k_unexplained = "unexplained-failure";
// Where relative artifact URIs are rooted: the checkout GitHub resolves them
// against; its absolute URI is in the run's originalUriBaseIds.
constexpr const char* k_srcroot = "%SRCROOT%";

// RFC 3986: every byte but the unreserved ones and '/' as %XX (a ':' too, so a
// relative reference never reads as a scheme).
std::string percent_encode(const std::string& path) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string file_uri(const std::filesystem::path& absolute) { return "file://" + percent_encode(absolute.string()); }

// The artifact location of file: relative to base (under %SRCROOT%) when it
// lies below it, else an absolute file:// URI.
json artifact(const std::string& file, const std::filesystem::path& base) {
  namespace fs = std::filesystem;
  fs::path p(file);
  if (p.is_relative() && !base.empty()) p = base / p;
  p = p.lexically_normal();
  if (!base.empty() && p.is_absolute()) {
    const fs::path rel = p.lexically_relative(base);
    if (!rel.empty() && rel != "." && *rel.begin() != "..")
      return {{"uri", percent_encode(rel.generic_string())}, {"uriBaseId", k_srcroot}};
  }
  if (p.is_absolute()) return {{"uri", file_uri(p)}};
  return {{"uri", percent_encode(p.generic_string())}};
}

// "home-python-egg-cache" -> "HomePythonEggCache": SARIF's rule name is an
// identifier, where the id may have dashes.
std::string pascal_name(const std::string& id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

json verified_json(const std::optional<bool>& v) { return v ? json(*v) : json(nullptr); }

// A rule as this log describes it: its title, and the cause and fix of its
// first finding here (the pack's templates are filled per program).
json rule_descriptor(const rules::Finding& f) {
  std::string help = f.fix;
  std::string markdown = "**Fix:** " + f.fix;
  if (!f.patch.empty()) {
    help += "\n\n" + f.patch;
    markdown += "\n\n```diff\n" + f.patch + "```";
  }
  json props = {{"tags", json::array({"supervisord", f.family})}, {"confidence", f.confidence}};
  return {{"id", f.rule},
          {"name", pascal_name(f.rule)},
          {"shortDescription", {{"text", sentence(f.title)}}},
          {"fullDescription", {{"text", sentence(f.cause)}}},
          {"help", {{"text", help}, {"markdown", markdown}}},
          {"properties", props}};
}

json unexplained_descriptor() {
  const std::string help =
      "Run `bootmortem diagnose PROGRAM` on the host for the evidence no rule matched: the program's stderr, "
      "its failed system calls, and its environment against a login of its user.";
  return {{"id", k_unexplained},
          {"name", pascal_name(k_unexplained)},
          {"shortDescription", {{"text", "The program does not start, and no rule explains why."}}},
          {"fullDescription",
           {{"text", "The program does not start as supervisord would start it, and no rule of the pack "
                     "explains the evidence of its replay."}}},
          {"help", {{"text", help}, {"markdown", help}}},
          {"properties", {{"tags", json::array({"supervisord"})}}}};
}

// Builds the run's rules array and each result's index into it.
class Rules {
 public:
  size_t index(const std::string& id, const std::function<json()>& describe) {
    auto [it, added] = index_.emplace(id, descriptors_.size());
    if (added) descriptors_.push_back(describe());
    return it->second;
  }
  const json& descriptors() const { return descriptors_; }

 private:
  std::map<std::string, size_t> index_;
  json descriptors_ = json::array();
};

bool applied_by_remedy(const View& v, const rules::Finding& f) {
  if (!v.r.remedy) return false;
  for (const auto& id : v.r.remedy->rules)
    if (id == f.rule) return true;
  return false;
}

const char* level(const View& v, const rules::Finding& f, bool top) {
  if (v.starts) return "note";
  return top || f.round > 1 || applied_by_remedy(v, f) ? "error" : "warning";
}

json location(const core::Origin& at, const core::Origin& section, const std::string& config_path,
              const std::filesystem::path& base) {
  // A finding's own line; else the program's section header; else the file.
  const core::Origin& o = at.line > 0 ? at : section;
  const std::string& file = !o.file.empty() ? o.file : config_path;
  if (file.empty()) return json::array();
  json physical = {{"artifactLocation", artifact(file, base)}};
  if (o.line > 0 && !o.file.empty()) physical["region"] = {{"startLine", o.line}};
  return json::array({{{"physicalLocation", physical}}});
}

json result(const View& v, const std::string& rule_id, size_t rule_index, const char* lvl, const std::string& text,
            const core::Origin& at, const std::string& config_path, const std::filesystem::path& base,
            json props) {
  json r = {{"ruleId", rule_id},
            {"ruleIndex", rule_index},
            {"level", lvl},
            {"message", {{"text", sentence(text)}}}};
  json locs = location(at, v.r.ev.spec.source, config_path, base);
  if (!locs.empty()) r["locations"] = locs;
  // Stable while lines move: the same program and rule are the same alert.
  r["partialFingerprints"] = {{"bootmortemFinding/v1", v.program + "/" + rule_id}};
  props["program"] = v.program;
  props["section"] = v.r.ev.spec.section;
  props["verdict"] = v.starts ? "starts" : "fails";
  props["verdictLine"] = v.verdict_line;
  r["properties"] = props;
  return r;
}

std::filesystem::path base_dir(const RenderOptions& o) {
  if (!o.root_dir.empty()) return "/";
  std::filesystem::path base = o.base_dir;
  if (base.empty()) {
    std::error_code ec;
    base = std::filesystem::current_path(ec);
    if (ec) return {};
  }
  base = base.lexically_normal();
  // "/srv/repo/" and "/srv/repo" alike: relative paths are taken against the directory.
  if (!base.has_filename() && base.has_parent_path() && base != base.root_path()) base = base.parent_path();
  return base;
}

// The log around the results: the tool, its rules, where relative URIs start.
void write_log(const Rules& rules, json results, const std::filesystem::path& base, const RenderOptions& o,
               std::ostream& out) {
  json driver = {{"name", "bootmortem"},
                 {"version", BOOTMORTEM_VERSION},
                 {"semanticVersion", BOOTMORTEM_VERSION},
                 {"rules", rules.descriptors()}};
  json run = {{"tool", {{"driver", driver}}}};
  if (!base.empty() && base.is_absolute()) {
    std::string root = file_uri(o.root_dir.empty() ? base : std::filesystem::path(o.root_dir));
    if (root.back() != '/') root += '/';
    run["originalUriBaseIds"] = {{k_srcroot, {{"uri", root}}}};
  }
  run["results"] = std::move(results);
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({run})}};
  out << json_text(log) << "\n";
}

}  // namespace

void render_sarif(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                  std::ostream& out) {
  const std::filesystem::path base = base_dir(o);
  Rules rules;
  json results = json::array();
  for (const auto& v : views) {
    if (v.r.findings.empty()) {
      if (v.starts) continue;
      const size_t i = rules.index(k_unexplained, unexplained_descriptor);
      // The verdict line names the program already.
      results.push_back(result(v, k_unexplained, i, "error", v.verdict_line, core::Origin{}, config_path, base,
                               json::object()));
      continue;
    }
    for (size_t n = 0; n < v.r.findings.size(); ++n) {
      const auto& f = v.r.findings[n];
      const size_t i = rules.index(f.rule, [&] { return rule_descriptor(f); });
      json props = {{"title", f.title},
                    {"fix", f.fix},
                    // true: replayed with the fix, it then ran; false: it did not; null: not replayed.
                    {"verified", verified_json(f.verified)},
                    {"verification", f.verification},
                    {"round", f.round},
                    {"evidence", f.evidence}};
      if (!f.patch.empty()) props["patch"] = f.patch;
      if (!f.config_line.empty()) props["configLine"] = f.config_line;
      results.push_back(result(v, f.rule, i, level(v, f, n == 0), v.program + ": " + f.cause, f.location, config_path,
                               base, props));
    }
  }
  write_log(rules, std::move(results), base, o, out);
}

void render_static_sarif(const StaticReport& c, const RenderOptions& o, std::ostream& out) {
  const std::filesystem::path base = base_dir(o);
  Rules rules;
  json results = json::array();
  auto add = [&](const StaticResult& sr, const std::string& program, const std::string& section,
                 const core::Origin& source) {
    const auto& f = sr.finding;
    const size_t i = rules.index(f.rule, [&] { return rule_descriptor(f); });
    json r = {{"ruleId", f.rule},
              {"ruleIndex", i},
              {"level", sr.failure ? "error" : "warning"},
              {"message", {{"text", sentence(program.empty() ? f.cause : program + ": " + f.cause)}}}};
    json locs = location(f.location, source, c.config_path, base);
    if (!locs.empty()) r["locations"] = locs;
    r["partialFingerprints"] = {{"bootmortemFinding/v1", (program.empty() ? section : program) + "/" + f.rule}};
    r["properties"] = {{"program", program}, {"section", section}, {"title", f.title}, {"fix", f.fix},
                       {"static", true}, {"refuses", sr.refuses}};
    results.push_back(std::move(r));
  };
  for (const auto& sr : c.config) add(sr, "", "supervisord", core::Origin{});
  for (const auto& p : c.programs)
    for (const auto& sr : p.results) add(sr, p.name, p.section, p.source);
  write_log(rules, std::move(results), base, o, out);
}

}  // namespace bootmortem::report
