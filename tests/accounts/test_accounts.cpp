// The users file and password hashes: parsing with FILE:LINE errors, formatting, Argon2id
// verification, weak passwords, the file's atomic rewrite and change watch. No network.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "accounts/password.hpp"
#include "accounts/users_io.hpp"

using namespace chairwatch::accounts;

namespace {

std::string temp_dir() {
    std::string t = "/tmp/chairwatch-accounts-XXXXXX";
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    return t;
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// One hash for the tests that need a well-formed line (hashing costs about 0.1 s).
const std::string& some_hash() {
    static const std::string h = hash_password("correct horse");
    return h;
}

}  // namespace

TEST_SUITE("accounts") {
    TEST_CASE("a hash verifies its password only, and is salted") {
        const auto h = some_hash();
        CHECK(h.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
        CHECK(looks_like_hash(h));
        CHECK(verify_password(h, "correct horse"));
        CHECK(!verify_password(h, "correct horsE"));
        CHECK(!verify_password(h, ""));
        CHECK(hash_password("correct horse") != h);  // a new salt each time
        CHECK(!verify_password("$argon2id$garbage", "correct horse"));
        CHECK(!verify_password("plain-text", "plain-text"));
    }

    TEST_CASE("weak passwords are refused with the reason") {
        CHECK(weak_password("").value() == "the password is empty");
        CHECK(weak_password("1234567").value().find("at least 8") != std::string::npos);
        CHECK(!weak_password("12345678"));
        CHECK(weak_password("tab\there1").value().find("control") != std::string::npos);
        CHECK(weak_password(std::string(257, 'x')).value().find("at most 256") !=
              std::string::npos);
    }

    TEST_CASE("the users file: lines, comments, roles, disabled; format round-trips") {
        const auto text = "# people\n\nana:nurse:active:" + some_hash() +
                          "\r\nbo.b:charge_nurse:disabled:" + some_hash() +
                          "\nc-1:admin:active:" + some_hash() + "\n";
        const auto p = parse_users(text, "users");
        REQUIRE(p.errors.empty());
        REQUIRE(p.users.list.size() == 3);
        CHECK(p.users.find("ana")->role == Role::nurse);
        CHECK(!p.users.find("ana")->disabled);
        CHECK(p.users.find("bo.b")->role == Role::charge_nurse);
        CHECK(p.users.find("bo.b")->disabled);
        CHECK(p.users.find("c-1")->role == Role::admin);
        CHECK(!p.users.find("dan"));
        const auto again = parse_users(format_users(p.users), "users");
        CHECK(again.errors.empty());
        CHECK(again.users == p.users);
    }

    TEST_CASE("every bad line is an error with FILE:LINE, and then no user is taken") {
        const auto h = some_hash();
        const auto text = "ana:nurse:active:" + h + "\n" +    // 1 fine
                          "bob:nurse:active\n" +              // 2 three fields
                          "Carl:nurse:active:" + h + "\n" +   // 3 upper case
                          "dan:doctor:active:" + h + "\n" +   // 4 no such role
                          "eve:display:active:" + h + "\n" +  // 5 display is not a person's
                          "fay:nurse:locked:" + h + "\n" +    // 6 state
                          "gus:nurse:active:secret\n" +       // 7 not a hash
                          "ana:admin:active:" + h + "\n" +    // 8 twice
                          "-x:nurse:active:" + h + "\n";      // 9 starts with '-'
        const auto p = parse_users(text, "/etc/chairwatch/users");
        CHECK(p.users.list.empty());
        REQUIRE(p.errors.size() == 8);
        CHECK(p.errors[0] ==
              "/etc/chairwatch/users:2: expected NAME:ROLE:STATE:HASH (4 fields), found 3");
        CHECK(p.errors[1].starts_with("/etc/chairwatch/users:3: user name 'Carl'"));
        CHECK(p.errors[2] ==
              "/etc/chairwatch/users:4: role 'doctor' is not one of nurse, charge_nurse, admin");
        CHECK(p.errors[3].starts_with("/etc/chairwatch/users:5: role 'display'"));
        CHECK(p.errors[4] == "/etc/chairwatch/users:6: state 'locked' is not active or disabled");
        CHECK(p.errors[5].starts_with("/etc/chairwatch/users:7: the hash is not"));
        CHECK(p.errors[6] == "/etc/chairwatch/users:8: user 'ana' is listed twice");
        CHECK(p.errors[7].starts_with("/etc/chairwatch/users:9: user name '-x'"));
    }

    TEST_CASE("saving keeps the mode of the file it replaces; a new file is 0640") {
        const auto dir = temp_dir();
        const auto path = dir + "/users";
        Users users;
        users.list.push_back({"ana", Role::nurse, false, some_hash()});
        save_users(path, users);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0640);
        CHECK(load_users(path).users == users);
        REQUIRE(::chmod(path.c_str(), 0600) == 0);
        users.list.front().disabled = true;
        save_users(path, users);
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
        CHECK(load_users(path).users.find("ana")->disabled);
        CHECK(::access((path + ".new").c_str(), F_OK) != 0);
        CHECK_THROWS_WITH_AS(save_users(dir + "/no/such/dir/users", users),
                             doctest::Contains("cannot create"), std::runtime_error);
    }

    TEST_CASE("a missing file is one error; the watch sees a rewrite") {
        const auto dir = temp_dir();
        const auto path = dir + "/users";
        const auto missing = load_users(path);
        REQUIRE(missing.errors.size() == 1);
        CHECK(missing.errors[0].starts_with(path + ": cannot read"));
        UsersWatch watch(path);
        CHECK(watch.changed());  // the first look
        CHECK(!watch.changed());
        write(path, "# empty\n");
        CHECK(watch.changed());
        CHECK(!watch.changed());
        Users users;
        users.list.push_back({"ana", Role::nurse, false, some_hash()});
        save_users(path, users);  // a new inode by rename
        CHECK(watch.changed());
        ::unlink(path.c_str());
        CHECK(watch.changed());
    }
}
