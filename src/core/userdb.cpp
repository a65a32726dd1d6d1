#include "core/userdb.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <mutex>

namespace bootmortem::core {
namespace {

Passwd from_pw(const struct passwd* pw) {
  return Passwd{pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir ? pw->pw_dir : "",
                pw->pw_shell ? pw->pw_shell : ""};
}

Group from_gr(const struct group* gr) {
  Group g{gr->gr_name, gr->gr_gid, {}};
  for (char** m = gr->gr_mem; m && *m; ++m) g.members.emplace_back(*m);
  return g;
}

std::mutex g_grent_mutex;  // getgrent() iterates shared state

}  // namespace

std::optional<Passwd> SystemUserDb::by_name(const std::string& name) const {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || !res) return std::nullopt;
  return from_pw(res);
}

std::optional<Passwd> SystemUserDb::by_uid(uid_t uid) const {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) != 0 || !res) return std::nullopt;
  return from_pw(res);
}

std::vector<Group> SystemUserDb::all_groups() const {
  std::lock_guard lock(g_grent_mutex);
  std::vector<Group> out;
  setgrent();
  while (struct group* gr = getgrent()) out.push_back(from_gr(gr));
  endgrent();
  return out;
}

std::optional<Group> SystemUserDb::group_by_gid(gid_t gid) const {
  struct group gr, *res = nullptr;
  std::vector<char> buf(65536);
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &res) != 0 || !res) return std::nullopt;
  return from_gr(res);
}

std::optional<Passwd> FakeUserDb::by_name(const std::string& name) const {
  for (const auto& u : users)
    if (u.name == name) return u;
  return std::nullopt;
}

std::optional<Passwd> FakeUserDb::by_uid(uid_t uid) const {
  for (const auto& u : users)
    if (u.uid == uid) return u;
  return std::nullopt;
}

std::optional<Group> FakeUserDb::group_by_gid(gid_t gid) const {
  for (const auto& g : groups)
    if (g.gid == gid) return g;
  return std::nullopt;
}

std::vector<gid_t> supervisor_groups(const UserDb& db, const Passwd& user) {
  // supervisor/options.py drop_privileges: groups = [grprec[2] for grprec in
  // grp.getgrall() if user in grprec[3]]; groups.insert(0, gid).
  std::vector<gid_t> out{user.gid};
  for (const auto& g : db.all_groups())
    if (std::find(g.members.begin(), g.members.end(), user.name) != g.members.end())
      out.push_back(g.gid);
  return out;
}

}  // namespace bootmortem::core
