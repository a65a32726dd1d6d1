// The user and group databases, behind a seam: the real one asks NSS
// (getpwnam/getgrent), tests hand in a fake.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace bootmortem::core {

struct Passwd {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

struct Group {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

class UserDb {
 public:
  virtual ~UserDb() = default;
  virtual std::optional<Passwd> by_name(const std::string& name) const = 0;
  virtual std::optional<Passwd> by_uid(uid_t uid) const = 0;
  // Every group the database enumerates, as Python's grp.getgrall() does.
  virtual std::vector<Group> all_groups() const = 0;
  virtual std::optional<Group> group_by_gid(gid_t gid) const = 0;
};

class SystemUserDb final : public UserDb {
 public:
  std::optional<Passwd> by_name(const std::string& name) const override;
  std::optional<Passwd> by_uid(uid_t uid) const override;
  std::vector<Group> all_groups() const override;
  std::optional<Group> group_by_gid(gid_t gid) const override;
};

// Users and groups held in tables: a test's fake, or the files of a staged
// root filesystem (parse_user_files), which NSS of this host must not read.
class TableUserDb final : public UserDb {
 public:
  std::vector<Passwd> users;
  std::vector<Group> groups;

  std::optional<Passwd> by_name(const std::string& name) const override;
  std::optional<Passwd> by_uid(uid_t uid) const override;
  std::vector<Group> all_groups() const override { return groups; }
  std::optional<Group> group_by_gid(gid_t gid) const override;
};
using FakeUserDb = TableUserDb;

// The tables of /etc/passwd and /etc/group texts, as the "files" NSS module
// reads them: name:x:uid:gid:gecos:home:shell and name:x:gid:a,b. Comments,
// blank, short and "+"/"-" (NIS compat) lines are skipped; the first entry of
// a name or id wins.
TableUserDb parse_user_files(const std::string& passwd, const std::string& group);

// supervisord's drop_privileges group list: the primary gid first, then every
// enumerable group whose member list names the user (not initgroups(3)).
std::vector<gid_t> supervisor_groups(const UserDb& db, const Passwd& user);

}  // namespace bootmortem::core
