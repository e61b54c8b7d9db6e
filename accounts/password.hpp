// Password hashes: Argon2id from libsodium (crypto_pwhash_str), salted, with the "interactive"
// cost (64 MiB, 2 passes: about 0.1 s). The hash string carries its own salt and cost, so a
// later change of cost still verifies older hashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chairwatch::accounts {

inline constexpr std::size_t min_password_chars = 8;
inline constexpr std::size_t max_password_chars = 256;

// Why a new password is refused (empty, too short, too long, a control character), or nullopt.
std::optional<std::string> weak_password(std::string_view password);
// Throws std::runtime_error when libsodium cannot (out of memory).
std::string hash_password(std::string_view password);
// False for a wrong password and for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
// Whether `hash` has the form crypto_pwhash_str writes ("$argon2id$v=19$m=…").
bool looks_like_hash(std::string_view hash);

}  // namespace chairwatch::accounts
