// `check --root DIR`: the rest of the command runs inside a staged root
// filesystem (an exported container image, a debootstrap tree, a build's
// output), so the config's paths, the users, the interpreter, the libraries
// and the login profiles are the target's, not this host's.
#pragma once

#include <string>

namespace bootmortem::run {

enum class RootUse {
  // Programs run in it: a private mount namespace, DIR as the lower layer of
  // an overlay whose upper layer is a tmpfs (what they write is discarded
  // with the namespace; DIR is never written), a fresh /proc, the host's
  // /dev with a private /dev/shm, /sys read-only, tmpfs on /tmp and /run. The overlay is pivoted to the
  // namespace's root, so a namespace made from this one (a verification's)
  // has it as root too. Needs CAP_SYS_ADMIN.
  Replay,
  // Only read (check --static): a plain chroot, which needs CAP_SYS_CHROOT
  // only (a container's root keeps it). Nothing runs in it.
  Read,
};

// Enters DIR for the rest of this process: afterwards "/" is DIR's root
// and the working directory is "/". Throws core::InputError when DIR is no
// root filesystem (no etc/passwd), core::SystemError when the kernel refuses
// a step (saying which privilege it needs).
void enter_staged_root(const std::string& dir, RootUse use);

}  // namespace bootmortem::run
