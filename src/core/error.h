// The tool's own three kinds of failure (STYLE.md §7). A failure of the
// program being diagnosed is never one of these: it is evidence.
#pragma once

#include <stdexcept>
#include <string>

namespace bootmortem::core {

// Where a piece of input came from: a file (or "<string>") and a 1-based line.
struct Origin {
  std::string file;
  int line = 0;

  std::string str() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
};

// Bad input: config, rule file, command line. Maps to exit 2.
class InputError : public std::runtime_error {
 public:
  InputError(Origin origin, const std::string& message)
      : std::runtime_error(origin.file.empty() ? message : origin.str() + ": " + message),
        origin_(std::move(origin)),
        message_(message) {}
  explicit InputError(const std::string& message) : InputError(Origin{}, message) {}

  const Origin& origin() const { return origin_; }
  const std::string& message() const { return message_; }

 private:
  Origin origin_;
  std::string message_;
};

// The system refused something bootmortem needs (ptrace, seccomp, fork).
// Carries the operation, errno and a hint why. Maps to exit 2.
class SystemError : public std::runtime_error {
 public:
  SystemError(const std::string& operation, int err, const std::string& hint = "");
  int err() const { return err_; }

 private:
  int err_;
};

// Symbolic errno name ("EACCES"), or the number when unknown, as Python's
// errno.errorcode does (supervisord prints these).
std::string errno_name(int err);
// The same without allocating (for code between fork and exec); nullptr when
// the number has no name.
const char* errno_cname(int err) noexcept;
// Reverse lookup; returns -1 when the name is unknown.
int errno_from_name(const std::string& name);

}  // namespace bootmortem::core
