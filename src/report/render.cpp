#include <ostream>

#include "report/report.h"
#include "report/view.h"

namespace bootmortem::report {

int exit_code(const Report& r) {
  if (r.ev.trace.verdict == trace::Verdict::Starts) return 0;
  return r.findings.empty() ? 3 : 1;
}

void render(const Report& r, Format f, const RenderOptions& o, std::ostream& out) {
  View v = make_view(r, o);
  switch (f) {
    case Format::Text: render_text(v, o, out); break;
    case Format::Markdown: render_markdown(v, out); break;
    case Format::Json: render_json(v, out); break;
    case Format::Junit: render_junit({v}, r.config_path, o, out); break;
    case Format::Sarif: render_sarif({v}, r.config_path, o, out); break;
  }
}

}  // namespace bootmortem::report
