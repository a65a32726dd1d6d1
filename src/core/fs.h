// Filesystem probes behind a seam, for the questions supervisord asks before it
// forks (stat for the PATH search, access(X_OK) as its own uid) and the static
// facts evidence wants. Tests use FakeFs.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bootmortem::core {

struct FileStat {
  mode_t mode = 0;  // st_mode, type bits included
  uid_t uid = 0;
  gid_t gid = 0;
  bool is_dir() const;
  bool any_exec_bit() const { return (mode & 0111) != 0; }
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // stat(2), following symlinks; nullopt when it fails.
  virtual std::optional<FileStat> stat(const std::string& path) const = 0;
  // access(path, X_OK) as the calling process.
  virtual bool executable(const std::string& path) const = 0;
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
  // At most n bytes from the start of the file (a #! line, a magic number).
  virtual std::optional<std::string> read_prefix(const std::string& path, size_t n) const = 0;
  // At most n bytes from the end of the file (a log's latest lines). The
  // default reads it whole; RealFs reads only the end.
  virtual std::optional<std::string> read_suffix(const std::string& path, size_t n) const {
    auto all = read_file(path);
    if (all && all->size() > n) all->erase(0, all->size() - n);
    return all;
  }
  virtual std::string cwd() const = 0;
};

class RealFs final : public FileSystem {
 public:
  std::optional<FileStat> stat(const std::string& path) const override;
  bool executable(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  std::optional<std::string> read_prefix(const std::string& path, size_t n) const override;
  std::optional<std::string> read_suffix(const std::string& path, size_t n) const override;
  std::string cwd() const override;
};

class FakeFs final : public FileSystem {
 public:
  std::map<std::string, FileStat> files;
  std::map<std::string, std::string> contents;
  std::string working_dir = "/";

  std::optional<FileStat> stat(const std::string& path) const override;
  bool executable(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  std::optional<std::string> read_prefix(const std::string& path, size_t n) const override {
    auto all = read_file(path);
    if (all && all->size() > n) all->resize(n);
    return all;
  }
  std::string cwd() const override { return working_dir; }
};

// Whether a process of this uid and these groups may access a file of this
// stat with every bit of `bits` (04 read, 02 write, 01 execute/search), by
// the mode bits alone: root may read and write anything, and execute a
// directory, or a file that has any execute bit; anyone else gets the
// owner's, the group's or the others' bits (no ACLs, no capabilities).
bool may_access(const FileStat& st, uid_t uid, const std::vector<gid_t>& groups, int bits);

// Path helpers shared by all modules.
std::string join_path(const std::string& dir, const std::string& name);
std::string dirname(const std::string& path);
std::string basename(const std::string& path);
// os.path.normpath of an absolute path: collapses //, /./ and /../.
std::string normalize_path(const std::string& path);
// Absolute against base when relative, then normalised.
std::string absolute_path(const std::string& path, const std::string& base);
// True when path equals dir or lies below it (both normalised, absolute).
bool path_is_under(const std::string& path, const std::string& dir);

}  // namespace bootmortem::core
