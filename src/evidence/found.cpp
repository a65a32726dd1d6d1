#include "evidence/found.h"

#include <cctype>
#include <set>

namespace bootmortem::evidence {
namespace {

std::string dirname_of(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string on_path(const std::string& name, const std::string& path, const core::FileSystem& fs) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    const std::string dir = path.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty() || dir[0] != '/') continue;  // a relative entry depends on the cwd
    const std::string candidate = dir + "/" + name;
    const auto st = fs.stat(candidate);
    if (st && !st->is_dir() && fs.executable(candidate)) return candidate;
  }
  return "";
}

}  // namespace

std::string command_word(const std::string& arg) {
  std::string doubled;
  for (char c : arg) doubled += c == '%' ? std::string("%%") : std::string(1, c);
  if (!doubled.empty() && doubled.find_first_of(" \t\n\"'\\#;") == std::string::npos) return doubled;
  std::string out = "\"";
  for (char c : doubled) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

void add_found_values(Evidence& ev, const core::FileSystem& fs) {
  const auto& s = ev.spec;
  auto& v = ev.values;
  if (!s.argv.empty() && s.argv[0].find('/') == std::string::npos) {
    if (auto path = ev.login.env.get("PATH")) {
      const std::string found = on_path(s.argv[0], *path, fs);
      if (!found.empty()) {
        std::string cmd = command_word(found);
        for (size_t i = 1; i < s.argv.size(); ++i) cmd += " " + command_word(s.argv[i]);
        v["login_command"] = cmd;
      }
    }
  }
  // "ModuleNotFoundError: No module named 'app'" (Python 3; unquoted in 2),
  // celery's "The module app was not found."
  const std::string err = ev.trace.err.head + ev.trace.err.tail;
  std::string module;
  for (const std::string marker : {"No module named ", "The module "}) {
    const size_t at = err.find(marker);
    if (at == std::string::npos) continue;
    size_t i = at + marker.size();
    if (i < err.size() && err[i] == '\'') ++i;
    while (i < err.size() && (std::isalnum(static_cast<unsigned char>(err[i])) || err[i] == '_')) module += err[i++];
    if (!module.empty()) break;
  }
  if (module.empty()) return;
  std::vector<std::string> dirs;
  if (!s.source.file.empty()) dirs.push_back(dirname_of(s.source.file));
  for (const auto& a : s.argv) {
    // --chdir=/srv/app, --ini /srv/app/uwsgi.ini, /srv/app/run.py
    const std::string p = a.substr(a.find('=') == std::string::npos || a[0] != '-' ? 0 : a.find('=') + 1);
    if (p.empty() || p[0] != '/') continue;
    const auto st = fs.stat(p);
    if (!st) continue;
    dirs.push_back(st->is_dir() ? p : dirname_of(p));
  }
  if (!s.user_home.empty()) dirs.push_back(s.user_home);
  std::set<std::string> seen;
  for (const auto& d : dirs) {
    if (!seen.insert(d).second || d == s.cwd) continue;  // from the cwd it did not import
    for (const auto& candidate : {d + "/" + module + ".py", d + "/" + module + "/__init__.py", d + "/" + module})
      if (fs.stat(candidate)) {
        v["module_dir"] = d;
        return;
      }
  }
}

}  // namespace bootmortem::evidence
