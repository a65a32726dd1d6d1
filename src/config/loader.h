// Internal to the config module: the state ServerOptions.read_config keeps
// while it parses, shared by loader.cpp (files, [supervisord], servers) and
// programs.cpp (groups and processes).
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "config/datatypes.h"
#include "config/expand.h"
#include "config/ini.h"
#include "config/python.h"

namespace bootmortem::config {

// A ValueError that knows which line of which file it is about.
class LocatedError : public ValueError {
 public:
  LocatedError(core::Origin where, const std::string& message) : ValueError(message), origin(std::move(where)) {}
  core::Origin origin;
};

struct Loader {
  const LoadContext& ctx;
  const core::UserDb& users;
  Config& config;
  std::string configfile;  // as given: supervisor's messages name it so
  std::string here;
  IniDocument doc;
  // parser.expansions: ENV_* of supervisord's environment, later extended by
  // [supervisord] environment= (one dict, shared, as in supervisor).
  Expansions environ;
  PathCheck paths;

  // Where section.option was written; the section header when it was not.
  core::Origin origin_of(const std::string& section, const std::string& option) const;
  // UnhosedConfigParser.saneget(): the value or dflt, %-expanded with
  // environ updated by extra, under the name "<section>.<option>".
  std::optional<std::string> get(const std::string& section, const std::string& option,
                                 std::optional<std::string> dflt, const Expansions& extra,
                                 bool do_expand = true) const;
  // Runs f; a plain ValueError from it is pinned to section.option's line.
  template <class F>
  auto at(const std::string& section, const std::string& option, F&& f) const -> decltype(f()) {
    try {
      return f();
    } catch (const LocatedError&) {
      throw;
    } catch (const ValueError& e) {
      throw LocatedError(origin_of(section, option), e.what());
    }
  }
  // Runs f, whose ValueError depends on the host (a user lookup, a directory
  // check). Under ctx.record_host_problems the error is recorded in problems
  // with section.option's line and suffix appended to its message, and
  // fallback() stands in for the value; otherwise it is at()'s.
  template <class F, class G>
  auto host_dependent(std::vector<HostProblem>& problems, const std::string& section, const std::string& option,
                      const std::string& suffix, F&& f, G&& fallback) const -> decltype(f()) {
    if (!ctx.record_host_problems) return at(section, option, f);
    try {
      return f();
    } catch (const ValueError& e) {
      problems.push_back({origin_of(section, option), option, e.what() + suffix});
      return fallback();
    }
  }
};

// ServerOptions.process_groups_from_parser (groups.cpp): fills
// config.processes, sorted as supervisor sorts groups and processes.
void process_groups_from_parser(Loader& loader);

// ServerOptions.processes_from_section (programs.cpp): the processes of one
// section, sorted by (priority, name); errors get supervisor's
// " in section '<section>' (file: '<file>')" suffix.
std::vector<ProcessConfig> processes_from_section(Loader& loader, const std::string& section,
                                                  const std::string& group_name, SectionKind kind);

}  // namespace bootmortem::config
