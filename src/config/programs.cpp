// ServerOptions._processes_from_section (supervisor 4.2.5): one section of
// any kind becomes its processes. Kept from supervisor on purpose:
// the reading order (so the first error is the same), the single
// expansion dict that grows while the processes are made (so a program's
// own ENV_* names are visible from the keys read after environment=), and
// which errors carry the " in section '<s>' (file: '<f>')" suffix.
#include <algorithm>
#include <map>
#include <string_view>
#include <variant>

#include "config/environment.h"
#include "config/keys.h"
#include "config/loader.h"

namespace bootmortem::config {

std::string ProcessConfig::namespec() const {
  return group_name == name ? name : group_name + ":" + name;
}

namespace {

using Value = std::variant<std::monostate, std::string, long long, bool, std::vector<int>, AutoRestart>;

std::string after_colon(const std::string& section) { return section.substr(section.find(':') + 1); }

Value convert(const ProgramKey& key, const std::optional<std::string>& raw, Loader& L) {
  if (!raw) return std::monostate{};
  const std::string& v = *raw;
  switch (key.type) {
    case KeyType::String:
    case KeyType::Environment:
      return v;
    case KeyType::Integer:
      return integer(v);
    case KeyType::Boolean:
      return boolean(v);
    case KeyType::AutoRestart:
      return auto_restart(v);
    case KeyType::Signal:
      return static_cast<long long>(signal_number(v));
    case KeyType::ExitCodes:
      return list_of_exitcodes(v);
    case KeyType::ByteSize:
      return byte_size(v);
    case KeyType::Octal:
      return static_cast<long long>(octal_type(v));
    case KeyType::User:
      return static_cast<long long>(name_to_uid(v, L.users));
    case KeyType::ServerUrl:
      if (!v.empty() && py_upper(py_strip(v)) == "AUTO") return std::monostate{};
      return v;
    case KeyType::ProcessName:
      return process_or_group_name(v);
    case KeyType::LogFile:
      return logfile_name(v, L.paths);
  }
  return std::monostate{};
}

// supervisor's suffix for an error inside a section: the section and the
// file it first appeared in.
std::string section_suffix(const Loader& L, const std::string& section) {
  const IniSection* s = L.doc.section(section);
  return " in section " + py_repr(section) + " (file: " + py_repr(s ? s->origin.file : L.configfile) + ")";
}

template <class T>
T value_or(const std::map<std::string_view, Value>& values, std::string_view key, T dflt) {
  auto it = values.find(key);
  if (it == values.end()) return dflt;
  if (const T* t = std::get_if<T>(&it->second)) return *t;
  return dflt;
}

std::vector<ProcessConfig> processes_impl(Loader& L, const std::string& section, const std::string& group_name,
                                          SectionKind kind) {
  const std::string program_name = process_or_group_name(after_colon(section));
  // One dict for the whole section, extended per process (supervisor's
  // common_expansions): later processes still see earlier ones' ENV_* names.
  Expansions common{{"here", L.here},
                    {"program_name", program_name},
                    {"host_node_name", L.ctx.host_node_name},
                    {"group_name", group_name}};

  std::map<std::string_view, Value> values;
  std::optional<std::string> user;  // as written (after expansion); values holds the uid
  const std::string suffix = section_suffix(L, section);
  const PathCheck unchecked{nullptr, L.paths.home, L.paths.cwd};
  std::vector<HostProblem> section_problems;  // user=: every process of the section has it
  for (const ProgramKey& key : program_keys()) {
    if (key.scope != KeyScope::Section) continue;
    std::optional<std::string> dflt;
    if (key.default_value) dflt = std::string(*key.default_value);
    if (key.name == "killasgroup") dflt = value_or(values, "stopasgroup", false) ? "true" : "false";
    const auto raw = L.get(section, std::string(key.name), dflt, common, key.expansion != Expansion::Raw);
    if (key.type == KeyType::User) user = raw;
    if (key.type == KeyType::User)
      values[key.name] = L.host_dependent(
          section_problems, section, std::string(key.name), suffix, [&] { return convert(key, raw, L); },
          [] { return Value{}; });
    else
      values[key.name] = L.at(section, std::string(key.name), [&] { return convert(key, raw, L); });
  }
  const auto process_name = value_or<std::string>(values, "process_name", "%(program_name)s");
  const auto numprocs = value_or<long long>(values, "numprocs", 1);
  const auto numprocs_start = value_or<long long>(values, "numprocs_start", 0);
  if (numprocs > 1 && process_name.find("%(process_num)") == std::string::npos)
    throw LocatedError(L.origin_of(section, "process_name"),
                       "%(process_num) must be present within process_name when numprocs > 1");
  if (value_or(values, "stopasgroup", false) && !value_or(values, "killasgroup", false))
    throw LocatedError(L.origin_of(section, "killasgroup"), "Cannot set stopasgroup=true and killasgroup=false");
  const auto environment_str = value_or<std::string>(values, "environment", "");

  std::vector<ProcessConfig> out;
  for (long long num = numprocs_start; num < numprocs_start + numprocs; ++num) {
    common.set("process_num", num);
    common.set("numprocs", numprocs);
    common.update(L.environ);
    const core::Env env = L.at(section, "environment", [&] {
      return dict_of_key_value_pairs(expand(environment_str, common, "environment"));
    });
    for (const auto& [k, v] : env.entries()) common.set("ENV_" + k, v);

    std::map<std::string_view, Value> per;
    std::vector<HostProblem> problems = section_problems;
    for (const ProgramKey& key : program_keys()) {
      if (key.scope != KeyScope::Process) continue;
      const std::string name(key.name);
      std::optional<std::string> dflt;  // the log files default to Automatic, not a string
      if (key.default_value && key.type != KeyType::LogFile) dflt = std::string(*key.default_value);
      auto raw = L.get(section, name, dflt, common);
      if (raw && key.expansion == Expansion::Twice)
        raw = L.at(section, name, [&] { return expand(*raw, common, name); });
      if (key.type == KeyType::LogFile && raw)
        per[key.name] = L.host_dependent(
            problems, section, name, suffix, [&] { return convert(key, raw, L); },
            [&] { return Value{logfile_name(*raw, unchecked)}; });
      else
        per[key.name] = L.at(section, name, [&] { return convert(key, raw, L); });
    }

    ProcessConfig p;
    p.kind = kind;
    p.section = section;
    p.program_name = program_name;
    p.group_name = group_name;
    p.process_num = static_cast<int>(num);
    p.numprocs = static_cast<int>(numprocs);
    p.numprocs_start = static_cast<int>(numprocs_start);
    p.source = L.doc.section(section)->origin;
    p.environment = env;
    p.user = user;
    if (auto* uid = std::get_if<long long>(&values["user"])) p.uid = static_cast<uid_t>(*uid);
    if (auto* um = std::get_if<long long>(&values["umask"])) p.umask = static_cast<mode_t>(*um);
    if (auto* url = std::get_if<std::string>(&values["serverurl"])) p.serverurl = *url;
    p.priority = static_cast<int>(value_or<long long>(values, "priority", 999));
    p.autostart = value_or(values, "autostart", true);
    p.autorestart = value_or(values, "autorestart", AutoRestart::Unexpected);
    p.startsecs = static_cast<int>(value_or<long long>(values, "startsecs", 1));
    p.startretries = static_cast<int>(value_or<long long>(values, "startretries", 3));
    p.exitcodes = value_or<std::vector<int>>(values, "exitcodes", {0});
    p.stopsignal = static_cast<int>(value_or<long long>(values, "stopsignal", 15));
    p.stopwaitsecs = static_cast<int>(value_or<long long>(values, "stopwaitsecs", 10));
    p.stopasgroup = value_or(values, "stopasgroup", false);
    p.killasgroup = value_or(values, "killasgroup", false);
    p.redirect_stderr = value_or(values, "redirect_stderr", false);
    p.process_name_template = process_name;
    p.stdout_capture_maxbytes = value_or<long long>(values, "stdout_capture_maxbytes", 0);
    p.stdout_events_enabled = value_or(values, "stdout_events_enabled", false);
    p.stderr_capture_maxbytes = value_or<long long>(values, "stderr_capture_maxbytes", 0);
    p.stderr_events_enabled = value_or(values, "stderr_events_enabled", false);

    if (auto* dir = std::get_if<std::string>(&per["directory"])) p.directory = *dir;
    struct Channel {
      const char* name;
      std::string* logfile;
      int* backups;
      long long* maxbytes;
      bool* syslog;
    };
    for (const Channel& c : {Channel{"stdout", &p.stdout_logfile, &p.stdout_logfile_backups,
                                     &p.stdout_logfile_maxbytes, &p.stdout_syslog},
                             Channel{"stderr", &p.stderr_logfile, &p.stderr_logfile_backups,
                                     &p.stderr_logfile_maxbytes, &p.stderr_syslog}}) {
      const std::string prefix = c.name;
      *c.logfile = value_or<std::string>(per, prefix == "stdout" ? "stdout_logfile" : "stderr_logfile", "AUTO");
      *c.backups = static_cast<int>(std::get<long long>(per[prefix == "stdout" ? "stdout_logfile_backups"
                                                                               : "stderr_logfile_backups"]));
      *c.maxbytes = std::get<long long>(per[prefix == "stdout" ? "stdout_logfile_maxbytes"
                                                               : "stderr_logfile_maxbytes"]);
      *c.syslog = std::get<bool>(per[prefix == "stdout" ? "stdout_syslog" : "stderr_syslog"]);
      if (*c.logfile == "SYSLOG") {
        L.config.parse_warnings.push_back("For [" + section + "], " + prefix +
                                          "_logfile=syslog but this is deprecated and will be removed.  Use " +
                                          prefix + "_syslog=true to enable syslog instead.");
        *c.logfile = "NONE";
        *c.syslog = true;
      }
      if (*c.logfile == "AUTO" && *c.maxbytes == 0)
        L.config.parse_warnings.push_back("For [" + section + "], AUTO logging used for " + prefix +
                                          "_logfile without rollover, set maxbytes > 0 to avoid filling up "
                                          "filesystem unintentionally");
    }
    if (p.redirect_stderr) {
      if (p.stderr_logfile != "AUTO" && p.stderr_logfile != "NONE")
        L.config.parse_warnings.push_back("For [" + section +
                                          "], redirect_stderr=true but stderr_logfile has also been set to a "
                                          "filename, the filename has been ignored");
      p.stderr_logfile = "NONE";
    }
    auto* command = std::get_if<std::string>(&per["command"]);
    if (!command)
      throw LocatedError(L.doc.section(section)->origin, "program section " + section + " does not specify a command");
    p.command = *command;
    p.name = L.at(section, "process_name", [&] { return expand(process_name, common, "process_name"); });
    for (const auto& key : L.doc.options(section)) p.key_origins[key] = L.origin_of(section, key);
    // Only the section's own keys: a [DEFAULT] key is there for every section.
    for (const auto& [key, value] : L.doc.section(section)->options)
      if (!is_section_key(kind, key)) p.unknown_keys[key] = value.origin;
    p.host_problems = std::move(problems);
    out.push_back(std::move(p));
  }
  std::stable_sort(out.begin(), out.end(), [](const ProcessConfig& a, const ProcessConfig& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.name < b.name;
  });
  return out;
}

}  // namespace

// processes_from_section(): any error inside gets supervisor's suffix naming
// the section and the file the section first appeared in.
std::vector<ProcessConfig> processes_from_section(Loader& L, const std::string& section,
                                                  const std::string& group_name, SectionKind kind) {
  try {
    return processes_impl(L, section, group_name, kind);
  } catch (const ValueError& e) {
    const auto* located = dynamic_cast<const LocatedError*>(&e);
    throw LocatedError(located ? located->origin : L.origin_of(section, ""), e.what() + section_suffix(L, section));
  }
}

}  // namespace bootmortem::config
