#include "run/verify.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <set>

#include "config/config.h"
#include "core/error.h"
#include "evidence/evidence.h"
#include "evidence/found.h"
#include "evidence/outcome.h"
#include "rules/patch.h"
#include "trace/caps.h"
#include "trace/trace.h"

namespace bootmortem::run {
namespace {

using Clock = std::chrono::steady_clock;

std::string parent_dir(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

// The directories to lay an overlay over so that commands changing `paths`
// change a copy: a path's parent when it exists (chmod, chown, sed -i of it),
// else its nearest existing ancestor (install -d, mkdir -p below it). Only
// the outermost of nested ones. Empty with `why` set when one is the root.
std::vector<std::string> overlay_dirs(const std::vector<std::string>& paths, std::string& why) {
  std::set<std::string> dirs;
  for (const auto& raw : paths) {
    if (raw.empty() || raw[0] != '/') {
      why = "the fix changes '" + raw + "', which is not an absolute path";
      return {};
    }
    std::string p = core::normalize_path(raw);
    struct stat st;
    std::string d = ::lstat(p.c_str(), &st) == 0 ? parent_dir(p) : p;
    while (d != "/" && ::stat(d.c_str(), &st) != 0) d = parent_dir(d);
    if (d == "/" || ::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      why = "the fix changes " + p + ", directly under /, which cannot be copied aside";
      return {};
    }
    if (d.find_first_of(",:\\") != std::string::npos) {
      why = "the directory " + d + " has a character an overlay mount cannot name";
      return {};
    }
    dirs.insert(d);
  }
  std::vector<std::string> out;
  for (const auto& d : dirs)  // sorted: a parent comes before what is below it
    if (std::none_of(out.begin(), out.end(), [&](const std::string& o) { return d.starts_with(o + "/"); }))
      out.push_back(d);
  return out;
}

// What fd gives until its end of file, at most max bytes kept.
std::string read_to_end(int fd, size_t max) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (out.size() < max) out.append(buf, std::min(static_cast<size_t>(n), max - out.size()));
  }
  return out;
}

// Every mount point of this process's namespace (/proc/self/mountinfo's
// fifth field, its \ooo escapes decoded).
std::vector<std::string> mount_points() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string f, mp;
    for (int i = 0; i < 5 && fields >> f; ++i)
      if (i == 4) mp = f;
    std::string decoded;
    for (size_t i = 0; i < mp.size(); ++i) {
      if (mp[i] == '\\' && i + 3 < mp.size()) {
        decoded += static_cast<char>((mp[i + 1] - '0') * 64 + (mp[i + 2] - '0') * 8 + (mp[i + 3] - '0'));
        i += 3;
      } else {
        decoded += mp[i];
      }
    }
    if (!decoded.empty()) out.push_back(decoded);
  }
  return out;
}

bool below(const std::string& path, const std::string& dir) {
  return path == dir || (dir == "/" ? true : path.starts_with(dir + "/"));
}

// The mounts a fix's commands may write: the overlays (and what lies below
// them), the scratch tmpfs, and the kernel's /proc, /sys and /dev (a
// redirect to /dev/null).
bool writable_for_commands(const std::string& mp, const std::vector<std::string>& overlays, const std::string& scratch) {
  for (const auto& d : overlays)
    if (below(mp, d)) return true;
  return below(mp, scratch) || below(mp, "/proc") || below(mp, "/sys") || below(mp, "/dev");
}

// The flags a read-only bind remount must keep (the kernel refuses to clear
// a locked one, and dropping noexec or nosuid would loosen the mount).
unsigned long kept_flags(unsigned long f_flag) {
  unsigned long out = 0;
  if (f_flag & ST_NOSUID) out |= MS_NOSUID;
  if (f_flag & ST_NODEV) out |= MS_NODEV;
  if (f_flag & ST_NOEXEC) out |= MS_NOEXEC;
  if (f_flag & ST_NOATIME) out |= MS_NOATIME;
  if (f_flag & ST_NODIRATIME) out |= MS_NODIRATIME;
  if (f_flag & ST_RELATIME) out |= MS_RELATIME;
  return out;
}

// A private mount namespace in which each directory a fix changes is
// overlaid by a tmpfs copy, and the fix's commands have run. A short-lived
// process makes it; an fd to it keeps it, and the replay enters it
// (TraceOptions::mount_ns_fd); the real files never change. Closing the fd
// ends the namespace and its mounts; the scratch mount point (an empty
// directory) is removed.
class ThrowawayCopy {
 public:
  ThrowawayCopy(const std::vector<std::string>& paths, const std::vector<std::string>& commands) {
    const auto dirs = overlay_dirs(paths, error);
    if (!error.empty()) return;
    // A container's root (Docker's and Podman's default capabilities) may
    // not make a mount namespace: the fix is then not replayed, and says why.
    const trace::Caps caps = trace::own_caps();
    if (!caps.has(trace::Cap::SysAdmin)) {
      error = std::string("a private mount namespace needs ") + trace::cap_name(trace::Cap::SysAdmin) +
              ", which is missing from the effective capability set, as in a container's default one";
      return;
    }
    char tmpl[] = "/tmp/bootmortem-verify.XXXXXX";
    if (!mkdtemp(tmpl)) {
      error = std::string("no scratch directory for the copy: ") + std::strerror(errno);
      return;
    }
    scratch_ = tmpl;
    // Everything the holder needs, prepared before the fork: it only makes
    // system calls.
    std::vector<std::string> uppers, works, options;
    for (size_t i = 0; i < dirs.size(); ++i) {
      uppers.push_back(scratch_ + "/" + std::to_string(i) + "u");
      works.push_back(scratch_ + "/" + std::to_string(i) + "w");
      options.push_back("lowerdir=" + dirs[i] + ",upperdir=" + uppers[i] + ",workdir=" + works[i]);
    }
    int status[2], hold[2];
    if (pipe2(status, O_CLOEXEC) != 0 || pipe2(hold, O_CLOEXEC) != 0) {
      error = std::string("pipe: ") + std::strerror(errno);
      return;
    }
    pid_ = fork();
    if (pid_ < 0) {
      error = std::string("fork: ") + std::strerror(errno);
      return;
    }
    if (pid_ == 0) {
      close(status[0]);
      close(hold[1]);
      auto say = [&](const std::string& s) {
        (void)!::write(status[1], s.data(), s.size());
        _exit(1);
      };
      if (unshare(CLONE_NEWNS) != 0) say("unshare(CLONE_NEWNS): " + trace::mount_refused_why(errno, caps));
      if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        say("mount --make-rprivate /: " + trace::mount_refused_why(errno, caps));
      if (mount("bootmortem-verify", scratch_.c_str(), "tmpfs", 0, "mode=0700") != 0)
        say("mount tmpfs: " + trace::mount_refused_why(errno, caps));
      for (size_t i = 0; i < dirs.size(); ++i) {
        if (mkdir(uppers[i].c_str(), 0755) != 0 || mkdir(works[i].c_str(), 0700) != 0)
          say(std::string("mkdir in the scratch tmpfs: ") + std::strerror(errno));
        if (mount("overlay", dirs[i].c_str(), "overlay", 0, options[i].c_str()) != 0)
          say("an overlay over " + dirs[i] + ": " + trace::mount_refused_why(errno, caps));
      }
      // The commands run in a namespace of their own in which every other
      // mount is read-only: whatever a fix's command changes beyond the
      // copy fails (EROFS) instead of reaching the real files.
      const pid_t runner = fork();
      if (runner == 0) {
        if (unshare(CLONE_NEWNS) != 0)
          say("unshare(CLONE_NEWNS) for the commands: " + trace::mount_refused_why(errno, caps));
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
          say("mount --make-rprivate /: " + trace::mount_refused_why(errno, caps));
        for (const auto& mp : mount_points()) {
          if (writable_for_commands(mp, dirs, scratch_)) continue;
          struct statvfs sv;
          if (statvfs(mp.c_str(), &sv) != 0) continue;  // hidden by an overlay above it
          if (sv.f_flag & ST_RDONLY) continue;
          if (mount(nullptr, mp.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(sv.f_flag), nullptr) != 0)
            say("a read-only " + mp + " for the commands: " + trace::mount_refused_why(errno, caps));
        }
        for (const auto& c : commands) {
          int err[2];
          if (pipe2(err, O_CLOEXEC) != 0) say(std::string("pipe: ") + std::strerror(errno));
          const pid_t sh = fork();
          if (sh == 0) {
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(err[1], 2);
            if (chdir("/") != 0) _exit(126);
            execl("/bin/sh", "sh", "-c", c.c_str(), static_cast<char*>(nullptr));
            _exit(127);
          }
          close(err[1]);
          std::string said = read_to_end(err[0], 400);
          close(err[0]);
          int st = 0;
          if (sh < 0 || waitpid(sh, &st, 0) != sh || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
            for (auto& ch : said) ch = ch == '\n' ? ' ' : ch;
            say("the command `" + c + "` failed in the copy (" +
                (sh > 0 && WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st)) : std::string("no exit")) +
                (said.empty() ? "" : ": " + said) + ")");
          }
        }
        _exit(0);
      }
      int rst = 0;
      if (runner < 0 || waitpid(runner, &rst, 0) != runner) say(std::string("fork: ") + std::strerror(errno));
      if (!WIFEXITED(rst) || WEXITSTATUS(rst) != 0) _exit(1);  // the runner said why
      (void)!::write(status[1], "ok", 2);
      close(status[1]);
      char c;
      while (::read(hold[0], &c, 1) < 0 && errno == EINTR) {
      }
      _exit(0);
    }
    close(status[1]);
    close(hold[0]);
    hold_ = hold[1];
    const std::string said = read_to_end(status[0], 4096);
    close(status[0]);
    if (said != "ok") {
      error = said.empty() ? "the copy's holder ended" : said;
      return;
    }
    ns_fd_ = open(("/proc/" + std::to_string(pid_) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd_ < 0) error = std::string("open its mount namespace: ") + std::strerror(errno);
    // The fd keeps the namespace and its mounts; the holder may go, and
    // must before the replay: a tracer waits for every child of this process.
    end_holder();
  }
  ~ThrowawayCopy() {
    if (ns_fd_ >= 0) close(ns_fd_);  // the last reference: the namespace and its mounts go
    end_holder();
    if (!scratch_.empty()) rmdir(scratch_.c_str());
  }
  ThrowawayCopy(const ThrowawayCopy&) = delete;
  ThrowawayCopy& operator=(const ThrowawayCopy&) = delete;

  int ns_fd() const { return ns_fd_; }
  std::string error;  // why there is no copy

 private:
  void end_holder() {
    if (hold_ >= 0) close(hold_);
    hold_ = -1;
    if (pid_ > 0) {
      int st;
      while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }

  std::string scratch_;
  pid_t pid_ = -1;
  int hold_ = -1;
  int ns_fd_ = -1;
};

// One verification replay.
struct Attempt {
  bool ran = false;      // false: it could not be tried (why says why)
  std::string why;
  bool running = false;  // RUNNING, held through the window
  std::string outcome;   // what happened, in one line
  std::vector<rules::Finding> findings;  // the failed replay's
  int64_t ms = 0;
};

// label: what progress shows while it runs.
Attempt replay_with(const std::vector<const rules::FixPlan*>& plans, const VerifyContext& ctx,
                    const report::Report& r, const std::string& label) {
  const auto t0 = Clock::now();
  Attempt a;
  auto done = [&]() -> Attempt {
    a.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    return a;
  };
  std::vector<rules::ConfigChange> changes;
  std::vector<std::string> commands, paths;
  for (const auto* p : plans) {
    changes.insert(changes.end(), p->config.begin(), p->config.end());
    commands.insert(commands.end(), p->commands.begin(), p->commands.end());
    paths.insert(paths.end(), p->paths.begin(), p->paths.end());
  }
  std::map<std::string, std::string> texts;
  try {
    texts = patched_texts(changes, ctx.config_path, *ctx.fs);
  } catch (const core::InputError& e) {
    a.why = e.what();
    return done();
  }
  spawn::BaseEnv base = ctx.base;
  std::optional<spawn::SpawnSpec> spec;
  try {
    config::Config cfg = load_with_base(ctx.config_path, base, *ctx.users, texts, ctx.record_host_problems);
    spec = spawn::make_spawn_spec(cfg, one_process(cfg, ctx.program), base, *ctx.users, *ctx.fs);
  } catch (const core::InputError& e) {
    // A fix that breaks the config is a fix that does not work.
    a.ran = true;
    a.outcome = std::string("the patched config does not load: ") + e.what();
    return done();
  }
  std::optional<ThrowawayCopy> copy;
  if (!commands.empty()) {
    copy.emplace(paths, commands);
    if (!copy->error.empty()) {
      a.why = "no throwaway copy of the files it changes: " + copy->error;
      return done();
    }
  }
  trace::TraceOptions topt;
  topt.startsecs = ctx.watch.startsecs.value_or(static_cast<double>(spec->startsecs));
  topt.watch = ctx.watch.window;
  topt.mount_ns_fd = copy ? copy->ns_fd() : -1;
  // supervisord's own copy held the port the first replay needed.
  topt.private_network = r.ev.supervisor && !r.ev.supervisor->self_conflict.empty();
  Progress& progress = ctx.progress ? *ctx.progress : plain_progress();
  topt.tick = ticks_of(progress);
  trace::TraceLog log;
  try {
    progress.waiting(replay_waiting(spec->name, label, ctx.tracer->name(), topt));
    log = ctx.tracer->run(*spec, topt);
    confirm_untraced(log, *spec, topt, progress);
  } catch (const core::SystemError& e) {
    a.why = std::string("the replay could not run: ") + e.what();
    return done();
  }
  a.ran = true;
  login::LoginEnv login = spec->uid == r.ev.spec.uid ? r.ev.login : login_of(spec->uid, *ctx.users, *ctx.fs);
  const std::string source = spec->source.file;
  evidence::Evidence ev = evidence::make_evidence(std::move(*spec), std::move(log), std::move(login));
  auto text = texts.find(source);
  ev.config_text = text != texts.end() ? text->second : ctx.fs->read_file(source).value_or("");
  evidence::add_found_values(ev, *ctx.fs);
  a.running = ev.trace.verdict == trace::Verdict::Starts && ev.outcome.kind == evidence::OutcomeKind::Running;
  a.outcome = evidence::outcome_summary(ev.outcome);
  if (!a.running) a.findings = ctx.pack->match(ev);
  return done();
}

bool replayable(const rules::Finding& f) { return !f.plan.empty() && f.plan.unverifiable.empty(); }

std::string not_replayed(const rules::Finding& f) {
  if (!f.plan.unverifiable.empty()) return "not replayed: " + f.plan.unverifiable;
  return "not replayed: the fix is not a change to the config or to files that bootmortem can make";
}

// One cause: the same rule with the same fix (env-var-missing for A and for
// B are two causes).
bool same_cause(const rules::Finding& a, const rules::Finding& b) {
  if (a.rule != b.rule || a.plan.commands != b.plan.commands || a.plan.config.size() != b.plan.config.size())
    return false;
  for (size_t i = 0; i < a.plan.config.size(); ++i) {
    const auto &x = a.plan.config[i], &y = b.plan.config[i];
    if (x.section != y.section || x.key != y.key || x.value != y.value) return false;
  }
  return true;
}

bool fires(const std::vector<rules::Finding>& fs, const rules::Finding& cause) {
  return std::any_of(fs.begin(), fs.end(), [&](const rules::Finding& f) { return same_cause(f, cause); });
}

// How far the evidence proves a finding: its fix verified; not tried, or
// tried and its cause went away (a second one showed); tried and the program
// failed the same way.
int tier(const rules::Finding& f, const std::set<std::string>& same_failure) {
  if (f.verified == true) return 0;
  if (f.verified == false && same_failure.count(f.rule)) return 2;
  return 1;
}

}  // namespace

std::map<std::string, std::string> patched_texts(const std::vector<rules::ConfigChange>& changes,
                                                 const std::string& main_config, const core::FileSystem& fs) {
  std::map<std::string, std::string> texts;
  for (auto c : changes) {
    if (c.file.empty()) c.file = main_config;
    auto it = texts.find(c.file);
    if (it == texts.end()) {
      auto text = fs.read_file(c.file);
      if (!text) throw core::InputError(core::Origin{c.file, 0}, "cannot read the config file to patch");
      it = texts.emplace(c.file, *text).first;
    }
    auto changed = rules::apply_change(it->second, c);
    if (!changed) throw core::InputError(core::Origin{c.file, 0}, "no [" + c.section + "] section to patch");
    it->second = *changed;
  }
  return texts;
}

std::string patch_name(const std::string& file, const std::string& cwd) {
  if (!cwd.empty() && cwd != "/" && file.starts_with(cwd + "/")) return file.substr(cwd.size() + 1);
  return file;
}

namespace {

// One finding's fix on trial: the chain of fixes replayed together so far
// (the finding's own first), and what the last replay showed.
struct Trial {
  rules::Finding* f = nullptr;
  std::deque<rules::Finding> chain;  // stable addresses for plans
  std::vector<const rules::FixPlan*> plans;
  Attempt last;
  int64_t ms = 0;
  const rules::Finding* next = nullptr;  // the next cause, when every fix so far took its own away
};

void replay_trial(Trial& t, const VerifyContext& ctx, const report::Report& r, report::Remedy& totals) {
  std::string rules;
  for (const auto& c : t.chain) rules += (rules.empty() ? "" : ", then ") + c.rule;
  t.last = replay_with(t.plans, ctx, r,
                       (t.chain.size() == 1 ? "replay with the fix of " : "replay with the fixes of ") + rules);
  t.ms += t.last.ms;
  ++totals.replays;
  totals.ms += t.last.ms;
  t.next = nullptr;
  if (!t.last.ran || t.last.running) return;
  const bool causes_gone = std::none_of(t.chain.begin(), t.chain.end(), [&](const rules::Finding& c) {
    return fires(t.last.findings, c);
  });
  if (causes_gone)
    for (const auto& n : t.last.findings)
      if (replayable(n)) {
        t.next = &n;
        break;
      }
}

std::string trial_text(const Trial& t) {
  const size_t more = t.chain.size() - 1;
  const std::string with = more == 0 ? "replayed with this fix"
                                     : "replayed with this fix and the " + std::to_string(more) +
                                           " it revealed (" + t.chain.back().rule + ")";
  if (!t.last.ran) return "not replayed: " + t.last.why;
  if (t.last.running) return with + ": " + t.last.outcome;
  const std::string then = t.last.findings.empty() ? "no rule explains that"
                                                   : "then the top finding is " + t.last.findings.front().rule +
                                                         " (" + t.last.findings.front().title + ")";
  return with + ": " + t.last.outcome + "; " + then;
}

report::Remedy remedy_of(const Trial& t, const VerifyContext& ctx) {
  report::Remedy m;
  m.verified = t.last.ran && t.last.running;
  m.outcome = trial_text(t);
  std::vector<rules::ConfigChange> changes;
  for (const auto& c : t.chain) {
    m.rules.push_back(c.rule);
    changes.insert(changes.end(), c.plan.config.begin(), c.plan.config.end());
    m.commands.insert(m.commands.end(), c.plan.commands.begin(), c.plan.commands.end());
  }
  try {
    for (const auto& [file, after] : patched_texts(changes, ctx.config_path, *ctx.fs))
      m.patches.push_back({file, rules::unified_diff(patch_name(file, ctx.fs->cwd()),
                                                     rules::split_lines(ctx.fs->read_file(file).value_or("")), rules::split_lines(after))});
  } catch (const core::InputError&) {
    // Replayed already; a section gone meanwhile leaves no patch.
  }
  return m;
}

}  // namespace

void verify_findings(report::Report& r, const VerifyContext& ctx) {
  if (r.ev.outcome.kind == evidence::OutcomeKind::Running && r.ev.trace.verdict == trace::Verdict::Starts) return;
  if (r.ev.supervisor && !r.ev.supervisor->replayed) return;  // supervisord runs it: nothing was replayed
  auto& findings = r.findings;
  report::Remedy totals;
  std::deque<Trial> trials;
  for (auto& f : findings) {
    if (!replayable(f)) {
      f.verification = not_replayed(f);
    } else if (trials.size() >= k_verify_candidates) {
      f.verification = "not replayed: only the top " + std::to_string(k_verify_candidates) + " fixes are";
    } else {
      Trial& t = trials.emplace_back();  // in place: plans point into its chain
      t.f = &f;
      t.chain.push_back(f);
      t.plans.push_back(&t.chain.front().plan);
    }
  }
  // Each fix alone first: the smallest change that works is the answer.
  Trial* proven = nullptr;
  for (auto& t : trials) {
    replay_trial(t, ctx, r, totals);
    if (t.last.ran && t.last.running) {
      proven = &t;
      break;
    }
  }
  // Then chains: a fix that took its cause away and revealed another gets
  // that one's fix added, up to k_verify_rounds fixes.
  if (!proven)
    for (auto& t : trials) {
      while (!proven && t.next && t.chain.size() < static_cast<size_t>(k_verify_rounds)) {
        rules::Finding n = *t.next;
        n.round = static_cast<int>(t.chain.size()) + 1;
        t.chain.push_back(std::move(n));
        t.plans.push_back(&t.chain.back().plan);
        replay_trial(t, ctx, r, totals);
        if (t.last.ran && t.last.running) proven = &t;
      }
      if (proven) break;
    }
  std::set<std::string> same_failure;
  const Trial* best = nullptr;
  for (auto& t : trials) {
    if (!t.last.ran && t.last.why.empty()) {  // never replayed: a fix before it was proven
      t.f->verification = "not replayed: the fix above was proven first";
      continue;
    }
    t.f->verify_ms = t.ms;
    t.f->verification = trial_text(t);
    if (t.last.ran) t.f->verified = t.last.running;
    if (t.last.ran && !t.last.running && t.chain.size() == 1 && fires(t.last.findings, *t.f))
      same_failure.insert(t.f->rule);
    if (t.last.ran && (!best || t.chain.size() > best->chain.size())) best = &t;
  }
  if (proven) best = proven;
  std::vector<rules::Finding> revealed;
  if (proven)
    for (size_t i = 1; i < proven->chain.size(); ++i) {
      rules::Finding n = proven->chain[i];
      n.verified = true;
      n.verify_ms = -1;
      n.verification = "revealed once the fix of " + proven->chain[i - 1].rule + " was applied; " + trial_text(*proven);
      revealed.push_back(std::move(n));
    }
  if (best) {
    report::Remedy m = remedy_of(*best, ctx);
    m.replays = totals.replays;
    m.ms = totals.ms;
    r.remedy = std::move(m);
  }
  // Findings whose fix was proven first (the chain in its order), then the
  // rest by what their replays showed, each tier in the pack's order.
  std::stable_sort(findings.begin(), findings.end(), [&](const rules::Finding& a, const rules::Finding& b) {
    return tier(a, same_failure) < tier(b, same_failure);
  });
  auto at = std::find_if(findings.begin(), findings.end(), [](const rules::Finding& f) { return f.verified != true; });
  for (auto& n : revealed) {
    // A revealed cause the first replay also showed moves up, not twice.
    findings.erase(std::remove_if(at, findings.end(), [&](const rules::Finding& f) { return same_cause(f, n); }),
                   findings.end());
    at = findings.insert(at, std::move(n)) + 1;
  }
}

}  // namespace bootmortem::run
