#include "accounts/users_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chairwatch::accounts {

namespace {

constexpr std::size_t max_file_bytes = 1 << 20;

std::runtime_error failure(const std::string& path, const std::string& what) {
    return std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

ParsedUsers load_users(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    struct stat st {};
    if (!in || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return {{}, {path + ": cannot read: " + std::strerror(errno ? errno : EINVAL)}};
    if (static_cast<std::size_t>(st.st_size) > max_file_bytes)
        return {{}, {path + ": larger than 1 MiB: not a users file"}};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_users(text.str(), path);
}

void save_users(const std::string& path, const Users& users) {
    struct stat old {};
    const bool existed = ::stat(path.c_str(), &old) == 0;
    const auto tmp = path + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw failure(tmp, "cannot create");
    const auto text = format_users(users);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (ok && existed && ::fchown(fd, old.st_uid, old.st_gid) != 0 && errno != EPERM) ok = false;
    ok = ok && ::fchmod(fd, existed ? (old.st_mode & 07777) : 0640) == 0;
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const auto e = failure(path, "cannot write");
        ::unlink(tmp.c_str());
        throw e;
    }
}

bool UsersWatch::Stamp::operator==(const Stamp& o) const {
    return exists == o.exists && inode == o.inode && size == o.size &&
           mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
}

bool UsersWatch::changed() {
    struct stat st {};
    Stamp now;
    if (::stat(path_.c_str(), &st) == 0)
        now = {true, static_cast<unsigned long long>(st.st_ino), static_cast<long long>(st.st_size),
               st.st_mtim};
    const bool differs = !last_ || !(*last_ == now);
    last_ = now;
    return differs;
}

}  // namespace chairwatch::accounts
