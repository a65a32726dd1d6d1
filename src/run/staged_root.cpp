// Entering a staged root filesystem (staged_root.h). The mounts live in a
// mount namespace of this process alone: they go when it exits, and the host
// never sees them. The scratch tmpfs that holds the overlay's upper layer is
// mounted over a directory of the host's view inside that namespace (never
// one DIR lies under), so nothing is created on the host either.
#include "run/staged_root.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fmt/format.h>

#include "core/error.h"

namespace bootmortem::run {
namespace {

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || path.starts_with(dir + "/");
}

void must(bool ok, const std::string& what, const std::string& hint = "") {
  if (!ok) throw core::SystemError("--root: " + what, errno, hint);
}

// A directory of the root that a mount needs; made in the overlay's upper
// layer when DIR lacks it (an exported image has no /proc, say).
void ensure_dir(const std::string& path, mode_t mode) {
  if (is_dir(path)) return;
  must(::mkdir(path.c_str(), mode) == 0 || errno == EEXIST, "mkdir " + path);
  ::chmod(path.c_str(), mode);
}

// overlayfs takes ',' and ':' in a path only escaped.
std::string overlay_path(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void mount_replay_root(const std::string& lower) {
  const std::string need = "a private mount namespace needs CAP_SYS_ADMIN (root outside a container, or "
                           "--cap-add SYS_ADMIN); check --static --root needs CAP_SYS_CHROOT only";
  must(::unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)", need);
  must(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "making the mounts private");

  std::string scratch;
  for (const char* candidate : {"/tmp", "/run", "/mnt", "/var/tmp", "/media", "/srv"})
    if (is_dir(candidate) && !under(lower, candidate)) {
      scratch = candidate;
      break;
    }
  if (scratch.empty()) {
    errno = ENOENT;
    must(false, "no directory for the scratch tmpfs outside " + lower);
  }
  must(::mount("tmpfs", scratch.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") == 0,
       "mounting a tmpfs on " + scratch);
  const std::string upper = scratch + "/upper", work = scratch + "/work", root = scratch + "/root";
  for (const auto& d : {upper, work, root}) must(::mkdir(d.c_str(), 0755) == 0, "mkdir " + d);
  const std::string options =
      fmt::format("lowerdir={},upperdir={},workdir={}", overlay_path(lower), upper, work);
  must(::mount("overlay", root.c_str(), "overlay", 0, options.c_str()) == 0, "an overlay over " + lower,
       "overlayfs refused the directory as a lower layer");

  ensure_dir(root + "/proc", 0555);
  must(::mount("proc", (root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0,
       "mounting /proc");
  ensure_dir(root + "/dev", 0755);
  must(::mount("/dev", (root + "/dev").c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0, "binding /dev");
  if (is_dir(root + "/dev/shm"))
    must(::mount("tmpfs", (root + "/dev/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0,
         "a private /dev/shm");
  // The kernel's BTF and tracefs, which the eBPF tracer reads; read-only.
  ensure_dir(root + "/sys", 0555);
  must(::mount("/sys", (root + "/sys").c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0, "binding /sys");
  must(::mount(nullptr, (root + "/sys").c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0,
       "making /sys read-only");
  ensure_dir(root + "/tmp", 01777);
  must(::mount("tmpfs", (root + "/tmp").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == 0, "a tmpfs on /tmp");
  ensure_dir(root + "/run", 0755);
  must(::mount("tmpfs", (root + "/run").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0, "a tmpfs on /run");
  // The overlay becomes the namespace's root, not only this process's: a
  // namespace a verification unshares from this one, and a replay that
  // setns()es into it, land in it too (a chroot would not carry over).
  must(::chdir(root.c_str()) == 0, "chdir " + root);
  must(::syscall(SYS_pivot_root, ".", ".") == 0, "pivot_root");
  must(::umount2(".", MNT_DETACH) == 0, "detaching the host's root");
}

}  // namespace

void enter_staged_root(const std::string& dir, RootUse use) {
  char resolved[PATH_MAX];
  if (!::realpath(dir.c_str(), resolved) || !is_dir(resolved))
    throw core::InputError(core::Origin{dir, 0}, "--root: no such directory");
  const std::string lower = resolved;
  struct stat st {};
  if (::stat((lower + "/etc/passwd").c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw core::InputError(core::Origin{dir, 0},
                           "--root: not a root filesystem (no etc/passwd): give the top of an exported image or "
                           "a debootstrap tree");
  if (use == RootUse::Replay) {
    mount_replay_root(lower);
  } else {
    must(::chdir(lower.c_str()) == 0, "chdir " + lower);
    must(::chroot(".") == 0, "chroot " + lower, "chroot needs CAP_SYS_CHROOT (root)");
  }
  must(::chdir("/") == 0, "chdir / in " + lower);
}

}  // namespace bootmortem::run
