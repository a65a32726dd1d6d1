#include "core/fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/file_stream.h"

namespace bootmortem::core {

bool FileStat::is_dir() const { return S_ISDIR(mode); }

std::optional<FileStat> RealFs::stat(const std::string& path) const {
  struct ::stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStat{st.st_mode, st.st_uid, st.st_gid};
}

bool RealFs::executable(const std::string& path) const { return ::access(path.c_str(), X_OK) == 0; }

std::optional<std::string> RealFs::read_file(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::string> RealFs::read_prefix(const std::string& path, size_t n) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string buf(n, '\0');
  in.read(buf.data(), static_cast<std::streamsize>(n));
  buf.resize(static_cast<size_t>(in.gcount()));
  return buf;
}

std::optional<std::string> RealFs::read_suffix(const std::string& path, size_t n) const {
  try {
    FileStream in(path);
    if (in.size() > n) in.seek(in.size() - n);
    std::string text;
    char buf[1 << 16];
    while (size_t got = in.read(buf, sizeof buf)) text.append(buf, got);
    return text;
  } catch (const InputError&) {
    return std::nullopt;
  }
}

std::string RealFs::cwd() const {
  std::vector<char> buf(4096);
  if (!::getcwd(buf.data(), buf.size())) return "/";
  return buf.data();
}

std::optional<FileStat> FakeFs::stat(const std::string& path) const {
  auto it = files.find(normalize_path(absolute_path(path, working_dir)));
  if (it == files.end()) return std::nullopt;
  return it->second;
}

bool FakeFs::executable(const std::string& path) const {
  auto st = stat(path);
  return st && st->any_exec_bit();
}

std::optional<std::string> FakeFs::read_file(const std::string& path) const {
  auto it = contents.find(normalize_path(absolute_path(path, working_dir)));
  if (it == contents.end()) return std::nullopt;
  return it->second;
}

bool may_access(const FileStat& st, uid_t uid, const std::vector<gid_t>& groups, int bits) {
  if (uid == 0) return !(bits & 01) || st.is_dir() || st.any_exec_bit();
  int granted = 0;
  if (st.uid == uid)
    granted = (st.mode >> 6) & 07;
  else if (std::find(groups.begin(), groups.end(), st.gid) != groups.end())
    granted = (st.mode >> 3) & 07;
  else
    granted = st.mode & 07;
  return (granted & bits) == bits;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (name.starts_with('/') || dir.empty()) return name;
  if (dir.ends_with('/')) return dir + name;
  return dir + "/" + name;
}

std::string dirname(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return "";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string basename(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string normalize_path(const std::string& path) {
  if (path.empty()) return ".";
  const bool absolute = path.front() == '/';
  std::vector<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..")
        parts.pop_back();
      else if (!absolute)
        parts.push_back("..");
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += "/";
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string absolute_path(const std::string& path, const std::string& base) {
  return normalize_path(path.starts_with('/') ? path : join_path(base, path));
}

bool path_is_under(const std::string& path, const std::string& dir) {
  std::string p = normalize_path(path), d = normalize_path(dir);
  if (d == "/") return p.starts_with('/');
  return p == d || (p.starts_with(d) && p[d.size()] == '/');
}

}  // namespace bootmortem::core
