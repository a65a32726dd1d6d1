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

std::optional<Passwd> TableUserDb::by_name(const std::string& name) const {
  for (const auto& u : users)
    if (u.name == name) return u;
  return std::nullopt;
}

std::optional<Passwd> TableUserDb::by_uid(uid_t uid) const {
  for (const auto& u : users)
    if (u.uid == uid) return u;
  return std::nullopt;
}

std::optional<Group> TableUserDb::group_by_gid(gid_t gid) const {
  for (const auto& g : groups)
    if (g.gid == gid) return g;
  return std::nullopt;
}

namespace {

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t colon; (colon = line.find(':', start)) != std::string::npos; start = colon + 1)
    out.push_back(line.substr(start, colon - start));
  out.push_back(line.substr(start));
  return out;
}

// A decimal id as the files module takes it; nullopt when not one.
std::optional<unsigned long> id_of(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoul(s);
}

template <class F>
void each_entry(const std::string& text, size_t min_fields, F&& f) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    auto fields = fields_of(line);
    if (fields.size() >= min_fields && !fields[0].empty()) f(fields);
  }
}

}  // namespace

TableUserDb parse_user_files(const std::string& passwd, const std::string& group) {
  TableUserDb db;
  each_entry(passwd, 7, [&](const std::vector<std::string>& f) {
    auto uid = id_of(f[2]), gid = id_of(f[3]);
    if (uid && gid) db.users.push_back(Passwd{f[0], static_cast<uid_t>(*uid), static_cast<gid_t>(*gid), f[5], f[6]});
  });
  each_entry(group, 4, [&](const std::vector<std::string>& f) {
    auto gid = id_of(f[2]);
    if (!gid) return;
    Group g{f[0], static_cast<gid_t>(*gid), {}};
    size_t start = 0;
    const std::string& m = f[3];
    while (start < m.size()) {
      size_t comma = m.find(',', start);
      if (comma == std::string::npos) comma = m.size();
      if (comma > start) g.members.push_back(m.substr(start, comma - start));
      start = comma + 1;
    }
    db.groups.push_back(std::move(g));
  });
  return db;
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
