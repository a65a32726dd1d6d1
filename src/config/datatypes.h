// supervisor's value converters (supervisor/datatypes.py), one function each,
// with supervisor's error texts. They throw ValueError; the loader adds the
// file, line and section.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::config {

std::string process_or_group_name(const std::string& name);
long long integer(const std::string& value);
bool boolean(const std::string& value);
std::vector<std::string> list_of_strings(const std::string& value);
std::vector<int> list_of_exitcodes(const std::string& value);
mode_t octal_type(const std::string& value);
long long byte_size(const std::string& value);
int signal_number(const std::string& value);
AutoRestart auto_restart(const std::string& value);
int logging_level(const std::string& value);

uid_t name_to_uid(const std::string& name, const core::UserDb& users);
gid_t name_to_gid(const std::string& name, const core::UserDb& users);
// "user[:group]" -> (uid, gid or -1).
std::pair<uid_t, gid_t> colon_separated_user_group(const std::string& value, const core::UserDb& users);
// "[host:]port" -> (host lowered, "" for none or "*"; port 1..65535).
std::pair<std::string, int> inet_address(const std::string& value);

// What the filesystem checks of existing_directory / existing_dirpath need.
// Without fs the checks are skipped (the tool may run on another host).
struct PathCheck {
  const core::FileSystem* fs = nullptr;
  std::optional<std::string> home;  // for ~ expansion
  std::string cwd;                  // relative paths are checked against it
};
std::string existing_directory(const std::string& value, const PathCheck& check);
std::string existing_dirpath(const std::string& value, const PathCheck& check);

// logfile_name(): "NONE" for none/off, "AUTO" for auto, "SYSLOG" for the
// deprecated syslog, else the path after existing_dirpath.
std::string logfile_name(const std::string& value, const PathCheck& check);

}  // namespace bootmortem::config
