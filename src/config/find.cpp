// Config::find: supervisorctl's name resolution (rpcinterface
// _getGroupAndProcess + options.split_namespec), widened for bare names a
// person types (a process inside a group, or a whole group).
#include <sys/stat.h>

#include "config/config.h"
#include "config/python.h"

namespace bootmortem::config {

std::vector<const ProcessConfig*> Config::find(const std::string& spec) const {
  std::vector<const ProcessConfig*> found;
  const auto colon = spec.find(':');
  if (colon != std::string::npos) {
    // "group:name", "group:*" and "group:" as split_namespec reads them.
    const std::string group = spec.substr(0, colon), name = spec.substr(colon + 1);
    const bool whole_group = name.empty() || name == "*";
    for (const auto& p : processes)
      if (p.group_name == group && (whole_group || p.name == name)) found.push_back(&p);
  } else {
    for (const auto& p : processes)
      if (p.namespec() == spec) found.push_back(&p);
    if (found.empty())
      for (const auto& p : processes)
        if (p.group_name == spec) found.push_back(&p);
    if (found.empty())
      for (const auto& p : processes)
        if (p.name == spec) found.push_back(&p);
  }
  if (found.empty()) {
    std::string known;
    for (const auto& p : processes) known += (known.empty() ? "" : ", ") + p.namespec();
    throw core::InputError(core::Origin{}, "no such process " + py_repr(spec) + " in " + path +
                                               "; known: " + (known.empty() ? "(none)" : known));
  }
  return found;
}

std::vector<std::string> default_search_paths(const std::string& argv0) {
  // <X> = dirname(dirname(argv[0])), textually: no symlinks, no abspath.
  const std::string x = py_dirname(py_dirname(argv0));
  return {py_join(py_join(x, "etc"), "supervisord.conf"),
          py_join(x, "supervisord.conf"),
          "supervisord.conf",
          "etc/supervisord.conf",
          "/etc/supervisord.conf",
          "/etc/supervisor/supervisord.conf"};
}

std::optional<std::string> find_default_config(const std::string& argv0, const std::string& cwd) {
  for (const auto& path : default_search_paths(argv0)) {
    // os.path.exists: stat() succeeds (a dangling symlink does not count).
    const std::string abs = path.starts_with('/') ? path : py_join(cwd, path);
    struct stat st {};
    if (::stat(abs.c_str(), &st) == 0) return path;
  }
  return std::nullopt;
}

}  // namespace bootmortem::config
