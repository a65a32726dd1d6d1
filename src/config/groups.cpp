// ServerOptions.process_groups_from_parser (supervisor 4.2.5): which
// sections form which groups, in supervisor's order ([group:x] first, then
// [program:x], [eventlistener:x], [fcgi-program:x]), with the keys it reads
// itself before handing a section to processes_from_section.
#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <unistd.h>

#include "config/loader.h"

namespace bootmortem::config {

namespace {

// supervisor.events.EventTypes, the names [eventlistener:x] events= may use.
constexpr std::array<std::string_view, 27> kEventTypes{
    "EVENT", "PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDERR", "PROCESS_COMMUNICATION_STDOUT",
    "PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED", "PROCESS_LOG", "PROCESS_LOG_STDERR",
    "PROCESS_LOG_STDOUT", "PROCESS_STATE", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_EXITED",
    "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING", "PROCESS_STATE_STARTING", "PROCESS_STATE_STOPPED",
    "PROCESS_STATE_STOPPING", "PROCESS_STATE_UNKNOWN", "REMOTE_COMMUNICATION", "SUPERVISOR_STATE_CHANGE",
    "SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING", "TICK", "TICK_3600", "TICK_5",
    "TICK_60"};

struct Group {
  std::string name;
  int priority;
  std::vector<ProcessConfig> processes;
};

std::string after_colon(const std::string& section) { return section.substr(section.find(':') + 1); }

// Keys read by process_groups_from_parser itself see only here and ENV_*:
// `priority=%(program_name)s` fails there, before the section's own keys.
std::optional<std::string> group_get(Loader& L, const std::string& section, const std::string& key,
                                     std::optional<std::string> dflt, const Expansions& extra = {}) {
  Expansions e = extra;
  e.set("here", L.here);
  return L.get(section, key, dflt, e);
}

int section_priority(Loader& L, const std::string& section, const char* dflt) {
  return static_cast<int>(L.at(section, "priority", [&] { return integer(*group_get(L, section, "priority", dflt)); }));
}

std::string section_name(Loader& L, const std::string& section) {
  return L.at(section, "", [&] { return process_or_group_name(after_colon(section)); });
}

void read_groups(Loader& L, std::vector<Group>& groups, std::set<std::string>& in_groups) {
  const auto all = L.doc.sections();
  for (const auto& group_section : all) {
    if (!group_section.starts_with("group:")) continue;
    const std::string group_name = section_name(L, group_section);
    const auto programs = list_of_strings(group_get(L, group_section, "programs", std::nullopt).value_or(""));
    const int priority = section_priority(L, group_section, "999");
    Group g{group_name, priority, {}};
    // supervisor reuses its loop variable, so after the first member the
    // messages name the previous member's section instead of the group (sic).
    std::string named = group_section;
    for (const auto& program : programs) {
      const std::string program_section = "program:" + program, fcgi_section = "fcgi-program:" + program;
      const bool has_program = L.doc.has_section(program_section), has_fcgi = L.doc.has_section(fcgi_section);
      if (!has_program && !has_fcgi)
        throw LocatedError(L.origin_of(group_section, "programs"),
                           "[" + named + "] names unknown program or fcgi-program " + program);
      if (has_program && has_fcgi)
        throw LocatedError(L.origin_of(group_section, "programs"),
                           "[" + named + "] name " + program + " is ambiguous (exists as program and fcgi-program)");
      named = has_program ? program_section : fcgi_section;
      in_groups.insert(named);
      // A grouped fcgi-program is made as a plain program: no socket (sic).
      for (auto& p : processes_from_section(L, named, group_name, SectionKind::Program))
        g.processes.push_back(std::move(p));
    }
    groups.push_back(std::move(g));
  }
}

void read_eventlisteners(Loader& L, std::vector<Group>& groups) {
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("eventlistener:")) continue;
    const std::string pool_name = after_colon(section);  // not checked by supervisor
    const int priority = section_priority(L, section, "-1");  // listeners start first
    const long long buffer_size =
        L.at(section, "buffer_size", [&] { return integer(*group_get(L, section, "buffer_size", "10")); });
    if (buffer_size < 1)
      throw LocatedError(L.origin_of(section, "buffer_size"),
                         "[" + section + "] section sets invalid buffer_size (" + std::to_string(buffer_size) + ")");
    // result_handler names a Python object; it cannot be imported from here.
    group_get(L, section, "result_handler", "supervisor.dispatchers:default_handler");
    std::vector<std::string> events;
    for (const auto& e : list_of_strings(*group_get(L, section, "events", ""))) {
      const std::string name = py_upper(e);
      if (std::find(events.begin(), events.end(), name) == events.end()) events.push_back(name);
    }
    if (events.empty())
      throw LocatedError(L.origin_of(section, "events"), "[" + section + "] section requires an \"events\" line");
    for (const auto& e : events)
      if (std::find(kEventTypes.begin(), kEventTypes.end(), e) == kEventTypes.end())
        throw LocatedError(L.origin_of(section, "events"), "Unknown event type " + e + " in [" + section + "] events");
    if (L.at(section, "redirect_stderr", [&] { return boolean(*group_get(L, section, "redirect_stderr", "false")); }))
      throw LocatedError(L.origin_of(section, "redirect_stderr"),
                         "[" + section +
                             "] section sets redirect_stderr=true but this is not allowed because it will interfere "
                             "with the eventlistener protocol");
    auto procs = processes_from_section(L, section, pool_name, SectionKind::EventListener);
    for (auto& p : procs) {
      p.events = events;
      p.buffer_size = static_cast<int>(buffer_size);
    }
    groups.push_back(Group{pool_name, priority, std::move(procs)});
  }
}

// parse_fcgi_socket(). Two of its errors are ValueErrors built with two
// arguments, so Python prints them as a tuple; kept.
FcgiSocket parse_fcgi_socket(Loader& L, const std::string& sock, std::optional<uid_t> proc_uid,
                             std::optional<std::pair<uid_t, gid_t>> owner, std::optional<mode_t> mode,
                             std::optional<int> backlog) {
  FcgiSocket s;
  s.backlog = backlog;
  if (sock.starts_with("unix://")) {
    const std::string path = sock.substr(7);
    if (!path.starts_with('/'))
      throw ValueError("('Unix socket path %s is not an absolute path', " + py_repr(path) + ")");
    s.path = core::absolute_path(py_expanduser(path, L.ctx.environ.get("HOME")), L.ctx.cwd);
    s.url = "unix://" + s.path;
    // supervisord chowns the socket to the program's user when it runs as
    // someone else (its own uid: ours, as bootmortem replays it).
    if (!owner && proc_uid && *proc_uid != ::getuid())
      if (auto pw = L.users.by_uid(*proc_uid)) owner = std::make_pair(*proc_uid, pw->gid);
    s.owner = owner;
    s.mode = mode.value_or(0700);
    return s;
  }
  if (owner || mode) throw ValueError("socket_owner and socket_mode params should only be used with a Unix domain socket");
  if (sock.starts_with("tcp://")) {
    const std::string rest = sock.substr(6);
    const auto colon = rest.find(':');
    const std::string host = rest.substr(0, colon), port = colon == std::string::npos ? "" : rest.substr(colon + 1);
    const bool host_ok = !host.empty() && host.find_first_of(" \t\n\r\f\v") == std::string::npos;
    const bool port_ok = !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
    if (host_ok && port_ok) {
      const long long number = integer(port);
      if (number < 1) throw ValueError(std::to_string(number) + " is below lower bound (1)");
      if (number > 0xffff) throw ValueError(std::to_string(number) + " is above upper bound (65535)");
      s.host = py_lower(host);
      s.port = static_cast<int>(number);
      s.url = "tcp://" + s.host + ":" + std::to_string(s.port);
      return s;
    }
  }
  throw ValueError("('Bad socket format %s', " + py_repr(sock) + ")");
}

void read_fcgi_programs(Loader& L, std::vector<Group>& groups, const std::set<std::string>& in_groups) {
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("fcgi-program:") || in_groups.count(section)) continue;
    const std::string program_name = section_name(L, section);
    const int priority = section_priority(L, section, "999");
    std::optional<uid_t> proc_uid;
    if (auto user = group_get(L, section, "user", std::nullopt))
      proc_uid = L.at(section, "user", [&] { return name_to_uid(*user, L.users); });
    std::optional<int> backlog;
    if (auto b = group_get(L, section, "socket_backlog", std::nullopt)) {
      const long long v = L.at(section, "socket_backlog", [&] { return integer(*b); });
      if (v < 1 || v > 65535)
        throw LocatedError(L.origin_of(section, "socket_backlog"), "Invalid socket_backlog value " + std::to_string(v));
      backlog = static_cast<int>(v);
    }
    std::optional<std::pair<uid_t, gid_t>> owner;
    if (auto o = group_get(L, section, "socket_owner", std::nullopt)) {
      try {
        owner = colon_separated_user_group(*o, L.users);
      } catch (const ValueError&) {
        throw LocatedError(L.origin_of(section, "socket_owner"), "Invalid socket_owner value " + *o);
      }
    }
    std::optional<mode_t> mode;
    if (auto m = group_get(L, section, "socket_mode", std::nullopt)) {
      try {
        mode = octal_type(*m);
      } catch (const ValueError&) {
        throw LocatedError(L.origin_of(section, "socket_mode"), "Invalid socket_mode value " + *m);
      }
    }
    const auto sock = group_get(L, section, "socket", std::nullopt, Expansions{{"program_name", program_name}});
    if (!sock || sock->empty())
      throw LocatedError(L.origin_of(section, "socket"), "[" + section + "] section requires a \"socket\" line");
    FcgiSocket socket;
    try {
      socket = parse_fcgi_socket(L, *sock, proc_uid, owner, mode, backlog);
    } catch (const ValueError& e) {
      throw LocatedError(L.origin_of(section, "socket"), std::string(e.what()) + " in [" + section + "] socket");
    }
    auto procs = processes_from_section(L, section, program_name, SectionKind::FcgiProgram);
    for (auto& p : procs) p.fcgi_socket = socket;
    groups.push_back(Group{program_name, priority, std::move(procs)});
  }
}

}  // namespace

void process_groups_from_parser(Loader& L) {
  std::vector<Group> groups;
  std::set<std::string> in_groups;
  read_groups(L, groups, in_groups);
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("program:") || in_groups.count(section)) continue;
    const std::string program_name = section_name(L, section);
    const int priority = section_priority(L, section, "999");
    groups.push_back(Group{program_name, priority, processes_from_section(L, section, program_name, SectionKind::Program)});
  }
  read_eventlisteners(L, groups);
  read_fcgi_programs(L, groups, in_groups);
  // groups.sort(): by (priority, name); Python's sort is stable.
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.name < b.name;
  });
  for (auto& g : groups)
    for (auto& p : g.processes) {
      p.group_priority = g.priority;
      L.config.processes.push_back(std::move(p));
    }
}

}  // namespace bootmortem::config
