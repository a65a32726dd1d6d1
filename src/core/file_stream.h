// A file read front to back in pieces the caller sizes, for inputs too big to
// hold in memory (a log of a gigabyte). The kernel is told the reading is
// sequential, so its read-ahead keeps up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace bootmortem::core {

class FileStream {
 public:
  // Throws InputError(path) saying why it cannot be opened (missing,
  // permission, a directory).
  explicit FileStream(const std::string& path);
  ~FileStream();
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  // Up to n bytes; 0 at the end. Throws InputError(path) on a read error.
  size_t read(char* buf, size_t n);
  // Continue reading at offset (a regular file's). Throws InputError(path).
  void seek(uint64_t offset);
  // The size when opened (0 for a pipe or a device).
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace bootmortem::core
