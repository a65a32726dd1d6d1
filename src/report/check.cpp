// `bootmortem check`'s report: one config's programs, each replayed; each
// format's writer lives with the format's single-program one.
#include <algorithm>
#include <ostream>

#include "report/report.h"
#include "report/view.h"

namespace bootmortem::report {

int exit_code(const CheckReport& c) {
  int code = 0;  // 0 < 1 (fails, explained) < 3 (fails, unexplained)
  for (const auto& r : c.programs) code = std::max(code, exit_code(r));
  return code;
}

void render(const CheckReport& c, Format f, const RenderOptions& o, std::ostream& out) {
  std::vector<View> views;
  views.reserve(c.programs.size());
  for (const auto& r : c.programs) views.push_back(make_view(r, o));
  // Where the config is, for a person: its path, and the root it is in.
  const std::string where = c.root.empty() ? c.config_path : c.config_path + " in " + c.root;
  switch (f) {
    case Format::Text: render_check_text(views, where, o, out); break;
    case Format::Markdown: render_check_markdown(views, where, c.stamp, out); break;
    case Format::Json: render_check_json(views, c.config_path, c.root, c.stamp, out); break;
    case Format::Junit: render_junit(views, where, o, out); break;
    case Format::Sarif: render_sarif(views, c.config_path, o, out); break;
  }
}

bool any_failure(const std::vector<StaticResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const StaticResult& r) { return r.failure; });
}

bool StaticProgram::fails() const { return any_failure(results); }

int exit_code(const StaticReport& c) {
  const bool config_fails = any_failure(c.config);
  const bool program_fails =
      std::any_of(c.programs.begin(), c.programs.end(), [](const StaticProgram& p) { return p.fails(); });
  return config_fails || program_fails ? 1 : 0;
}

void render(const StaticReport& c, Format f, const RenderOptions& o, std::ostream& out) {
  StaticReport shown = c;
  if (o.redact) {
    auto redact = [](StaticResult& r) {
      r.finding.cause = redact_text(r.finding.cause);
      r.finding.fix = redact_text(r.finding.fix);
    };
    for (auto& r : shown.config) redact(r);
    for (auto& p : shown.programs)
      for (auto& r : p.results) redact(r);
  }
  // Where the config is, for a person (a SARIF or JSON path stays the file's).
  if (!c.root.empty() && f != Format::Json && f != Format::Sarif) shown.config_path += " in " + c.root;
  switch (f) {
    case Format::Text: render_static_text(shown, o, out); break;
    case Format::Markdown: render_static_markdown(shown, out); break;
    case Format::Json: render_static_json(shown, out); break;
    case Format::Junit: render_static_junit(shown, out); break;
    case Format::Sarif: render_static_sarif(shown, o, out); break;
  }
}

}  // namespace bootmortem::report
