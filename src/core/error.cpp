#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <string_view>

namespace bootmortem::core {
namespace {

struct ErrnoName {
  int value;
  std::string_view name;
};

// The errnos a failed boot shows in practice, in Linux numbering.
constexpr ErrnoName k_errno_names[] = {
    {EPERM, "EPERM"},         {ENOENT, "ENOENT"},       {ESRCH, "ESRCH"},
    {EINTR, "EINTR"},         {EIO, "EIO"},             {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},         {ENOEXEC, "ENOEXEC"},     {EBADF, "EBADF"},
    {ECHILD, "ECHILD"},       {EAGAIN, "EAGAIN"},       {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},       {EFAULT, "EFAULT"},       {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},       {EXDEV, "EXDEV"},         {ENODEV, "ENODEV"},
    {ENOTDIR, "ENOTDIR"},     {EISDIR, "EISDIR"},       {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},       {EMFILE, "EMFILE"},       {ETXTBSY, "ETXTBSY"},
    {EFBIG, "EFBIG"},         {ENOSPC, "ENOSPC"},       {ESPIPE, "ESPIPE"},
    {EROFS, "EROFS"},         {EMLINK, "EMLINK"},       {EPIPE, "EPIPE"},
    {ERANGE, "ERANGE"},       {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},       {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"},
    {ENOTSOCK, "ENOTSOCK"},   {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},                   {ENETUNREACH, "ENETUNREACH"},
    {ECONNREFUSED, "ECONNREFUSED"},                     {EHOSTUNREACH, "EHOSTUNREACH"},
    {ETIMEDOUT, "ETIMEDOUT"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {ENOTSUP, "EOPNOTSUPP"},  {EDQUOT, "EDQUOT"},       {ENOTCONN, "ENOTCONN"},
    {ECONNRESET, "ECONNRESET"},
};

}  // namespace

SystemError::SystemError(const std::string& operation, int err, const std::string& hint)
    : std::runtime_error(operation + ": " + std::strerror(err) +
                         (hint.empty() ? std::string() : " (" + hint + ")")),
      err_(err) {}

const char* errno_cname(int err) noexcept {
  for (const auto& e : k_errno_names)
    if (e.value == err) return e.name.data();
  return nullptr;
}

std::string errno_name(int err) {
  const char* name = errno_cname(err);
  return name ? std::string(name) : std::to_string(err);
}

int errno_from_name(const std::string& name) {
  for (const auto& e : k_errno_names)
    if (e.name == name) return e.value;
  return -1;
}

}  // namespace bootmortem::core
