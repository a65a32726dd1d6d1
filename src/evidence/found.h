// Values a fix needs that only the file system knows, looked up once the
// evidence is in: where the user's login would find the command, and the
// directory a module Python could not import lives in. Rules name them in
// their patches ({login_command}, {module_dir}); empty when not found.
#pragma once

#include "core/fs.h"
#include "evidence/evidence.h"

namespace bootmortem::evidence {

// login_command: command= with its program as the login's PATH finds it
//   (absolute), when supervisord found none; quoted for supervisor's grammar.
// module_dir: for "No module named 'x'" (or celery's "The module x was not
//   found") in the output, the first directory
//   that has x.py, x/ or a package x among the config file's directory, the
//   directories the command's absolute arguments name, and the user's home.
void add_found_values(Evidence& ev, const core::FileSystem& fs);

// An argument as command= must hold it: as it is when shlex keeps it one
// word, else in double quotes; '%' doubled, since the value is %-expanded.
std::string command_word(const std::string& arg);

}  // namespace bootmortem::evidence
