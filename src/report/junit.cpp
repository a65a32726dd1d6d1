// JUnit XML, the test-result format CI servers read (Jenkins, GitLab,
// GitHub's test reporters): one testsuite for the config, one testcase per
// program. A program that does not start is a failure: its message is the
// top finding's title (or the verdict when no rule explains it), its type the
// rule's id, and its text the program's whole text report. One that starts
// carries the last lines of its stderr as system-err.
#include <cstdint>
#include <fmt/format.h>
#include <ostream>
#include <sstream>
#include <string_view>

#include "report/view.h"

namespace bootmortem::report {
namespace {

// The length of the UTF-8 sequence at s[i] that XML 1.0 allows, or 0: a
// byte that starts none, a sequence cut short, an overlong form, a
// surrogate, U+FFFE or U+FFFF.
size_t xml_utf8_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = byte(0);
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (byte(k) & 0x3F);
  }
  static constexpr uint32_t k_least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < k_least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}

// s as XML character data or an attribute value: markup escaped; what XML
// 1.0 cannot hold (bytes that are not UTF-8, control characters but tab and
// newline) becomes U+FFFD, so a program's binary output cannot make the
// file unreadable to the CI server.
std::string xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = xml_utf8_length(s, i);
      out += n ? s.substr(i, n) : std::string_view("\xef\xbf\xbd");
      i += n ? n : 1;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t':
      case '\n': out += static_cast<char>(c); break;
      case '\r': out += "&#13;"; break;
      default: out += c < 0x20 ? std::string_view("\xef\xbf\xbd") : std::string_view(&s[i], 1);
    }
    ++i;
  }
  return out;
}

std::string seconds(int64_t ms) { return fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0); }

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void render_junit(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                  std::ostream& out) {
  size_t failures = 0;
  int64_t total_ms = 0;
  for (const auto& v : views) {
    if (!v.starts) ++failures;
    total_ms += v.r.ev.trace.after_ms;
  }
  const std::string counts = " tests=\"" + std::to_string(views.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" time=\"" + seconds(total_ms) + "\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"bootmortem\"" << counts << ">\n";
  out << "  <testsuite name=\"" << xml(config_path) << "\"" << counts << " skipped=\"0\">\n";
  const std::string classname = xml(base_name(config_path));
  for (const auto& v : views) {
    out << "    <testcase name=\"" << xml(v.program) << "\" classname=\"" << classname << "\" time=\""
        << seconds(v.r.ev.trace.after_ms) << "\"";
    if (v.starts) {
      // What it printed while it came up, for a log that asks why it passed.
      if (v.stderr_tail.empty()) {
        out << "/>\n";
      } else {
        out << ">\n      <system-err>" << xml(v.stderr_tail) << "</system-err>\n    </testcase>\n";
      }
      continue;
    }
    const rules::Finding* top = v.r.findings.empty() ? nullptr : &v.r.findings.front();
    std::ostringstream text;
    render_text(v, RenderOptions{o.redact, false}, text);
    // Whether the fix was proven, for the CI page: a property, and in the message.
    if (top && !top->verification.empty())
      out << ">\n      <properties><property name=\"fix_verified\" value=\""
          << (top->verified == true ? "true" : top->verified == false ? "false" : "null") << "\"/></properties";
    const std::string proof = !top || top->verification.empty() ? ""
                              : top->verified == true           ? " (fix verified)"
                              : top->verified == false          ? " (fix did not verify)"
                                                                : " (fix not verified)";
    out << ">\n      <failure type=\"" << xml(top ? top->rule : "unexplained") << "\" message=\""
        << xml((top ? top->title : v.verdict_line) + proof) << "\">" << xml(text.str()) << "</failure>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

// `check --static`: nothing ran, so no times; a testcase per program (and
// one for [supervisord] when it has results), failing when a result fails;
// warnings go to system-out.
void render_static_junit(const StaticReport& c, std::ostream& out) {
  struct Case {
    std::string name;
    const std::vector<StaticResult>* results;
  };
  std::vector<Case> cases;
  if (!c.config.empty()) cases.push_back({"[supervisord]", &c.config});
  for (const auto& p : c.programs) cases.push_back({p.name, &p.results});
  size_t failures = 0;
  for (const auto& k : cases) failures += any_failure(*k.results) ? 1 : 0;
  auto line = [](const StaticResult& r) {
    return r.finding.location.str() + ": " + r.finding.title + " [" + r.finding.rule + "]" +
           (r.finding.cause.empty() ? "" : "\n  " + r.finding.cause) +
           (r.finding.fix.empty() ? "" : "\n  Fix: " + r.finding.fix) + "\n";
  };
  const std::string counts = " tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" time=\"0.000\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"bootmortem\"" << counts << ">\n";
  out << "  <testsuite name=\"" << xml(c.config_path + " (static)") << "\"" << counts << " skipped=\"0\">\n";
  const std::string classname = xml(base_name(c.config_path));
  for (const auto& k : cases) {
    out << "    <testcase name=\"" << xml(k.name) << "\" classname=\"" << classname << "\" time=\"0.000\"";
    if (k.results->empty()) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    std::string failed, warned;
    const StaticResult* first = nullptr;
    for (const auto& r : *k.results) {
      (r.failure ? failed : warned) += line(r);
      if (r.failure && !first) first = &r;
    }
    if (first)
      out << "      <failure type=\"" << xml(first->finding.rule) << "\" message=\""
          << xml(first->finding.location.str() + ": " + first->finding.title) << "\">" << xml(failed) << "</failure>\n";
    if (!warned.empty()) out << "      <system-out>" << xml(warned) << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace bootmortem::report
