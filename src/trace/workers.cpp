#include "trace/workers.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "core/error.h"
#include "core/signals.h"
#include "trace/procfs.h"

namespace bootmortem::trace {

using Clock = std::chrono::steady_clock;

bool WorkerChannel::send(const std::string& line) {
  const std::string text = line + "\n";
  size_t off = 0;
  while (off < text.size()) {
    // MSG_NOSIGNAL: a parent that is gone is an answer, not SIGPIPE.
    ssize_t n = ::send(fd_, text.data() + off, text.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::optional<std::string> WorkerChannel::receive_line() {
  // A byte at a time: nothing after the line may be taken from the socket,
  // whose end of file is the release.
  std::string line;
  while (true) {
    char c;
    ssize_t n = ::read(fd_, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line += c;
  }
}

bool WorkerChannel::released_within(std::chrono::milliseconds wait) {
  const auto until = Clock::now() + wait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    struct pollfd p = {fd_, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return true;
  }
}

void WorkerChannel::set_state(WorkerState s) { states_[index_].store(static_cast<int>(s)); }

bool WorkerChannel::others_active() const {
  for (size_t j = 0; j < count_; ++j)
    if (j != index_ && states_[j].load() != static_cast<int>(WorkerState::Done)) return true;
  return false;
}

Workers::Workers(size_t count) : count_(count) {
  void* page = mmap(nullptr, std::max<size_t>(count, 1) * sizeof(std::atomic<int>), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) throw core::SystemError("mmap (the workers' shared state)", errno);
  states_ = static_cast<std::atomic<int>*>(page);
  for (size_t i = 0; i < count; ++i) new (&states_[i]) std::atomic<int>(static_cast<int>(WorkerState::Running));
  slots_.reserve(count);
  prctl(PR_GET_CHILD_SUBREAPER, &subreaper_before_, 0, 0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

Workers::~Workers() {
  kill_all();
  for (auto& s : slots_)
    if (s.fd >= 0) close(s.fd);
  prctl(PR_SET_CHILD_SUBREAPER, subreaper_before_, 0, 0, 0);
  munmap(states_, std::max<size_t>(count_, 1) * sizeof(std::atomic<int>));
}

size_t Workers::spawn(const std::function<void(WorkerChannel&)>& body) {
  if (slots_.size() >= count_) throw core::SystemError("fork (a check worker)", EINVAL, "more workers than planned");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw core::SystemError("socketpair", errno);
  const size_t index = slots_.size();
  const pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(sv[0]);
    close(sv[1]);
    throw core::SystemError("fork (a check worker)", err);
  }
  if (pid == 0) {
    // The other workers' sockets are not this one's: a copy held here would
    // keep them from seeing the parent go.
    close(sv[0]);
    for (auto& s : slots_)
      if (s.fd >= 0) close(s.fd);
    // A signal that ends the parent (^C, a CI job's SIGTERM) is not this
    // worker's end: it learns of it from the socket (end of file), stops
    // retrying, ends its replay's tree and exits. Killed with the parent
    // instead, an eBPF replay's tree would be left running. The program
    // itself starts with every signal at its default (trace/child.cpp).
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) signal(sig, SIG_IGN);
    WorkerChannel ch(sv[1], states_, count_, index);
    int code = 0;
    try {
      body(ch);
    } catch (...) {
      code = 70;
    }
    _exit(code);
  }
  close(sv[1]);
  fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  Slot s;
  s.pid = pid;
  s.fd = sv[0];
  slots_.push_back(std::move(s));
  return index;
}

bool Workers::send(size_t i, const std::string& line) {
  Slot& s = slots_[i];
  if (s.fd < 0) return false;
  const std::string text = line + "\n";
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::send(s.fd, text.data() + off, text.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      struct pollfd p = {s.fd, POLLOUT, 0};
      if (poll(&p, 1, 1000) >= 0) continue;
    }
    return false;
  }
  return true;
}

void Workers::release(size_t i) {
  if (slots_[i].fd >= 0) shutdown(slots_[i].fd, SHUT_WR);
}

void Workers::set_state(size_t i, WorkerState s) { states_[i].store(static_cast<int>(s)); }

size_t Workers::running() const {
  size_t n = 0;
  for (const auto& s : slots_)
    if (!s.reaped) ++n;
  return n;
}

void Workers::reap(Slot& s, bool block) {
  if (s.reaped) return;
  // Its socket is closed: it is exiting. One that lingers is killed.
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (true) {
    pid_t p = waitpid(s.pid, &s.status, WNOHANG);
    if (p == s.pid || (p < 0 && errno == ECHILD)) break;
    if (!block) return;
    if (Clock::now() >= until) {
      kill(s.pid, SIGKILL);
      if (waitpid(s.pid, &s.status, 0) < 0) s.status = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  s.reaped = true;
  states_[&s - slots_.data()].store(static_cast<int>(WorkerState::Done));
}

std::vector<Workers::Event> Workers::wait(std::chrono::milliseconds timeout) {
  std::vector<Event> events;
  std::vector<struct pollfd> fds;
  std::vector<size_t> which;
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].fd >= 0 && !slots_[i].eof) {
      fds.push_back({slots_[i].fd, POLLIN, 0});
      which.push_back(i);
    }
  if (fds.empty()) return events;
  if (poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) <= 0) return events;
  for (size_t k = 0; k < fds.size(); ++k) {
    if (!fds[k].revents) continue;
    const size_t i = which[k];
    Slot& s = slots_[i];
    char buf[65536];
    while (true) {
      ssize_t n = ::read(s.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) {
        s.eof = true;
        break;
      }
      s.buffer.append(buf, static_cast<size_t>(n));
      size_t start = 0, nl;
      while ((nl = s.buffer.find('\n', start)) != std::string::npos) {
        events.push_back(Event{i, false, s.buffer.substr(start, nl - start), 0});
        start = nl + 1;
      }
      s.buffer.erase(0, start);
      if (s.buffer.size() > k_max_line) {  // not a worker's message any more
        kill(s.pid, SIGKILL);
        s.buffer.clear();
        s.eof = true;
        break;
      }
    }
    if (s.eof) {
      close(s.fd);
      s.fd = -1;
      reap(s, true);
      events.push_back(Event{i, true, "", s.status});
    }
  }
  return events;
}

void Workers::kill_all() {
  for (auto& s : slots_)
    if (!s.reaped) kill(s.pid, SIGKILL);
  for (auto& s : slots_) reap(s, true);
  // A worker killed in the middle of an eBPF replay leaves its tree to us.
  sweep();
}

void Workers::sweep() {
  for (int round = 0; round < 200; ++round) {
    const auto children = children_of(getpid());
    for (pid_t c : children) kill(c, SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (children.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = core::signal_abbrev(WTERMSIG(status));
    const std::string sig = name ? std::string("SIG") + name : "signal " + std::to_string(WTERMSIG(status));
    return "killed by " + sig + (WCOREDUMP(status) ? " (core dumped)" : "");
  }
  return "wait status " + std::to_string(status);
}

}  // namespace bootmortem::trace
