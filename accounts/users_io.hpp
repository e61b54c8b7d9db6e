// Reading and writing the users file. A write goes to a new file beside it, keeps the old
// file's group and mode (0640 for a new one), and replaces it by rename: a reader never sees
// half a file. UsersWatch tells whether the file changed since it last looked (inode, size,
// modification time), so the daemon picks up `chairwatch user` changes without a reload.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "accounts/users.hpp"

namespace chairwatch::accounts {

// A missing or unreadable file is one error ("FILE: cannot read: reason").
ParsedUsers load_users(const std::string& path);
// Throws std::runtime_error with the path and the reason.
void save_users(const std::string& path, const Users& users);

class UsersWatch {
  public:
    explicit UsersWatch(std::string path = {}) : path_(std::move(path)) {}
    const std::string& path() const { return path_; }
    // True when the file's identity differs from the last call's (the first call: true).
    bool changed();

  private:
    struct Stamp {
        bool exists{false};
        unsigned long long inode{0};
        long long size{0};
        std::timespec mtime{};
        bool operator==(const Stamp& o) const;
    };
    std::string path_;
    std::optional<Stamp> last_;
};

}  // namespace chairwatch::accounts
